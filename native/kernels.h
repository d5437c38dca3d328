// The native float32 kernels: the fast twins of src/backend/reference.ts and reference-recurrence.ts (and of the
// WebAssembly kernels), for Node. Letters: B batch, T steps, H hidden, G gate blocks, S saved blocks, V vocabulary,
// N rows, W row width (contracts.h has G and S by cell). Outputs first, sizes last; d* arrays that a kernel
// "accumulates" are added to, every other output is overwritten.
//
// The kernels are compiled once per instruction set (kernels.cc: AVX-512, AVX2 and baseline SSE2 on x86-64, one
// generic version elsewhere) and kernels() picks the widest this CPU runs, once. So a build copied to another
// machine of the same architecture runs there (no -march=native). Sizes are trusted: binding.cc checks them
// against the arrays before calling.
#pragma once
#include <cstdint>

namespace rnnlm {

struct Kernels {
  /** The variant: "avx512", "avx2", "sse2" or "generic". */
  const char* isa;

  /** out (n,m) += A (n,k) @ B (k,m), where A(i,p) = a[i*sai + p*sap] and B(p,j) = b[p*sbp + j*sbj] (b^T: swap them). */
  void (*gemm)(float* out, const float* a, const float* b, int n, int k, int m, int sai, int sap, int sbp, int sbj);

  /** out (cols,rows) = a^T for a (rows,cols) (layout.h). */
  void (*transpose)(float* out, const float* a, int rows, int cols);

  /** out (N,W): out[i,:] = table[indices[i],:]. */
  void (*gather_rows)(float* out, const float* table, const int32_t* indices, int N, int W);

  /** dtable[indices[i],:] += g[i,:] for i < N; g (N,W). */
  void (*scatter_add_rows)(float* dtable, const float* g, const int32_t* indices, int N, int W);

  /**
   * All steps of a recurrent layer: per step hw = hs[t-1] @ wh + bh (hs[-1] = h0), then the cell's gate math on xw[t]
   * and hw. Writes hs (T,B,H) and saved (T,B,S*H); xw (T,B,G*H); wh (H,G*H); bh (G*H); h0 (B,H); c0 (B,H), LSTM only.
   */
  void (*recurrence_forward)(float* hs, float* saved, const float* xw, const float* wh, const float* bh, const float* h0,
                             const float* c0, int B, int T, int H, int cell);

  /**
   * Backprop through time for recurrence_forward. dhs (T,B,H) read only. Writes dxw (T,B,G*H), dh0 (B,H) and, for the
   * LSTM, dc0 (B,H); accumulates dwh (H,G*H) and dbh (G*H).
   */
  void (*recurrence_backward)(float* dxw, float* dwh, float* dbh, float* dh0, float* dc0, const float* dhs, const float* hs,
                              const float* saved, const float* h0, const float* c0, const float* wh, int B, int T, int H,
                              int cell);

  /**
   * sum over rows of the cross-entropy of hs @ whq + bq against labels; with dhs (else all three null): writes dhs,
   * accumulates dwhq and dbq, all times grad_scale. hs (N,H); whq (H,V); bq (V); labels (N), each below V.
   */
  double (*linear_cross_entropy)(const float* hs, const float* whq, const float* bq, const int32_t* labels, int N, int H,
                                 int V, float* dhs, float* dwhq, float* dbq, float grad_scale);

  /** out[i] = exp(x[i]), tanh(x[i]) for i < n: the approximations every kernel uses. */
  void (*exp_array)(float* out, const float* x, int n);
  void (*tanh_array)(float* out, const float* x, int n);

  /** The FMA probe: fma_loop(n) does n * probe_flops floating-point operations on independent vector chains. */
  int probe_flops;
  float (*fma_loop)(long iterations);
};

/**
 * The kernels for this CPU, chosen at the first call: the widest variant it supports. The environment variable
 * RNNLM_NATIVE_ISA=avx2|sse2 asks for a narrower one (to test or compare variants on one machine); a name this CPU
 * cannot run, or that was not built, is ignored. kernels().isa says which runs.
 */
const Kernels& kernels();

}  // namespace rnnlm
