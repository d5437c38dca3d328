// The output layer fused with softmax cross-entropy, and the exp and tanh array kernels, for one instruction set:
// included per variant by kernels.cc after vecmath.h and gemm.h.

/**
 * sum over rows of logsumexp(z_r) - z_r[labels[r]] with z = hs @ whq + bq, LOGIT_BLOCK_ROWS rows of logits at a
 * time; with dhs: dhs = grad_scale * d(sum)/dhs, and dwhq, dbq accumulate grad_scale times theirs.
 * The vocabulary is padded to a multiple of 16 columns so that every product runs on full vector blocks: padded
 * weights are 0 and padded biases -1e30, so padded logits add exp(-87.3) ~ 1e-38 to each row's sum (nothing, at
 * float32 precision next to the sum's >= 1) and their gradients are dropped.
 */
static double linear_cross_entropy(const float* hs, const float* whq, const float* bq, const int32_t* labels, int N, int H,
                                   int V, float* dhs, float* dwhq, float* dbq, float grad_scale) {
  const int P = (V + 15) & ~15;
  const int ROWS = LOGIT_BLOCK_ROWS;
  Floats z((idx)ROWS * P, false), wp((idx)H * P), bp(P), wpT(dhs ? (idx)P * H : 0, false), dw(dhs ? (idx)H * P : 0), db(P);
  for (int j = 0; j < H; j++) std::memcpy(wp + (idx)j * P, whq + (idx)j * V, V * sizeof(float));
  for (int v = 0; v < P; v++) bp[v] = v < V ? bq[v] : -1e30f;
  if (dhs)
    for (int j = 0; j < H; j++)
      for (int v = 0; v < P; v++) wpT[(idx)v * H + j] = wp[(idx)j * P + v];
  double loss = 0;
  for (int r0 = 0; r0 < N; r0 += ROWS) {
    const int rows = N - r0 < ROWS ? N - r0 : ROWS;
    for (int r = 0; r < rows; r++) std::memcpy(z + (idx)r * P, bp, P * sizeof(float));
    const float* hc = hs + (idx)r0 * H;
    gemm_ld(z, P, hc, H, 1, wp, P, rows, H, P);
    for (int r = 0; r < rows; r++) {
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
      loss += (double)std::log(total) + mx - zy;
      if (dhs) {
        const float inv = grad_scale / total;
        for (int c = 0; c < P; c += 16) {
          const v16 g = load<v16>(zr + c) * inv;
          store<v16>(zr + c, g);
          store<v16>(db + c, load<v16>(db + c) + g);
        }
        zr[y] -= grad_scale;
        db[y] -= grad_scale;
      }
    }
    if (dhs) {
      gemm_ld(dw, P, hc, 1, H, z, P, H, rows, P);  // dwhq += hs^T dz
      float* dc = dhs + (idx)r0 * H;
      std::memset(dc, 0, (idx)rows * H * sizeof(float));
      gemm_ld(dc, H, z, P, 1, wpT, H, rows, P, H);  // dhs = dz whq^T (padded rows of whq^T are 0)
    }
  }
  if (dhs) {
    for (int j = 0; j < H; j++)
      for (int v = 0; v < V; v++) dwhq[(idx)j * V + v] += dw[(idx)j * P + v];
    for (int v = 0; v < V; v++) dbq[v] += db[v];
  }
  return loss;
}

static void exp_array(float* out, const float* x, int n) {
  for_chunks(n, [&](int j, int c) __attribute__((always_inline)) { storen(out + j, exp_v(loadn(x + j, c)), c); });
}

static void tanh_array(float* out, const float* x, int n) {
  for_chunks(n, [&](int j, int c) __attribute__((always_inline)) { storen(out + j, tanh_v(loadn(x + j, c)), c); });
}
