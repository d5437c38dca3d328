{
  "targets": [
    {
      "target_name": "rnnlm_native",
      "sources": ["native/binding.cc", "native/kernels.cc"],
      "cflags_cc": ["-O3", "-march=native", "-ffp-contract=fast", "-std=c++17"],
      "cflags_cc!": ["-fno-exceptions"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-ffp-contract=fast", "-std=c++17"] },
      "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/O2", "/arch:AVX2"] } }
    }
  ]
}
