// The kernel variants and the choice among them (kernels.h). The kernel sources (vecmath.h, gemm.h, recurrence.h,
// output.h, probe.h) are compiled here once per instruction set, each time inside its own namespace under
// `#pragma GCC target`: on x86-64 with GCC, avx512 (AVX-512F + FMA, 16-float vectors), avx2 (AVX2 + FMA, 8) and
// sse2 (the x86-64 baseline, 4); elsewhere one generic version with the compiler's default flags. kernels() asks
// the CPU once (__builtin_cpu_supports) and keeps the widest variant it can run.
//
// Nothing from the standard library is instantiated inside a variant (no std::vector, no std::fill): a template
// instantiated under a wider target could be the one copy the linker keeps and then run on a narrower CPU. The
// variants allocate through Floats, defined here with the default target, from a per-thread arena.
#include "kernels.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "contracts.h"
#include "threads.h"

// Three x86-64 variants with GCC (whose `#pragma GCC target` compiles them); else, or with -DRNNLM_X86_VARIANTS=0
// (to test it on x86-64), the generic one.
#ifndef RNNLM_X86_VARIANTS
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define RNNLM_X86_VARIANTS 1
#else
#define RNNLM_X86_VARIANTS 0
#endif
#endif

/** Inlined always: the small vector helpers, and the blocks of the products with the gate math they feed. */
#define RNNLM_INLINE inline __attribute__((always_inline))

namespace rnnlm {
namespace {

/**
 * Scratch memory of the calling thread, kept between calls: the kernels' buffers come from here in stack order,
 * so that a call costs no allocation, no page faults and no zeroing of fresh pages once the first call of its
 * size has grown the arena. A buffer that does not fit is allocated on its own, and the arena grows to the
 * whole call's need when it is next empty.
 */
struct Arena {
  char* base = nullptr;
  size_t capacity = 0, top = 0;
  size_t live = 0, want = 0;  // bytes of the buffers alive now (in the arena or not), and the most alive at once
  ~Arena() { release(base); }
  static char* allocate(size_t bytes) {
#ifdef _WIN32
    char* p = static_cast<char*>(_aligned_malloc(bytes, 64));
#elif defined(__linux__)
    // from 4 MB (the packed W_h of a 512-unit LSTM) on whole 2 MB pages, with transparent huge pages asked for, as
    // binding.cc's largeBuffer: a product walking it every step misses the TLB far less
    const size_t huge = size_t(2) << 20;
    const bool large = bytes >= 2 * huge;
    if (large) bytes = (bytes + huge - 1) / huge * huge;
    char* p = static_cast<char*>(std::aligned_alloc(large ? huge : 64, bytes));
#ifdef MADV_HUGEPAGE
    if (p && large) madvise(p, bytes, MADV_HUGEPAGE);
#endif
#else
    char* p = static_cast<char*>(std::aligned_alloc(64, bytes));
#endif
    if (!p) throw std::bad_alloc();
    return p;
  }
  static void release(char* p) {
#ifdef _WIN32
    _aligned_free(p);
#else
    std::free(p);
#endif
  }
};
thread_local Arena arena;

/** n floats, 64-byte aligned (a cache line; an AVX-512 vector), zeroed unless asked not to; freed at scope exit. */
struct Floats {
  float* p;
  size_t bytes;
  size_t start;  // offset in the arena, or SIZE_MAX when allocated on its own
  explicit Floats(std::ptrdiff_t n, bool zero = true) : bytes(((n > 0 ? (size_t)n : 1) * sizeof(float) + 63) & ~(size_t)63) {
    Arena& a = arena;
    if (a.live == 0 && a.want > a.capacity) {  // empty: grow to the most the calls so far needed at once
      Arena::release(a.base);
      a.base = nullptr, a.capacity = 0;
      a.base = Arena::allocate(a.want);
      a.capacity = a.want;
    }
    a.live += bytes;
    if (a.live > a.want) a.want = a.live;
    if (a.top + bytes <= a.capacity) {
      start = a.top;
      p = reinterpret_cast<float*>(a.base + a.top);
      a.top += bytes;
    } else {
      start = SIZE_MAX;
      p = reinterpret_cast<float*>(Arena::allocate(bytes));
    }
    if (zero) std::memset(p, 0, bytes);
  }
  ~Floats() {
    arena.live -= bytes;
    if (start == SIZE_MAX) Arena::release(reinterpret_cast<char*>(p));
    else arena.top = start;
  }
  Floats(const Floats&) = delete;
  Floats& operator=(const Floats&) = delete;
  operator float*() const { return p; }
};

// The table of one variant's kernels, in kernels.h's order; written inside each variant's namespace.
#define RNNLM_KERNEL_TABLE(name) \
  const Kernels table = {name, gemm, transpose, gather_rows, scatter_add_rows, recurrence_forward, recurrence_backward, \
                         linear_cross_entropy, exp_array, tanh_array, 2 * L * PROBE_CHAINS, fma_loop}

#if RNNLM_X86_VARIANTS

#pragma GCC push_options
#pragma GCC target("avx512f,fma")
namespace avx512 {
constexpr int L = 16, GEMM_ROWS = 8, GEMM_COLS = 2;  // 16 zmm accumulators of 32
#include "vecmath.h"
#include "gemm.h"
#include "layout.h"
#include "recurrence.h"
#include "output.h"
#include "probe.h"
RNNLM_KERNEL_TABLE("avx512");
}  // namespace avx512
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
constexpr int L = 8, GEMM_ROWS = 4, GEMM_COLS = 3;  // 12 ymm accumulators of 16
#include "vecmath.h"
#include "gemm.h"
#include "layout.h"
#include "recurrence.h"
#include "output.h"
#include "probe.h"
RNNLM_KERNEL_TABLE("avx2");
}  // namespace avx2
#pragma GCC pop_options

namespace sse2 {
constexpr int L = 4, GEMM_ROWS = 4, GEMM_COLS = 2;  // 8 xmm accumulators of 16
#include "vecmath.h"
#include "gemm.h"
#include "layout.h"
#include "recurrence.h"
#include "output.h"
#include "probe.h"
RNNLM_KERNEL_TABLE("sse2");
}  // namespace sse2

#else

namespace generic {
constexpr int L = 4, GEMM_ROWS = 4, GEMM_COLS = 4;  // 128-bit vectors (NEON has 32 registers)
#include "vecmath.h"
#include "gemm.h"
#include "layout.h"
#include "recurrence.h"
#include "output.h"
#include "probe.h"
RNNLM_KERNEL_TABLE("generic");
}  // namespace generic

#endif

const Kernels* choose() {
#if RNNLM_X86_VARIANTS
  __builtin_cpu_init();
  // widest first; each only where the CPU (and the OS, which must save its registers) supports it
  const Kernels* runnable[3] = {
      __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma") ? &avx512::table : nullptr,
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? &avx2::table : nullptr,
      &sse2::table,
  };
  const char* want = std::getenv("RNNLM_NATIVE_ISA");
  if (want)
    for (const Kernels* k : runnable)
      if (k && std::strcmp(k->isa, want) == 0) return k;
  for (const Kernels* k : runnable)
    if (k) return k;
  return &sse2::table;
#else
  return &generic::table;
#endif
}

}  // namespace

const Kernels& kernels() {
  static const Kernels* chosen = choose();
  return *chosen;
}

}  // namespace rnnlm
