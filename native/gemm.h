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
 * One row, out (m) += sum_p A(p) b[p*ldb ..], walking b by rows with the output row in cache: the rows a block
 * leaves (all of them at n = 1, generation's matrix-vector products). A block walks b by column strips, down all k
 * rows and back for the next strip, which at n = 1 reads every line of b in an order the cache and the TLB serve
 * badly (4 MB of W_h at H = 512). Each output vector adds its terms one at a time in the order of p, starting from
 * its value in out, as a block's accumulator does (the same fused multiply-adds), so the sums are the same floats
 * (checked bit for bit for every cell's forward and backward at batches 1-9 when this was written; the last m mod L
 * columns of a plain product may differ from the block path's in the last bit).
 */
static void stream_row(float* out, const float* a, idx sap, const float* b, idx ldb, int k, int m) {
  const int mv = m / L * L;
  int p = 0;
  for (; p + 4 <= k; p += 4) {
    const float x0 = a[p * sap], x1 = a[(p + 1) * sap], x2 = a[(p + 2) * sap], x3 = a[(p + 3) * sap];
    const float* b0 = b + p * ldb;
    for (int j = 0; j < mv; j += L) {
      V c = load<V>(out + j);
      c += x0 * load<V>(b0 + j);
      c += x1 * load<V>(b0 + ldb + j);
      c += x2 * load<V>(b0 + 2 * ldb + j);
      c += x3 * load<V>(b0 + 3 * ldb + j);
      store<V>(out + j, c);
    }
  }
  for (; p < k; p++) {
    const float x = a[p * sap];
    const float* bp = b + p * ldb;
    for (int j = 0; j < mv; j += L) store<V>(out + j, load<V>(out + j) + x * load<V>(bp + j));
  }
  // the last columns as gemm_rows<1> does them (narrower vectors, then a float at a time): the same floats again
  if (mv < m) gemm_rows<1>(out + mv, 0, a, 0, sap, b + mv, ldb, k, m - mv);
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
  for (; i < n; i++) stream_row(out + i * ldo, a + i * sai, sap, b, ldb, k, m);
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
  if (i < n) {
    Floats acc(m, false);
    for (; i < n; i++) {
      for (int j = 0; j < m; j += L) store<V>(acc + j, init(i, j));
      stream_row(acc, a + i * sai, sap, b, ldb, k, m);
      for (int j = 0; j < m; j += L) fin(i, j, load<V>(acc + j));
    }
  }
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
  if (i < n) {
    // the rows left (all of them at batch 1: generation) by rows of b, the G gate blocks side by side as in b
    Floats acc((idx)G * Hp, false);
    for (; i < n; i++) {
      for (int g = 0; g < G; g++)
        for (int j = 0; j < Hp; j += L) store<V>(acc + g * Hp + j, init(i, j, g));
      stream_row(acc, a + i * sai, sap, b, ldb, k, G * Hp);
      for (int j = 0; j < Hp; j += L) {
        V c[G];
        for (int g = 0; g < G; g++) c[g] = load<V>(acc + g * Hp + j);
        fin(i, j, c);
      }
    }
  }
}
