// Native float32 kernels: the fast twins of src/backend/reference.ts (and of asm/kernels.ts), for Node.
// Letters: B batch, T steps, H hidden, V vocabulary, N rows. Outputs first, sizes last; d* arrays that a
// kernel "accumulates" are added to. Written so that GCC vectorises them for the machine it is built on
// (-O3 -march=native): register-blocked matrix products with vector extensions, branch-free exp and tanh.
#pragma once
#include <cstdint>

namespace rnnlm {

/** out (n,m) += A (n,k) @ b (k,m), where A(i,p) = a[i*sai + p*sap] and b is row-major. */
void gemm(float* out, const float* a, const float* b, int n, int k, int m, int sai, int sap);

/** hs (T,B,H) = act(table[tokens[b,t]] + hs[t-1] @ whh + bh), hs[-1] = h0 (B,H); tokens (B,T). */
void rnn_forward(float* hs, const int32_t* tokens, const float* table, const float* whh, const float* bh, const float* h0,
                 int B, int T, int H, bool relu);

/** Backprop through time: accumulates dtable (V,H), dwhh (H,H), dbh (H); writes dh0 (B,H); dhs (T,B,H) read only. */
void rnn_backward(float* dtable, float* dwhh, float* dbh, float* dh0, const float* dhs, const float* hs, const float* h0,
                  const int32_t* tokens, const float* whh, int B, int T, int H, bool relu);

/** sum over rows of cross-entropy of hs @ whq + bq; with dhs: writes dhs, accumulates dwhq, dbq (all times grad_scale). */
double linear_cross_entropy(const float* hs, const float* whq, const float* bq, const int32_t* labels, int N, int H, int V,
                            float* dhs, float* dwhq, float* dbq, float grad_scale);

void exp_array(float* out, const float* x, int n);
void tanh_array(float* out, const float* x, int n);

}  // namespace rnnlm
