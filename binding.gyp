{
  "targets": [
    {
      "target_name": "rnnlm_native",
      "sources": ["native/binding.cc", "native/kernels.cc", "native/threads.cc"],
      "cflags_cc": ["-O3", "-ffp-contract=fast", "-std=c++17", "-Wno-psabi"],
      "cflags_cc!": ["-fno-exceptions"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-ffp-contract=fast", "-std=c++17"], "GCC_ENABLE_CPP_EXCEPTIONS": "YES" },
      "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/O2", "/std:c++17"], "ExceptionHandling": 1 } }
    }
  ]
}
