// See kernels.h. The same algorithms as asm/kernels.ts, with wider vectors and fused multiply-add where the
// machine has them (the compiler contracts a*b+c into FMA under -ffp-contract=fast).
#include "kernels.h"

#include <cmath>
#include <cstring>
#include <vector>

namespace rnnlm {

typedef float v16 __attribute__((vector_size(64)));
typedef float v8 __attribute__((vector_size(32)));
typedef float v4 __attribute__((vector_size(16)));

template <typename V> static inline V load(const float* p) { V v; std::memcpy(&v, p, sizeof(V)); return v; }
template <typename V> static inline void store(float* p, V v) { std::memcpy(p, &v, sizeof(V)); }

// One block of R rows x (W * lanes of V) columns: accumulators stay in registers across the k loop.
template <typename V, int R, int W>
static inline void block(float* out, const float* a, const float* b, int k, int m, int sai, int sap, int j) {
  constexpr int L = sizeof(V) / sizeof(float);
  V c[R][W];
  for (int r = 0; r < R; r++)
    for (int w = 0; w < W; w++) c[r][w] = load<V>(out + r * m + j + w * L);
  for (int p = 0; p < k; p++) {
    V bv[W];
    for (int w = 0; w < W; w++) bv[w] = load<V>(b + (long)p * m + j + w * L);
    for (int r = 0; r < R; r++) {
      const float x = a[(long)r * sai + (long)p * sap];
      for (int w = 0; w < W; w++) c[r][w] += x * bv[w];
    }
  }
  for (int r = 0; r < R; r++)
    for (int w = 0; w < W; w++) store<V>(out + r * m + j + w * L, c[r][w]);
}

template <int R>
static inline void rows(float* out, const float* a, const float* b, int k, int m, int sai, int sap) {
  int j = 0;
  for (; j + 32 <= m; j += 32) block<v16, R, 2>(out, a, b, k, m, sai, sap, j);
  for (; j + 16 <= m; j += 16) block<v16, R, 1>(out, a, b, k, m, sai, sap, j);
  for (; j + 8 <= m; j += 8) block<v8, R, 1>(out, a, b, k, m, sai, sap, j);
  for (; j + 4 <= m; j += 4) block<v4, R, 1>(out, a, b, k, m, sai, sap, j);
  for (; j < m; j++) {
    for (int r = 0; r < R; r++) {
      float s = 0;
      for (int p = 0; p < k; p++) s += a[(long)r * sai + (long)p * sap] * b[(long)p * m + j];
      out[r * m + j] += s;
    }
  }
}

void gemm(float* out, const float* a, const float* b, int n, int k, int m, int sai, int sap) {
  int i = 0;
  for (; i + 8 <= n; i += 8) rows<8>(out + (long)i * m, a + (long)i * sai, b, k, m, sai, sap);
  for (; i + 4 <= n; i += 4) rows<4>(out + (long)i * m, a + (long)i * sai, b, k, m, sai, sap);
  for (; i < n; i++) rows<1>(out + (long)i * m, a + (long)i * sai, b, k, m, sai, sap);
}

// exp (Cephes expf) and tanh to float32 precision, branch-free so that loops over arrays vectorise.
// exp(x) = 2^n exp(r) with n = round(x / ln 2) and r = x - n ln 2 (ln 2 in two parts); exp(r) by a polynomial.
// The reduction and polynomial are shared by the scalar and the 16-lane forms (F = float or v16).
template <typename F>
static inline F exp_reduced(F x, F n) {
  x = x - n * 0.693359375f;
  x = x - n * -2.12194440e-4f;
  F y = F{} + 1.9875691500e-4f;
  y = y * x + 1.3981999507e-3f;
  y = y * x + 8.3334519073e-3f;
  y = y * x + 4.1665795894e-2f;
  y = y * x + 1.6666665459e-1f;
  y = y * x + 5.0000001201e-1f;
  return y * (x * x) + x + 1.0f;
}

static inline float exp_approx(float x) {
  x = x < -87.3f ? -87.3f : (x > 88.0f ? 88.0f : x);
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;  // round to nearest (1.5 * 2^23 trick)
  const int32_t bits = ((int32_t)n + 127) << 23;
  float p2;
  std::memcpy(&p2, &bits, 4);
  return exp_reduced(x, n) * p2;
}

// tanh as Eigen's rational approximation: x P(x^2) / Q(x^2), clamped at |x| = 7.905 (where it reaches 1 in float32).
// No exp and no branch; error at most 2.8e-7 (largest just below the clamp, where tanh is within 3e-7 of 1).
static inline float tanh_approx(float x) {
  const float c = 7.90531110763549805f;
  x = x < -c ? -c : (x > c ? c : x);
  const float x2 = x * x;
  float p = -2.76076847742355e-16f;
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  float q = 1.19825839466702e-06f;
  q = q * x2 + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  return x * p / q;
}

// The same exp on 16 lanes, for row-wise softmax where a scalar loop would chain on its reductions.
typedef int32_t i16 __attribute__((vector_size(64)));
static inline v16 exp_v16(v16 x) {
  x = x < -87.3f ? v16{} - 87.3f : x;
  x = x > 88.0f ? v16{} + 88.0f : x;
  const v16 n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  const i16 bits = (__builtin_convertvector(n, i16) + 127) << 23;
  v16 p2;
  std::memcpy(&p2, &bits, sizeof(p2));
  return exp_reduced(x, n) * p2;
}

// Horizontal sum and max by halving (16 -> 8 -> 4 -> 1 lanes): a few dependent operations instead of 15.
static inline v4 fold(v16 v, bool max) {
  v8 lo, hi;
  std::memcpy(&lo, &v, 32);
  std::memcpy(&hi, reinterpret_cast<const char*>(&v) + 32, 32);
  const v8 s8 = max ? (lo > hi ? lo : hi) : lo + hi;
  v4 a, b;
  std::memcpy(&a, &s8, 16);
  std::memcpy(&b, reinterpret_cast<const char*>(&s8) + 16, 16);
  return max ? (a > b ? a : b) : a + b;
}

static inline float hsum(v16 v) {
  const v4 s = fold(v, false);
  return (s[0] + s[1]) + (s[2] + s[3]);
}

static inline float hmax(v16 v) {
  const v4 s = fold(v, true);
  const float x = s[0] > s[1] ? s[0] : s[1];
  const float y = s[2] > s[3] ? s[2] : s[3];
  return x > y ? x : y;
}

void exp_array(float* out, const float* x, int n) {
  for (int i = 0; i < n; i++) out[i] = exp_approx(x[i]);
}
void tanh_array(float* out, const float* x, int n) {
  for (int i = 0; i < n; i++) out[i] = tanh_approx(x[i]);
}

static void transpose(float* out, const float* x, int r, int c) {
  for (int i = 0; i < r; i++)
    for (int j = 0; j < c; j++) out[(long)j * r + i] = x[(long)i * c + j];
}

void rnn_forward(float* hs, const int32_t* tokens, const float* table, const float* whh, const float* bh, const float* h0,
                 int B, int T, int H, bool relu) {
  const long step = (long)B * H;
  for (int t = 0; t < T; t++) {
    float* cur = hs + t * step;
    const float* prev = t == 0 ? h0 : cur - step;
    for (int b = 0; b < B; b++) {
      const float* row = table + (long)tokens[(long)b * T + t] * H;
      float* z = cur + (long)b * H;
      for (int j = 0; j < H; j++) z[j] = row[j] + bh[j];
    }
    gemm(cur, prev, whh, B, H, H, H, 1);
    if (relu) {
      for (long i = 0; i < step; i++) cur[i] = cur[i] > 0 ? cur[i] : 0;
    } else {
      for (long i = 0; i < step; i++) cur[i] = tanh_approx(cur[i]);
    }
  }
}

void rnn_backward(float* dtable, float* dwhh, float* dbh, float* dh0, const float* dhs, const float* hs, const float* h0,
                  const int32_t* tokens, const float* whh, int B, int T, int H, bool relu) {
  const long step = (long)B * H;
  std::vector<float> dnext(step, 0.0f), dz(step), whhT((long)H * H);
  transpose(whhT.data(), whh, H, H);
  for (int t = T - 1; t >= 0; t--) {
    const float* cur = hs + t * step;
    const float* prev = t == 0 ? h0 : cur - step;
    const float* g = dhs + t * step;
    if (relu) {
      for (long i = 0; i < step; i++) dz[i] = cur[i] > 0 ? g[i] + dnext[i] : 0.0f;
    } else {
      for (long i = 0; i < step; i++) dz[i] = (g[i] + dnext[i]) * (1.0f - cur[i] * cur[i]);
    }
    for (int b = 0; b < B; b++) {
      const float* zb = dz.data() + (long)b * H;
      float* dt = dtable + (long)tokens[(long)b * T + t] * H;
      for (int j = 0; j < H; j++) {
        dbh[j] += zb[j];
        dt[j] += zb[j];
      }
    }
    gemm(dwhh, prev, dz.data(), H, B, H, 1, H);  // dwhh += prev^T dz
    std::fill(dnext.begin(), dnext.end(), 0.0f);
    gemm(dnext.data(), dz.data(), whhT.data(), B, H, H, H, 1);  // dnext = dz whh^T
  }
  std::memcpy(dh0, dnext.data(), step * sizeof(float));
}

double linear_cross_entropy(const float* hs, const float* whq, const float* bq, const int32_t* labels, int N, int H, int V,
                            float* dhs, float* dwhq, float* dbq, float grad_scale) {
  // The vocabulary is padded to a multiple of 16 columns so that every product runs on full vector blocks:
  // padded weights are 0 and padded biases -1e30, so padded logits add exp(-87.3) ~ 1e-38 to each row's sum
  // (nothing, at float32 precision next to the sum's >= 1) and their gradients are dropped.
  const int CHUNK = 256;  // rows of logits kept at once
  const int P = (V + 15) & ~15;
  std::vector<float> z((long)CHUNK * P), wp((long)H * P, 0.0f), bp(P, -1e30f), wpT((long)P * H, 0.0f), dw, db(P, 0.0f);
  for (int j = 0; j < H; j++) std::memcpy(wp.data() + (long)j * P, whq + (long)j * V, V * sizeof(float));
  std::memcpy(bp.data(), bq, V * sizeof(float));
  if (dhs) {
    transpose(wpT.data(), wp.data(), H, P);
    dw.assign((long)H * P, 0.0f);
  }
  double loss = 0;
  for (int r0 = 0; r0 < N; r0 += CHUNK) {
    const int rows = N - r0 < CHUNK ? N - r0 : CHUNK;
    for (int r = 0; r < rows; r++) std::memcpy(z.data() + (long)r * P, bp.data(), P * sizeof(float));
    const float* hc = hs + (long)r0 * H;
    gemm(z.data(), hc, wp.data(), rows, H, P, H, 1);
    for (int r = 0; r < rows; r++) {
      // one row of P logits as P/16 vectors; padded logits are -1e30, so they change neither max nor sum
      float* zr = z.data() + (long)r * P;
      v16 m = load<v16>(zr);
      for (int c = 16; c < P; c += 16) { v16 t = load<v16>(zr + c); m = t > m ? t : m; }
      const float mx = hmax(m);
      const int y = labels[r0 + r];
      const float zy = zr[y];
      v16 s = {};
      for (int c = 0; c < P; c += 16) {
        const v16 e = exp_v16(load<v16>(zr + c) - mx);
        store<v16>(zr + c, e);
        s += e;
      }
      const float sum = hsum(s);
      loss += (double)std::log(sum) + mx - zy;
      if (dhs) {
        const float inv = grad_scale / sum;
        for (int c = 0; c < P; c += 16) {
          const v16 g = load<v16>(zr + c) * inv;
          store<v16>(zr + c, g);
          store<v16>(db.data() + c, load<v16>(db.data() + c) + g);
        }
        zr[y] -= grad_scale;
        db[y] -= grad_scale;
      }
    }
    if (dhs) {
      gemm(dw.data(), hc, z.data(), H, rows, P, 1, H);  // dwhq += hs^T dz
      float* dc = dhs + (long)r0 * H;
      std::memset(dc, 0, (long)rows * H * sizeof(float));
      gemm(dc, z.data(), wpT.data(), rows, P, H, P, 1);  // dhs = dz whq^T (padded rows of whq^T are 0)
    }
  }
  if (dhs) {
    for (int j = 0; j < H; j++)
      for (int v = 0; v < V; v++) dwhq[(long)j * V + v] += dw[(long)j * P + v];
    for (int v = 0; v < V; v++) dbq[v] += db[v];
  }
  return loss;
}

}  // namespace rnnlm
