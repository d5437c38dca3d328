// The output layer fused with softmax cross-entropy, and the exp and tanh array kernels, for one instruction set:
// included per variant by kernels.cc after vecmath.h and gemm.h.

/** d[c] += s[c] for c in [c0, c1), both whole numbers of vectors (NR and P are). */
static RNNLM_INLINE void add_row(float* d, const float* s, int c0, int c1) {
  for (int c = c0; c < c1; c += L) store<V>(d + c, load<V>(d + c) + load<V>(s + c));
}

/**
 * sum over rows of logsumexp(z_r) - z_r[labels[r]] with z = hs @ whq + bq, LOGIT_BLOCK_ROWS rows of logits at a
 * time; with dhs: dhs = grad_scale * d(sum)/dhs, and dwhq, dbq accumulate grad_scale times theirs.
 * A row of logits is padded to a multiple of 16 columns so that the softmax runs on full vectors: padded logits are
 * -1e30 (the bias's padding, to which the products add 0: whq's padded columns are zeros), so they add exp(-87.3)
 * ~ 1e-38 to each row's sum (nothing, at float32 precision next to the sum's >= 1) and their gradients are dropped.
 *
 * Threads (threads.h): at a large vocabulary this layer is most of a step (2-layer LSTM 256, batch 1024, V 5,000:
 * 1.65 s of 2.27), so it splits over the kernel threads. At such a vocabulary whq and its transpose are packed
 * once a call (gemm_prepacked), not once a block; in each block of rows, the logits, the softmax and dhs split by row tiles (each row is one
 * part's), then dW and db by column panels (each column one part's, summing the block's rows in order). Every
 * element is computed by the same instructions in the same order whatever the number of parts, and the loss is
 * summed over rows in order at the end: the same floats on any number of threads.
 */
static double linear_cross_entropy(const float* hs, const float* whq, const float* bq, const int32_t* labels, int N, int H,
                                   int V, float* dhs, float* dwhq, float* dbq, float grad_scale) {
  const int P = (V + 15) & ~15;
  const int ROWS = LOGIT_BLOCK_ROWS;
  const bool grads = dhs != nullptr;
  // whq padded to P columns (zeros) and its transpose (P,H), as every product reads them: packed once a call for a
  // vocabulary large enough that packing pays (decided once a call, not per part, so that the parts run the same
  // code as one thread), else read as they are
  const bool pack = worth_packing(N < ROWS ? N : ROWS, H, P);
  Floats z((idx)ROWS * P, false), wp((idx)H * P), bp(P), wpT(grads && !pack ? (idx)P * H : 0, false), wk(pack ? prepacked_floats(H, P) : 0, false),
      wtk(grads && pack ? prepacked_floats(P, H) : 0, false), dw(grads ? (idx)H * P : 0), db(P), row_loss(2 * (idx)N, false);
  for (int j = 0; j < H; j++) std::memcpy(wp + (idx)j * P, whq + (idx)j * V, V * sizeof(float));
  if (pack) prepack_b(wk, wp, P, 1, H, P);
  if (grads && pack) prepack_b(wtk, wp, 1, P, P, H);  // wp^T (P,H), read through wp's strides
  if (grads && !pack) transpose(wpT, wp, H, P);
  // out (n rows) += a @ wp (H,P), and += a @ wpT (P,H)
  auto times_w = [&](float* out, const float* a, int n) {
    if (pack) gemm_prepacked(out, P, a, H, 1, wk, n, H, P);
    else gemm_unpacked(out, P, a, H, 1, wp, P, n, H, P);
  };
  auto times_wt = [&](float* out, const float* a, int n) {
    if (pack) gemm_prepacked(out, H, a, P, 1, wtk, n, P, H);
    else gemm_unpacked(out, H, a, P, 1, wpT, H, n, P, H);
  };
  for (int v = 0; v < P; v++) bp[v] = v < V ? bq[v] : -1e30f;
  double* losses = reinterpret_cast<double*>(static_cast<float*>(row_loss));  // (N), one per row, summed in order below
  auto block_part = [&](const Team& team) {
    for (int r0 = 0; r0 < N; r0 += ROWS) {
      const int rows = N - r0 < ROWS ? N - r0 : ROWS;
      const float* hc = hs + (idx)r0 * H;
      const Share mine = share(rows, MR, team);
      for (int r = mine.lo; r < mine.hi; r++) std::memcpy(z + (idx)r * P, bp, P * sizeof(float));
      if (mine.lo < mine.hi) times_w(z + (idx)mine.lo * P, hc + (idx)mine.lo * H, mine.hi - mine.lo);
      for (int r = mine.lo; r < mine.hi; r++) {
        // one row of P logits as P/16 vectors; padded logits are -1e30, so they change neither max nor sum
        float* zr = z + (idx)r * P;
        v16 m = load<v16>(zr);
        for (int c = 16; c < P; c += 16) {
          const v16 t = load<v16>(zr + c);
          m = t > m ? t : m;
        }
        const float mx = hmax(m);
        const int y = labels[r0 + r];
        const float zy = zr[y];
        v16 sum = {};
        for (int c = 0; c < P; c += 16) {
          const v16 e = exp_v(load<v16>(zr + c) - mx);
          store<v16>(zr + c, e);
          sum += e;
        }
        const float total = hsum(sum);
        losses[r0 + r] = (double)std::log(total) + mx - zy;
        if (grads) {
          const float inv = grad_scale / total;
          for (int c = 0; c < P; c += 16) store<v16>(zr + c, load<v16>(zr + c) * inv);
          zr[y] -= grad_scale;
        }
      }
      if (grads && mine.lo < mine.hi) {
        float* dc = dhs + (idx)(r0 + mine.lo) * H;
        std::memset(dc, 0, (idx)(mine.hi - mine.lo) * H * sizeof(float));
        times_wt(dc, z + (idx)mine.lo * P, mine.hi - mine.lo);  // dhs = dz whq^T
      }
      if (grads) {
        team.sync();  // every row's dz is in z
        const Share cols = share(P, NR, team);  // the padded columns' dz are 0
        if (cols.lo < cols.hi) {
          // dwhq += hs^T dz
          if (pack) gemm_packed(dw + cols.lo, P, hc, 1, H, z + cols.lo, P, 1, H, rows, cols.hi - cols.lo);
          else gemm_unpacked(dw + cols.lo, P, hc, 1, H, z + cols.lo, P, H, rows, cols.hi - cols.lo);
          for (int r = 0; r < rows; r++)
            add_row(db, z + (idx)r * P, cols.lo, cols.hi);
        }
      }
      team.sync();  // z is the next block's
    }
  };
  // a block's work decides: its parts meet twice a block
  const int parts = parts_for((double)(N < ROWS ? N : ROWS) * H * P * (grads ? 3 : 1), (ROWS + MR - 1) / MR);
  if (parts == 1) {
    block_part(ONE_PART);
  } else {
    parallel(parts, block_part);
  }
  if (grads) {
    for (int j = 0; j < H; j++)
      for (int v = 0; v < V; v++) dwhq[(idx)j * V + v] += dw[(idx)j * P + v];
    for (int v = 0; v < V; v++) dbq[v] += db[v];
  }
  double loss = 0;
  for (int r = 0; r < N; r++) loss += losses[r];
  return loss;
}

static void exp_array(float* out, const float* x, int n) {
  for_chunks(n, [&](int j, int c) __attribute__((always_inline)) { storen(out + j, exp_v(loadn(x + j, c)), c); });
}

static void tanh_array(float* out, const float* x, int n) {
  for_chunks(n, [&](int j, int c) __attribute__((always_inline)) { storen(out + j, tanh_v(loadn(x + j, c)), c); });
}
