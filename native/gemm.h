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

// The packed product (the way BLIS, oneDNN and tinyBLAS are built), for the large products of training: the input
// projection of all steps, its gradients, and the recurrent weight's gradient. Unpacked, a block walks b down all k
// rows for every GEMM_ROWS rows of A: with k = 32,768 (dW_x = X^T dXW) that is the whole of b, 128 MB, once per 8
// rows, from memory, and rows of b 4 KB apart fall in the same cache sets. Packed, a KC x NR panel of b is
// contiguous and stays in L1 while every MR-row panel of A (an MC x KC block, in L2) passes over it; each is
// copied once per block, and the copies read their sources in order.
//
// Each output element still sums its k terms in the order of p, from its value in out, by the same fused
// multiply-adds as gemm_block: the same floats as the unpacked path (except that a row's last m mod L columns go
// through whole, zero-padded vectors here, as gemm_block's columns do, where gemm_rows takes them narrower).

/** The register tile (MR rows x NR columns) and the cache blocks: KC x NR floats of b (32 KB at AVX-512) in L1, MC x KC of A in L2. */
constexpr int MR = GEMM_ROWS, NR = GEMM_COLS * L, KC = 256, MC = 256 / MR * MR, NC = NR * 64;

/**
 * dst: panels W wide of the matrix M(p, j) = src[p*sp + j*sj] for p < kc, j < n, each kc x W floats, p major (zeros
 * past n). b's panels are its column strips (W = NR); A's are its row strips read as A^T (W = MR, the strides swapped).
 */
template <int W> static void pack_panels(float* dst, const float* src, idx sp, idx sj, int kc, int n) {
  for (int j0 = 0; j0 < n; j0 += W) {
    const int w = n - j0 < W ? n - j0 : W;
    float* d = dst + (idx)j0 * kc;
    for (int p = 0; p < kc; p++, d += W) {
      const float* s = src + p * sp + j0 * sj;
      if (sj == 1) std::memcpy(d, s, w * sizeof(float));
      else
        for (int x = 0; x < w; x++) d[x] = s[x * sj];
      for (int x = w; x < W; x++) d[x] = 0;
    }
  }
}

/** bp: the panels of B(p, j) = b[p*sbp + j*sbj] for p < kc, j < nc, each kc x NR floats (zeros past nc). */
static void pack_b(float* bp, const float* b, idx sbp, idx sbj, int kc, int nc) { pack_panels<NR>(bp, b, sbp, sbj, kc, nc); }

/** ap: the panels of A(i, p) = a[i*sai + p*sap] for i < mc, p < kc, each kc x MR floats, p major (zeros past mc). */
static void pack_a(float* ap, const float* a, idx sai, idx sap, int mc, int kc) { pack_panels<MR>(ap, a, sap, sai, kc, mc); }

/** out's rows x cols tile (at most MR x NR) += panel ap @ panel bp; a partial tile goes through a whole one on the stack. */
static RNNLM_INLINE void packed_tile(float* out, idx ldo, const float* ap, const float* bp, int kc, int rows, int cols) {
  if (rows == MR && cols == NR) return gemm_block<V, MR, GEMM_COLS>(out, ldo, ap, 1, MR, bp, NR, kc);
  alignas(64) float tile[MR * NR] = {};
  for (int r = 0; r < rows; r++) std::memcpy(tile + r * NR, out + r * ldo, cols * sizeof(float));
  gemm_block<V, MR, GEMM_COLS>(tile, NR, ap, 1, MR, bp, NR, kc);
  for (int r = 0; r < rows; r++) std::memcpy(out + r * ldo, tile + r * NR, cols * sizeof(float));
}

/** out (n,m) += A (n,k) @ B (k,m), A(i,p) = a[i*sai + p*sap], B(p,j) = b[p*sbp + j*sbj], through packed blocks of B. */
static void gemm_packed_blocks(float* out, idx ldo, const float* a, idx sai, idx sap, const float* b, idx sbp, idx sbj, int n, int k, int m) {
  const int kmax = k < KC ? k : KC;
  Floats bp((idx)kmax * (m < NC ? (m + NR - 1) / NR * NR : NC), false), ap((idx)kmax * (n < MC ? (n + MR - 1) / MR * MR : MC), false);
  for (int jc = 0; jc < m; jc += NC) {
    const int nc = m - jc < NC ? m - jc : NC;
    for (int pc = 0; pc < k; pc += KC) {
      const int kc = k - pc < KC ? k - pc : KC;
      pack_b(bp, b + pc * sbp + jc * sbj, sbp, sbj, kc, nc);
      for (int ic = 0; ic < n; ic += MC) {
        const int mc = n - ic < MC ? n - ic : MC;
        pack_a(ap, a + ic * sai + pc * sap, sai, sap, mc, kc);
        for (int jr = 0; jr < nc; jr += NR)
          for (int ir = 0; ir < mc; ir += MR)
            packed_tile(out + (ic + ir) * ldo + jc + jr, ldo, ap + (idx)ir * kc, bp + (idx)jr * kc, kc, mc - ir < MR ? mc - ir : MR,
                        nc - jr < NR ? nc - jr : NR);
      }
    }
  }
}

/** A team of one part: a kernel that shares its work out (the team's parts) run whole on the calling thread. */
static const Team ONE_PART = {0, 1, nullptr};

/**
 * pack_b's panels shared out among a team's parts, round robin counting from unit (the count after them is
 * returned, so that a caller packing several blocks keeps counting); the caller meets the parts (team.sync) before
 * any reads them. The same floats in the same places as pack_b.
 */
static int pack_b_shared(float* bp, const float* b, idx sbp, idx sbj, int kc, int nc, const Team& team, int unit = 0) {
  for (int jr = 0; jr < nc; jr += NR, unit++)
    if (unit % team.parts == team.part) pack_b(bp + (idx)jr * kc, b + jr * sbj, sbp, sbj, kc, nc - jr < NR ? nc - jr : NR);
  return unit;
}

/**
 * B (k,m) packed once for many products (the output layer's weights, read by every block of rows): the panels of
 * every (column block, k block) in gemm_packed's order, each kc x NR floats per panel, zeros past m. Its size in
 * floats is prepacked_floats(k, m). A team's parts share the panels out (pack_b_shared).
 */
static inline idx prepacked_floats(int k, int m) { return (idx)k * ((m + NR - 1) / NR * NR); }
static void prepack_b(float* bk, const float* b, idx sbp, idx sbj, int k, int m, const Team& team = ONE_PART) {
  int unit = 0;
  for (int jc = 0; jc < m; jc += NC) {
    const int nc = m - jc < NC ? m - jc : NC;
    for (int pc = 0; pc < k; pc += KC) {
      const int kc = k - pc < KC ? k - pc : KC;
      unit = pack_b_shared(bk, b + pc * sbp + jc * sbj, sbp, sbj, kc, nc, team, unit);
      bk += (idx)kc * ((nc + NR - 1) / NR * NR);
    }
  }
}

/**
 * out (n,m) += A (n,k) @ B, B prepacked by prepack_b(k, m): gemm_packed without packing B. Any n, down to one row
 * (partial tiles go through whole ones), and each element sums its terms as gemm_packed's do, so a product split
 * into calls on row ranges that start on whole MR tiles gives the same floats as one call.
 */
static void gemm_prepacked(float* out, idx ldo, const float* a, idx sai, idx sap, const float* bk, int n, int k, int m) {
  const int kmax = k < KC ? k : KC;
  Floats ap((idx)kmax * (n < MC ? (n + MR - 1) / MR * MR : MC), false);
  for (int jc = 0; jc < m; jc += NC) {
    const int nc = m - jc < NC ? m - jc : NC;
    const idx ncp = (nc + NR - 1) / NR * NR;
    // each block of MC rows takes every k block in turn, so that its rows of out (MC x nc) stay in L2 across k
    // instead of passing through memory once per k block (dX = dXW W_x^T: k = 4H, out 32 MB at H = 256)
    for (int ic = 0; ic < n; ic += MC) {
      const int mc = n - ic < MC ? n - ic : MC;
      const float* bkc = bk;
      for (int pc = 0; pc < k; pc += KC) {
        const int kc = k - pc < KC ? k - pc : KC;
        pack_a(ap, a + ic * sai + pc * sap, sai, sap, mc, kc);
        for (int jr = 0; jr < nc; jr += NR)
          for (int ir = 0; ir < mc; ir += MR)
            packed_tile(out + (ic + ir) * ldo + jc + jr, ldo, ap + (idx)ir * kc, bkc + (idx)jr * kc, kc, mc - ir < MR ? mc - ir : MR,
                        nc - jr < NR ? nc - jr : NR);
        bkc += (idx)kc * ncp;
      }
    }
    bk += (idx)k * ncp;
  }
}

/**
 * B's floats up to which gemm_packed packs it whole first (4 MB: a weight matrix, as in dX = dXW W_x^T), so that
 * each block of out's rows stays in L2 across the k blocks (gemm_prepacked); a larger B (dW_x's dXW, 128 MB) is
 * packed a KC x NC block at a time. Both sum each element's terms in the same order: the same floats.
 */
constexpr idx PACK_WHOLE_B = 1 << 20;

/** Whether gemm_packed packs a B (k,m) whole first (more than one k block, and at most PACK_WHOLE_B floats). */
static inline bool packs_whole(int k, int m) { return k > KC && prepacked_floats(k, m) <= PACK_WHOLE_B; }

/** out (n,m) += A (n,k) @ B (k,m), A(i,p) = a[i*sai + p*sap], B(p,j) = b[p*sbp + j*sbj], through packed panels. */
static void gemm_packed(float* out, idx ldo, const float* a, idx sai, idx sap, const float* b, idx sbp, idx sbj, int n, int k, int m) {
  if (!packs_whole(k, m)) return gemm_packed_blocks(out, ldo, a, sai, sap, b, sbp, sbj, n, k, m);
  Floats bk(prepacked_floats(k, m), false);
  prepack_b(bk, b, sbp, sbj, k, m);
  gemm_prepacked(out, ldo, a, sai, sap, bk, n, k, m);
}

/** Whether a product is large enough that packing pays: many row tiles, and a b that does not stay in L1. */
static inline bool worth_packing(int n, int k, int m) { return n >= 4 * MR && (idx)k * m >= 64 * 1024; }

/** gemm_ld without packing: GEMM_ROWS rows at a time, then 4, then single rows streamed. */
static void gemm_unpacked(float* out, idx ldo, const float* a, idx sai, idx sap, const float* b, idx ldb, int n, int k, int m) {
  int i = 0;
  for (; i + GEMM_ROWS <= n; i += GEMM_ROWS) gemm_rows<GEMM_ROWS>(out + i * ldo, ldo, a + i * sai, sai, sap, b, ldb, k, m);
  if (GEMM_ROWS > 4)
    for (; i + 4 <= n; i += 4) gemm_rows<4>(out + i * ldo, ldo, a + i * sai, sai, sap, b, ldb, k, m);
  for (; i < n; i++) stream_row(out + i * ldo, a + i * sai, sap, b, ldb, k, m);
}

/**
 * out (n,m) += A (n,k) @ b (k,m), where A(i,p) = a[i*sai + p*sap] (so a^T by swapping the strides), b has row stride
 * ldb and out row stride ldo: sub-blocks of larger matrices need no copies.
 */
static void gemm_ld(float* out, idx ldo, const float* a, idx sai, idx sap, const float* b, idx ldb, int n, int k, int m) {
  if (worth_packing(n, k, m)) return gemm_packed(out, ldo, a, sai, sap, b, ldb, 1, n, k, m);
  gemm_unpacked(out, ldo, a, sai, sap, b, ldb, n, k, m);
}

// Threads (threads.h). A product is split into parts by whole row tiles (MR) where it has at least as many rows as
// columns, else by whole panels of its output columns (NR) when there are enough for every part (else by rows); each
// part runs the same code on its block, and every element sums its terms in the same order from its value in out
// whichever path its part takes (packed or not, B packed whole or by blocks), so it is the same float whatever the
// number of threads.

/** Multiply-adds a part must have to be worth a thread: ~25 us of work, beside a few us to wake and meet. */
constexpr double PART_WORK = 2 * 1024 * 1024;

/** Parts for work multiply-adds: one per kernel thread, each with at least PART_WORK, and at most most. */
static inline int parts_for(double work, int most) {
  int parts = kernel_threads();
  if (parts > most) parts = most;
  if (parts > work / PART_WORK) parts = static_cast<int>(work / PART_WORK);
  return parts < 1 ? 1 : parts;
}

/** A part's share [lo, hi) of total items, in whole units of unit items (the last unit may be partial). */
struct Share {
  int lo, hi;
};
static inline Share share(int total, int unit, const Team& team) {
  const long units = (total + unit - 1) / unit;
  const int lo = static_cast<int>(units * team.part / team.parts) * unit, hi = static_cast<int>(units * (team.part + 1) / team.parts) * unit;
  return {lo < total ? lo : total, hi < total ? hi : total};
}

/**
 * out (n,m) += A (n,k) @ B (k,m), out dense: the matmul kernel, split over the kernel threads. B(p,j) = b[p*sbp +
 * j*sbj]: a transposed b (sbj > 1) goes through the packed product, whose packing reads any strides (no transposed
 * copy of b first).
 */
static void gemm(float* out, const float* a, const float* b, int n, int k, int m, int sai, int sap, int sbp, int sbj) {
  const bool packed = sbj != 1 || worth_packing(n, k, m);
  auto block = [&](int r0, int r1, int c0, int c1) {
    float* o = out + (idx)r0 * m + c0;
    const float *ar = a + (idx)r0 * sai, *bc = b + (idx)c0 * sbj;
    if (packed) gemm_packed(o, m, ar, sai, sap, bc, sbp, sbj, r1 - r0, k, c1 - c0);
    else gemm_unpacked(o, m, ar, sai, sap, bc, sbp, r1 - r0, k, c1 - c0);
  };
  const int panels = (m + NR - 1) / NR, tiles = (n + MR - 1) / MR;
  const int parts = parts_for((double)n * k * m, panels > tiles ? panels : tiles);
  if (parts == 1) return block(0, n, 0, m);
  // split the larger operand: by columns each part reads all of A, by rows all of B (X W_x and dX = dXW W_x^T, A
  // 32,768 rows against a weight: rows; dW_x = X^T dXW, B the 32,768 rows: columns). By rows, a B that gemm_packed
  // would pack whole (up to PACK_WHOLE_B) is packed once, into the calling thread's arena, the parts sharing out its
  // panels and then all reading it: before, each part packed all of it into its own arena (4 MB a thread at H =
  // 512), so that memory grew with the threads and every thread repeated the same packing
  const bool by_columns = m >= parts * NR && n < m;
  const bool shared_b = packed && !by_columns && packs_whole(k, m);
  Floats bk(shared_b ? prepacked_floats(k, m) : 0, false);
  auto part = [&](const Team& team) {
    if (by_columns) {
      const Share c = share(m, NR, team);
      if (c.lo < c.hi) block(0, n, c.lo, c.hi);
    } else if (shared_b) {
      prepack_b(bk, b, sbp, sbj, k, m, team);
      team.sync();  // B whole before any part reads it
      const Share r = share(n, MR, team);
      if (r.lo < r.hi) gemm_prepacked(out + (idx)r.lo * m, m, a + (idx)r.lo * sai, sai, sap, bk, r.hi - r.lo, k, m);
    } else {
      const Share r = share(n, MR, team);
      if (r.lo < r.hi) block(r.lo, r.hi, 0, m);
    }
  };
  parallel(parts, part);
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

/**
 * One block of gemm_gates: R rows x the G gate vectors at lane offset j, whose k rows start at bj, ldb floats apart,
 * the gates cs floats apart (Hp in W_h itself; L in a packed panel).
 */
template <int G, int R, typename Init, typename Fin>
static RNNLM_INLINE void gates_block(int i, int j, const float* a, idx sai, idx sap, const float* bj, idx ldb, idx cs, int k,
                                     Init& init, Fin& fin) {
  V c[R][G];
  for (int r = 0; r < R; r++)
    for (int g = 0; g < G; g++) c[r][g] = init(i + r, j, g);
  block_k<V, R, G>(c, a + i * sai, sai, sap, bj, ldb, cs, k);
  for (int r = 0; r < R; r++) fin(i + r, j, c[r]);
}

/** Rows of a gemm_gates block: as many as keep GEMM_ROWS * GEMM_COLS accumulators. */
template <int G> constexpr int gate_rows() { return GEMM_ROWS * GEMM_COLS / G > 0 ? GEMM_ROWS * GEMM_COLS / G : 1; }

/**
 * The product for G gate blocks at once: for each row i < n and each lane offset j (a multiple of L below Hp), the
 * G vectors c[g] = init(i, j, g) + sum_p A(i,p) b[p*ldb + g*Hp + j ..] (column j of every gate), then fin(i, j, c):
 * a row's gates for the same hidden units together, as the cell's pointwise math needs them.
 */
template <int G, typename Init, typename Fin>
static inline void gemm_gates(int n, int Hp, const float* a, idx sai, idx sap, const float* b, idx ldb, int k, Init init, Fin fin) {
  constexpr int R = gate_rows<G>();
  int i = 0;
  for (; i + R <= n; i += R)
    for (int j = 0; j < Hp; j += L) gates_block<G, R>(i, j, a, sai, sap, b + j, ldb, Hp, k, init, fin);
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

// The recurrent weight packed once per call (recurrence.h), for training's batches: gemm_gates above walks all of
// W_h (1 MB at H = 256, gate blocks 1 KB apart and rows 4 KB apart, so in the same cache sets) for every block of
// R rows: at B = 1024 that is the whole matrix 256 times a step, mostly from L3 (25% of the peak measured). Packed,
// lane offset j's G gate vectors of all k rows are one contiguous panel (k*G*L floats: 64 KB at H = 256, in L2),
// and every row block of the step passes over it before the next panel: W_h is read once a step, and the rows
// of A (h_prev, 4 floats a row per k step) are what streams. The sums are the same floats as gemm_gates's.

/**
 * panels: for each lane offset j (a multiple of L below Hp), the k x G vectors b[p*ldb + g*Hp + j ..], p major; the
 * panels shared out among a team's parts (round robin: all of them for one part), whom the caller meets before any
 * reads them.
 */
static void pack_gate_panels(float* panels, const float* b, idx ldb, int k, int G, int Hp, const Team& team) {
  for (int j = team.part * L; j < Hp; j += team.parts * L) {
    float* d = panels + (idx)(j / L) * k * G * L;
    for (int p = 0; p < k; p++)
      for (int g = 0; g < G; g++, d += L) std::memcpy(d, b + p * ldb + g * Hp + j, L * sizeof(float));
  }
}

/** gemm_gates on pack_gate_panels' panels, for the lane offsets j0 <= j < j1: panel by panel, all n rows over each. */
template <int G, typename Init, typename Fin>
static inline void gemm_gates_packed(int n, int j0, int j1, const float* a, idx sai, idx sap, const float* panels, int k, Init init, Fin fin) {
  constexpr int R = gate_rows<G>();
  for (int j = j0; j < j1; j += L) {
    const float* pj = panels + (idx)(j / L) * k * G * L;
    int i = 0;
    for (; i + R <= n; i += R) gates_block<G, R>(i, j, a, sai, sap, pj, G * L, L, k, init, fin);
    for (; i < n; i++) gates_block<G, 1>(i, j, a, sai, sap, pj, G * L, L, k, init, fin);
  }
}

/** One block of gemm_fused_packed: R rows x W vectors from column j, whose k rows are the panel's (NR floats apart). */
template <int R, int W, typename Init, typename Fin>
static RNNLM_INLINE void panel_block(int i, int j, const float* a, idx sai, idx sap, const float* panel, int k, Init& init, Fin& fin) {
  V c[R][W];
  for (int r = 0; r < R; r++)
    for (int w = 0; w < W; w++) c[r][w] = init(i + r, j + w * L);
  block_k<V, R, W>(c, a + i * sai, sai, sap, panel, NR, L, k);
  for (int r = 0; r < R; r++)
    for (int w = 0; w < W; w++) fin(i + r, j + w * L, c[r][w]);
}

/** The columns from j of one panel, W vectors at a time (a last panel may hold fewer than GEMM_COLS), all n rows. */
template <int W, typename Init, typename Fin>
static RNNLM_INLINE void panel_rows(int n, int j, const float* a, idx sai, idx sap, const float* panel, int k, Init& init, Fin& fin) {
  int i = 0;
  for (; i + GEMM_ROWS <= n; i += GEMM_ROWS) panel_block<GEMM_ROWS, W>(i, j, a, sai, sap, panel, k, init, fin);
  for (; i < n; i++) panel_block<1, W>(i, j, a, sai, sap, panel, k, init, fin);
}

/**
 * gemm_fused on b packed by pack_b (all k rows: kc = k, nc = m) into NR-column panels, for the columns from c0 (a
 * multiple of NR) below c1: panel by panel, all n rows over each (the backward's W_h^T: 128 KB panels at H = 256
 * instead of the whole 1 MB matrix per row block).
 */
template <typename Init, typename Fin>
static inline void gemm_fused_packed(int n, int c0, int c1, const float* a, idx sai, idx sap, const float* panels, int k, Init init, Fin fin) {
  for (int j0 = c0; j0 < c1; j0 += NR) {
    const float* pj = panels + (idx)j0 * k;
    if (c1 - j0 >= NR) {
      panel_rows<GEMM_COLS>(n, j0, a, sai, sap, pj, k, init, fin);
    } else {
      for (int w = 0; j0 + w * L < c1; w++) panel_rows<1>(n, j0 + w * L, a, sai, sap, pj + w * L, k, init, fin);
    }
  }
}
