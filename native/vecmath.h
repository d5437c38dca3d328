// Vectors and pointwise math for one instruction set. kernels.cc includes this file (with gemm.h, recurrence.h
// and output.h) once per variant, inside that variant's namespace and target, after defining L, the lanes of the
// variant's vector (16 for AVX-512, 8 for AVX2, 4 for SSE2 and the generic build). Hence no include guard and no
// system headers here. GCC's vector extensions lower to the variant's instructions: a v16 is one zmm register
// under AVX-512, two ymm under AVX2, four xmm under SSE2.
//
// exp (Cephes expf) and tanh to float32 precision, branch-free. sigmoid(x) = 1 / (1 + exp(-x)).

typedef float v16 __attribute__((vector_size(64)));
typedef float v8 __attribute__((vector_size(32)));
typedef float v4 __attribute__((vector_size(16)));
/** The variant's vector: L floats. */
typedef float V __attribute__((vector_size(4 * L)));

template <typename T> static RNNLM_INLINE T load(const float* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <typename T> static RNNLM_INLINE void store(float* p, T v) { std::memcpy(p, &v, sizeof(T)); }

/** The first n (<= L) floats at p in the low lanes, zeros above: a whole vector, or the tail of a row. */
static RNNLM_INLINE V loadn(const float* p, int n) {
  if (n == L) return load<V>(p);
  V v = {};
  for (int i = 0; i < n; i++) v[i] = p[i];
  return v;
}

/** Stores the low n (<= L) lanes of v at p. */
static RNNLM_INLINE void storen(float* p, V v, int n) {
  if (n == L) return store<V>(p, v);
  for (int i = 0; i < n; i++) p[i] = v[i];
}

/** f(j, n) over a row of H floats in vectors: n = L, then the tail (n < L). f inlines, so n is a constant in the body. */
template <typename F> static RNNLM_INLINE void for_chunks(int H, F f) {
  int j = 0;
  for (; j + L <= H; j += L) f(j, L);
  if (j < H) f(j, H - j);
}

// exp(x) = 2^n exp(r) with n = round(x / ln 2) and r = x - n ln 2 (ln 2 in two parts); exp(r) by a polynomial.
// Clamped to [-87.3, 88] (the float32 range). F is any float vector type.
template <typename F> static RNNLM_INLINE F exp_v(F x) {
  typedef decltype(x < x) I;  // the int vector of F's shape
  x = x < -87.3f ? F{} - 87.3f : x;
  x = x > 88.0f ? F{} + 88.0f : x;
  const F n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;  // round to nearest (1.5 * 2^23 trick)
  const I bits = (__builtin_convertvector(n, I) + 127) << 23;
  F p2;
  std::memcpy(&p2, &bits, sizeof(p2));
  x = x - n * 0.693359375f;
  x = x - n * -2.12194440e-4f;
  F y = F{} + 1.9875691500e-4f;
  y = y * x + 1.3981999507e-3f;
  y = y * x + 8.3334519073e-3f;
  y = y * x + 4.1665795894e-2f;
  y = y * x + 1.6666665459e-1f;
  y = y * x + 5.0000001201e-1f;
  return (y * (x * x) + x + 1.0f) * p2;
}

// tanh as Eigen's rational approximation: x P(x^2) / Q(x^2), clamped at |x| = 7.905 (where it reaches 1 in float32).
// No exp; error at most 2.8e-7 (largest just below the clamp, where tanh is within 3e-7 of 1).
template <typename F> static RNNLM_INLINE F tanh_v(F x) {
  const float c = 7.90531110763549805f;
  x = x < -c ? F{} - c : x;
  x = x > c ? F{} + c : x;
  const F x2 = x * x;
  F p = F{} - 2.76076847742355e-16f;
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  F q = F{} + 1.19825839466702e-06f;
  q = q * x2 + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  return x * p / q;
}

template <typename F> static RNNLM_INLINE F sigmoid_v(F x) { return 1.0f / (1.0f + exp_v(-x)); }

template <typename F> static RNNLM_INLINE F relu_v(F x) { return x > 0.0f ? x : F{}; }

// Horizontal sum and max of a v16 by halving (16 -> 8 -> 4 -> 1 lanes): a few dependent operations instead of 15.
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
