// The register-blocked matrix product, for one instruction set (included per variant by kernels.cc, after
// vecmath.h and the variant's GEMM_ROWS and GEMM_COLS). A block of GEMM_ROWS rows x GEMM_COLS vectors of the
// output stays in registers across the whole k loop: each step loads GEMM_COLS vectors of b, broadcasts GEMM_ROWS
// values of a and does GEMM_ROWS*GEMM_COLS fused multiply-adds (the compiler contracts a*b+c under
// -ffp-contract=fast). Narrower blocks take the column and row tails.

typedef std::ptrdiff_t idx;

/**
 * The k loop of one block: c[r][w] += sum_p A(r,p) b[p*ldb + w*cs .. + lanes), A(r,p) = a[r*sai + p*sap]. The W
 * vectors of a row are cs floats apart: cs = lanes for W adjacent vectors, or one gate block apart (recurrence.h).
 */
template <typename T, int R, int W>
static RNNLM_INLINE void block_k(T (&c)[R][W], const float* a, idx sai, idx sap, const float* b, idx ldb, idx cs, int k) {
  for (int p = 0; p < k; p++) {
    T bv[W];
    for (int w = 0; w < W; w++) bv[w] = load<T>(b + p * ldb + w * cs);
    for (int r = 0; r < R; r++) {
      const float x = a[r * sai + p * sap];
      for (int w = 0; w < W; w++) c[r][w] += x * bv[w];
    }
  }
}

template <typename T, int R, int W>
static inline void gemm_block(float* out, idx ldo, const float* a, idx sai, idx sap, const float* b, idx ldb, int k) {
  constexpr int LT = sizeof(T) / sizeof(float);
  T c[R][W];
  for (int r = 0; r < R; r++)
    for (int w = 0; w < W; w++) c[r][w] = load<T>(out + r * ldo + w * LT);
  block_k<T, R, W>(c, a, sai, sap, b, ldb, LT, k);
  for (int r = 0; r < R; r++)
    for (int w = 0; w < W; w++) store<T>(out + r * ldo + w * LT, c[r][w]);
}

template <int R>
static inline void gemm_rows(float* out, idx ldo, const float* a, idx sai, idx sap, const float* b, idx ldb, int k, int m) {
  int j = 0;
  for (; j + GEMM_COLS * L <= m; j += GEMM_COLS * L) gemm_block<V, R, GEMM_COLS>(out + j, ldo, a, sai, sap, b + j, ldb, k);
  for (; j + L <= m; j += L) gemm_block<V, R, 1>(out + j, ldo, a, sai, sap, b + j, ldb, k);
  if (L > 8)
    for (; j + 8 <= m; j += 8) gemm_block<v8, R, 1>(out + j, ldo, a, sai, sap, b + j, ldb, k);
  if (L > 4)
    for (; j + 4 <= m; j += 4) gemm_block<v4, R, 1>(out + j, ldo, a, sai, sap, b + j, ldb, k);
  for (; j < m; j++) {
    for (int r = 0; r < R; r++) {
      float s = 0;
      for (int p = 0; p < k; p++) s += a[r * sai + p * sap] * b[p * ldb + j];
      out[r * ldo + j] += s;
    }
  }
}

/**
 * out (n,m) += A (n,k) @ b (k,m), where A(i,p) = a[i*sai + p*sap] (so a^T by swapping the strides), b has row stride
 * ldb and out row stride ldo: sub-blocks of larger matrices need no copies.
 */
static void gemm_ld(float* out, idx ldo, const float* a, idx sai, idx sap, const float* b, idx ldb, int n, int k, int m) {
  int i = 0;
  for (; i + GEMM_ROWS <= n; i += GEMM_ROWS) gemm_rows<GEMM_ROWS>(out + i * ldo, ldo, a + i * sai, sai, sap, b, ldb, k, m);
  if (GEMM_ROWS > 4)
    for (; i + 4 <= n; i += 4) gemm_rows<4>(out + i * ldo, ldo, a + i * sai, sai, sap, b, ldb, k, m);
  for (; i < n; i++) gemm_rows<1>(out + i * ldo, ldo, a + i * sai, sai, sap, b, ldb, k, m);
}

/** out (n,m) += A (n,k) @ b (k,m), all dense: the matmul kernel. */
static void gemm(float* out, const float* a, const float* b, int n, int k, int m, int sai, int sap) {
  gemm_ld(out, m, a, sai, sap, b, m, n, k, m);
}

// Products fused with what consumes them: the accumulators start from init and go to fin without a round trip
// through memory (the recurrence's gate math runs on them while they are in registers).

/** One block of gemm_fused: R rows x W vectors from column j. */
template <int R, int W, typename Init, typename Fin>
static RNNLM_INLINE void fused_block(int i, int j, const float* a, idx sai, idx sap, const float* b, idx ldb, int k, Init& init,
                                     Fin& fin) {
  V c[R][W];
  for (int r = 0; r < R; r++)
    for (int w = 0; w < W; w++) c[r][w] = init(i + r, j + w * L);
  block_k<V, R, W>(c, a + i * sai, sai, sap, b + j, ldb, L, k);
  for (int r = 0; r < R; r++)
    for (int w = 0; w < W; w++) fin(i + r, j + w * L, c[r][w]);
}

template <int R, typename Init, typename Fin>
static RNNLM_INLINE void fused_row_block(int i, int m, const float* a, idx sai, idx sap, const float* b, idx ldb, int k,
                                         Init& init, Fin& fin) {
  int j = 0;
  for (; j + GEMM_COLS * L <= m; j += GEMM_COLS * L) fused_block<R, GEMM_COLS>(i, j, a, sai, sap, b, ldb, k, init, fin);
  for (; j < m; j += L) fused_block<R, 1>(i, j, a, sai, sap, b, ldb, k, init, fin);
}

/**
 * For each row i < n and each column vector j (a multiple of L below m, itself a multiple of L):
 * c = init(i, j) + sum_p A(i,p) b[p*ldb + j ..], then fin(i, j, c). Blocks of GEMM_ROWS rows x GEMM_COLS vectors.
 */
template <typename Init, typename Fin>
static inline void gemm_fused(int n, int m, const float* a, idx sai, idx sap, const float* b, idx ldb, int k, Init init, Fin fin) {
  int i = 0;
  for (; i + GEMM_ROWS <= n; i += GEMM_ROWS) fused_row_block<GEMM_ROWS>(i, m, a, sai, sap, b, ldb, k, init, fin);
  for (; i < n; i++) fused_row_block<1>(i, m, a, sai, sap, b, ldb, k, init, fin);
}

/** One block of gemm_gates: R rows x the G gate vectors at lane offset j. */
template <int G, int R, typename Init, typename Fin>
static RNNLM_INLINE void gates_block(int i, int j, int Hp, const float* a, idx sai, idx sap, const float* b, idx ldb, int k,
                                     Init& init, Fin& fin) {
  V c[R][G];
  for (int r = 0; r < R; r++)
    for (int g = 0; g < G; g++) c[r][g] = init(i + r, j, g);
  block_k<V, R, G>(c, a + i * sai, sai, sap, b + j, ldb, Hp, k);
  for (int r = 0; r < R; r++) fin(i + r, j, c[r]);
}

/**
 * The product for G gate blocks at once: for each row i < n and each lane offset j (a multiple of L below Hp), the
 * G vectors c[g] = init(i, j, g) + sum_p A(i,p) b[p*ldb + g*Hp + j ..] (column j of every gate), then fin(i, j, c):
 * a row's gates for the same hidden units together, as the cell's pointwise math needs them.
 */
template <int G, typename Init, typename Fin>
static inline void gemm_gates(int n, int Hp, const float* a, idx sai, idx sap, const float* b, idx ldb, int k, Init init, Fin fin) {
  // as many rows as keep GEMM_ROWS * GEMM_COLS accumulators
  constexpr int R = GEMM_ROWS * GEMM_COLS / G > 0 ? GEMM_ROWS * GEMM_COLS / G : 1;
  int i = 0;
  for (; i + R <= n; i += R)
    for (int j = 0; j < Hp; j += L) gates_block<G, R>(i, j, Hp, a, sai, sap, b, ldb, k, init, fin);
  for (; i < n; i++)
    for (int j = 0; j < Hp; j += L) gates_block<G, 1>(i, j, Hp, a, sai, sap, b, ldb, k, init, fin);
}
