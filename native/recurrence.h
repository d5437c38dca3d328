// The recurrence kernels (every cell of contracts.h, forward over all steps and backprop through time) and the
// row gather and scatter, for one instruction set: included per variant by kernels.cc after vecmath.h and gemm.h.
// The oracle is src/backend/reference-recurrence.ts; these compute the same, in float32, in another order.
//
// Layout. The caller's arrays have rows of exactly H (or G*H, S*H) floats. The kernels' own buffers give each gate
// block Hp floats, H rounded up to whole vectors, with zeros in the padding: W_h and b_h are padded once per call,
// so every product runs on whole vectors and every gate block starts on a vector. The caller's arrays are read
// and written a vector at a time, the last partial vector of a row with loadn/storen (zeros above H), so the
// padding stays zero throughout. When H is a whole number of vectors (Full), the partial path compiles away.
//
// Forward, per step: hw = b_h + h_prev W_h by the register-blocked product, and the cell's gate math runs on the
// accumulators while they are in registers (gemm_gates keeps a row's G gates for the same units together), writing
// hs and saved; no pre-activations go to memory. The book's GRU has a second, dependent product per step: per
// block of rows, r and z first (and r*h_prev into a small buffer), then n = tanh(xw_n + b_hn + (r*h_prev) W_hn).
//
// Backward, per step t from the last: dL/dh_t = dhs[t] + dhw_{t+1} W_h^T + (the GRUs) the direct terms, by one
// product whose accumulators go straight into the cell's derivatives, writing dxw and dhw (dL/d(h_prev W_h + b_h),
// which is dxw itself for the RNNs and the LSTM when H is a whole number of vectors) and summing dhw into db_h (a
// sum per block of SPLIT_ROWS rows, added in order at the end). W_h^T is transposed once per call. Then per step
// dW_h += h_prev^T dhw, one product with k = B (where dhw is dxw: one product over all steps, after them).
//
// Buffers come from the calling thread's arena (kernels.cc: Floats), so a call allocates nothing once warm.

/** H rounded up to whole vectors: the width of a gate block in the kernels' own buffers. */
static inline int padded(int H) { return (H + L - 1) / L * L; }

/** Rows per block of the book's GRU, whose second product needs the block's r first. */
constexpr int GRU_ROWS = 32;

/**
 * The gate math prefetches what the row AHEAD rows on will read and write: the streams through xw, saved, dhs and
 * dxw are several MB a call, and the hardware's prefetchers alone leave the vector units waiting (measured at
 * B=512, H=32: the LSTM and GRU forward about 20% faster, the backward 5-20%). Prefetches past an array's end do
 * not fault; they fetch nothing useful, at the end of a step only.
 */
constexpr int AHEAD = 16;

/** Prefetches count blocks stride floats apart from p, for reading (Write = 0) or for writing (1). */
template <int Write> static RNNLM_INLINE void prefetch(const float* p, int count, idx stride) {
  for (int g = 0; g < count; g++) __builtin_prefetch(p + g * stride, Write, 3);
}

/** dst (rows, (g1-g0)*Hp), zeroed before: gate blocks g0 .. g1-1 of w (rows, G*H), each padded to Hp columns. */
static void pad_gates(float* dst, const float* w, int rows, int H, int G, int Hp, int g0, int g1) {
  const int width = (g1 - g0) * Hp;
  for (int k = 0; k < rows; k++)
    for (int g = g0; g < g1; g++) std::memcpy(dst + (idx)k * width + (g - g0) * Hp, w + (idx)k * G * H + g * H, H * sizeof(float));
}

/** *p += v (a whole vector of the kernels' own buffers). */
static RNNLM_INLINE void add_to(float* p, V v) { store<V>(p, load<V>(p) + v); }

/**
 * What the kernel bodies are compiled for: a cell, and Full, H a whole number of vectors (no partial vector at a
 * row's end). by_kind calls fn(Kind<cell, full>()) for the runtime values, so each body is compiled 10 times, with
 * its cell's branches and lanes known.
 */
template <int C, bool F> struct Kind {
  static constexpr int cell = C;
  static constexpr bool full = F;
};

template <typename Fn> static void by_kind(int cell, bool full, Fn fn) {
  switch (cell) {
    case RNN_TANH: return full ? fn(Kind<RNN_TANH, true>()) : fn(Kind<RNN_TANH, false>());
    case RNN_RELU: return full ? fn(Kind<RNN_RELU, true>()) : fn(Kind<RNN_RELU, false>());
    case LSTM: return full ? fn(Kind<LSTM, true>()) : fn(Kind<LSTM, false>());
    case GRU: return full ? fn(Kind<GRU, true>()) : fn(Kind<GRU, false>());
    case GRU_TORCH: return full ? fn(Kind<GRU_TORCH, true>()) : fn(Kind<GRU_TORCH, false>());
  }
}

/** Lanes of a row's chunk at column j: L, or fewer at the end of a row when H is not Full. */
template <bool Full> static RNNLM_INLINE int lanes_at(int j, int H) { return Full || H - j >= L ? L : H - j; }

// The row gather and its gradient split over the kernel threads by columns (whole vectors): each part copies or adds
// its columns of every row, in row order, so every element is the same float whatever the number of threads, and
// no two parts write one element (two rows may name the same table row). A gather of a one-hot layer's table is
// the layer's whole input projection (134 MB a batch at 2 layers of 256 LSTM units, batch 1024): on one thread it
// was 4% of the run, beside an idle worker.

/** f(c0, c1) on column ranges of a W-wide copy of N rows, split over the kernel threads. */
template <typename F> static RNNLM_INLINE void by_columns(int N, int W, F& f) {
  const int parts = parts_for((double)N * W, (W + L - 1) / L);
  if (parts == 1) return f(0, W);
  auto part = [&](const Team& team) {
    const Share c = share(W, L, team);
    if (c.lo < c.hi) f(c.lo, c.hi);
  };
  parallel(parts, part);
}

static void gather_rows(float* out, const float* table, const int32_t* indices, int N, int W) {
  auto columns = [&](int c0, int c1) {
    for (int i = 0; i < N; i++) {
      float* d = out + (idx)i * W + c0;
      const float* s = table + (idx)indices[i] * W + c0;
      for_chunks(c1 - c0, [&](int j, int n) __attribute__((always_inline)) { storen(d + j, loadn(s + j, n), n); });
    }
  };
  by_columns(N, W, columns);
}

static void scatter_add_rows(float* dtable, const float* g, const int32_t* indices, int N, int W) {
  auto columns = [&](int c0, int c1) {
    for (int i = 0; i < N; i++) {
      float* d = dtable + (idx)indices[i] * W + c0;
      const float* s = g + (idx)i * W + c0;
      for_chunks(c1 - c0, [&](int j, int n) __attribute__((always_inline)) { storen(d + j, loadn(d + j, n) + loadn(s + j, n), n); });
    }
  };
  by_columns(N, W, columns);
}

/** A forward call's arrays and sizes, and its padded W_h and b_h (recurrence_forward). */
struct Forward {
  float* hs;
  float* saved;
  const float *xw, *h0, *c0;
  const float* w1;  // W_h padded (H, wa): all gates, or [r z] of the book's GRU
  const float* w2;  // the book's GRU: W_hn padded (H, Hp)
  const float* bp;  // b_h padded (G*Hp)
  float* rh;        // the book's GRU: r*h_prev of a block of rows (GRU_ROWS, Hp)
  float* panels;     // W_h in pack_gate_panels' panels (H*G*Hp), packed by the parts first; or null: w1 read as it is (small batches)
  int B, T, H;
};

/**
 * A recurrence's parts meet once a step: a part's share of a step must be at least PART_WORK / STEP_SHARE
 * multiply-adds (~3 us of work beside a meeting's ~0.1-1 us when the parts spin).
 */
constexpr double STEP_SHARE = 8;

/** Batches from which the forward packs W_h (gemm.h, pack_gate_panels): a copy of W_h a call, repaid by any training batch. */
constexpr int PACK_MIN_ROWS = 16;

/**
 * Rows of a block of a step's grid. A recurrence splits a step's hidden units among its parts first; when there are
 * more parts than units (more threads than H / 16 vectors forward, H / 32 panels backward: 8 threads at H = 256)
 * the parts left split the batch's rows too, in whole blocks of SPLIT_ROWS. The backward sums dL/db_h per block of
 * rows (fixed blocks, whatever the split) and the blocks in order after the steps, so that no two parts write one
 * sum and every element is the same float on any number of threads.
 */
constexpr int SPLIT_ROWS = 64;  // (16 was 5% slower backward at B = 1024, H = 256: its sums spilled out of L1)

/** A part's rows and hidden units of every step. */
struct Grid {
  Share rows, units;
};

/**
 * The part's cell of the grid: units in whole unit-float groups among min(parts, units) unit parts, rows in whole
 * SPLIT_ROWS blocks among the parts / unit parts row parts. Parts beyond unit parts x row parts get nothing (the
 * callers ask for a multiple: grid_parts) but still meet.
 */
static inline Grid grid(int B, int Hp, int unit, const Team& team) {
  const int units = (Hp + unit - 1) / unit, unit_parts = team.parts < units ? team.parts : units;
  if (units == 0) return {{0, B}, {0, 0}};  // H = 0: nothing to split
  const int row_parts = team.parts / unit_parts;
  if (team.part >= unit_parts * row_parts) return {{0, 0}, {0, 0}};
  const Team u = {team.part % unit_parts, unit_parts, nullptr}, r = {team.part / unit_parts, row_parts, nullptr};
  return {share(B, SPLIT_ROWS, r), share(Hp, unit, u)};
}

/** parts_for over a step's grid (units, then blocks of rows), rounded to whole rows of units: no part idles. */
static inline int grid_parts(double work, int B, int Hp, int unit) {
  const int units = (Hp + unit - 1) / unit, blocks = (B + SPLIT_ROWS - 1) / SPLIT_ROWS;
  const int parts = parts_for(work, units * blocks);
  return parts <= units || units == 0 ? parts : parts / units * units;
}

/**
 * The steps of a forward call, for a part's share of the hidden units of every gate and of the rows (grid: all of
 * them for one part; parts meet after each step, whose h the next step reads whole). Only the packed path is split
 * (f.panels).
 */
template <int C, bool Full> static void forward_steps(const Forward& f, const Team& team) {
  constexpr int G = GATES[C];
  const int B = f.B, T = f.T, H = f.H, Hp = padded(H), S = SAVED_BLOCKS[C] * H, GH = G * H, wa = (C == GRU ? 2 : G) * Hp;
  const float *b = f.bp, *w1 = f.w1, *w2 = f.w2, *xw = f.xw, *h0 = f.h0, *c0 = f.c0;
  float *hs = f.hs, *saved = f.saved, *rh = f.rh;
  auto bias = [&](int, int j, int g) __attribute__((always_inline)) { return load<V>(b + g * Hp + j); };
  // the part's rows' h_prev @ W_h with its G gate vectors per row (i from the part's first row) and lane offset to
  // fin, by the panels when there are
  const Grid part = grid(B, Hp, L, team);  // all of it when there is one part
  // (plain locals: the lambdas below would read a struct's members again at every use, which halved this loop's speed)
  const int r0 = part.rows.lo, rows = part.rows.hi - part.rows.lo, u0 = part.units.lo, u1 = part.units.hi;
  auto gates = [&](const float* prev, auto fin) __attribute__((always_inline)) {
    constexpr int Gw = C == GRU ? 2 : G;
    if (f.panels) gemm_gates_packed<Gw>(rows, u0, u1, prev, H, 1, f.panels, H, bias, fin);
    else gemm_gates<Gw>(rows, Hp, prev, H, 1, w1, wa, H, bias, fin);
  };
  // W_h's panels, shared out among the parts (on one thread they were a serial copy of 4 MB a call at H = 512)
  if (f.panels) {
    pack_gate_panels(f.panels, w1, wa, H, G, Hp, team);
    team.sync();
  }
  for (int t = 0; t < T; t++) {
    const idx row0 = (idx)t * B + r0;  // the part's first row of (T,B) in this step
    const float* prev = t ? hs + (row0 - B) * H : h0 + (idx)r0 * H;
    const float* x = xw + row0 * GH;
    float* h = hs + row0 * H;
    float* s = saved + row0 * S;
    if constexpr (C == RNN_TANH || C == RNN_RELU) {
      gates(prev, [&](int i, int j, const V* g) __attribute__((always_inline)) {
        const int n = lanes_at<Full>(j, H);
        prefetch<0>(x + (i + AHEAD) * GH + j, 1, 0);
        prefetch<1>(h + (i + AHEAD) * H + j, 1, 0);
        const V a = g[0] + loadn(x + i * GH + j, n);
        storen(h + i * H + j, C == RNN_TANH ? tanh_v(a) : relu_v(a), n);
      });
    } else if constexpr (C == LSTM) {
      // c_{t-1}: c0, or the c saved by the previous step
      const float* cp = t ? s - (idx)B * S + 4 * H : c0 + (idx)r0 * H;
      const idx cps = t ? S : H;
      gates(prev, [&](int i, int j, const V* a) __attribute__((always_inline)) {
        const int n = lanes_at<Full>(j, H);
        const float* xr = x + i * GH + j;
        float* sr = s + i * S + j;
        prefetch<0>(xr + AHEAD * GH, 4, H);
        prefetch<1>(sr + AHEAD * S, 5, H);
        prefetch<1>(h + (i + AHEAD) * H + j, 1, 0);
        const V ig = sigmoid_v(a[0] + loadn(xr, n));
        const V fg = sigmoid_v(a[1] + loadn(xr + H, n));
        const V gg = tanh_v(a[2] + loadn(xr + 2 * H, n));
        const V og = sigmoid_v(a[3] + loadn(xr + 3 * H, n));
        const V c = fg * loadn(cp + i * cps + j, n) + ig * gg;
        storen(sr, ig, n);
        storen(sr + H, fg, n);
        storen(sr + 2 * H, gg, n);
        storen(sr + 3 * H, og, n);
        storen(sr + 4 * H, c, n);
        storen(h + i * H + j, og * tanh_v(c), n);
      });
    } else if constexpr (C == GRU_TORCH) {
      gates(prev, [&](int i, int j, const V* a) __attribute__((always_inline)) {
        const int n = lanes_at<Full>(j, H);
        const float* xr = x + i * GH + j;
        float* sr = s + i * S + j;
        prefetch<0>(xr + AHEAD * GH, 3, H);
        prefetch<1>(sr + AHEAD * S, 4, H);
        prefetch<1>(h + (i + AHEAD) * H + j, 1, 0);
        const V r = sigmoid_v(a[0] + loadn(xr, n));
        const V z = sigmoid_v(a[1] + loadn(xr + H, n));
        const V nn = tanh_v(loadn(xr + 2 * H, n) + r * a[2]);
        const V hp = loadn(prev + i * H + j, n);
        storen(sr, r, n);
        storen(sr + H, z, n);
        storen(sr + 2 * H, nn, n);
        storen(sr + 3 * H, a[2], n);  // h_prev W_hn + b_hn
        storen(h + i * H + j, nn + z * (hp - nn), n);  // (1-z)*n + z*h_prev
      });
    } else {  // the book's GRU, by blocks of rows: r and z, then n from r*h_prev (never split: unpacked)
      for (int b0 = 0; b0 < rows; b0 += GRU_ROWS) {
        const int n_rows = rows - b0 < GRU_ROWS ? rows - b0 : GRU_ROWS;
        const float* hp = prev + (idx)b0 * H;
        const float* xb = x + (idx)b0 * GH;
        float* sb = s + (idx)b0 * S;
        float* hb = h + (idx)b0 * H;
        gemm_gates<2>(n_rows, Hp, hp, H, 1, w1, wa, H, bias, [&](int i, int j, const V* a) __attribute__((always_inline)) {
          const int n = lanes_at<Full>(j, H);
          const float* xr = xb + i * GH + j;
          prefetch<0>(xr + AHEAD * GH, 3, H);
          prefetch<1>(sb + (i + AHEAD) * S + j, 3, H);
          prefetch<1>(hb + (i + AHEAD) * H + j, 1, 0);
          const V r = sigmoid_v(a[0] + loadn(xr, n));
          const V z = sigmoid_v(a[1] + loadn(xr + H, n));
          storen(sb + i * S + j, r, n);
          storen(sb + i * S + H + j, z, n);
          store<V>(rh + i * Hp + j, r * loadn(hp + i * H + j, n));
        });
        // the book's candidate: n = tanh(xw_n + (r*h_prev) W_hn + b_hn), once the block's r is known
        gemm_fused(n_rows, Hp, rh, Hp, 1, w2, Hp, H, [&](int, int j) __attribute__((always_inline)) { return load<V>(b + 2 * Hp + j); },
                   [&](int i, int j, V a) __attribute__((always_inline)) {
                     const int n = lanes_at<Full>(j, H);
                     float* sr = sb + i * S + j;
                     const V nn = tanh_v(a + loadn(xb + i * GH + 2 * H + j, n));
                     const V z = loadn(sr + H, n);
                     const V hpv = loadn(hp + i * H + j, n);
                     storen(sr + 2 * H, nn, n);
                     storen(hb + i * H + j, nn + z * (hpv - nn), n);
                   });
      }
    }
    team.sync();  // the next step reads this step's h whole
  }
}

static void recurrence_forward(float* hs, float* saved, const float* xw, const float* wh, const float* bh, const float* h0,
                               const float* c0, int B, int T, int H, int cell) {
  const int G = GATES[cell], Hp = padded(H), GHp = G * Hp;
  const bool gru = cell == GRU;
  const int wa = (gru ? 2 : G) * Hp;
  // W_h and b_h padded; the book's GRU's W_h as two contiguous column blocks, [r z] and n. When H is a whole number
  // of vectors the caller's W_h and b_h are that layout already and are read in place: a copy of W_h per call is
  // nothing beside T*B rows of products when training, but it is the whole cost of generating a token (B = T = 1:
  // 4 MB copied for 1 M multiply-adds at H = 512)
  const bool direct = Hp == H && !gru;
  Floats w1(direct ? 0 : (idx)H * wa, !direct), w2(gru ? (idx)H * Hp : 0), bp(direct ? 0 : GHp, !direct), rh(gru ? (idx)GRU_ROWS * Hp : 0, false);
  if (!direct) {
    pad_gates(w1, wh, H, H, G, Hp, 0, gru ? 2 : G);
    pad_gates(bp, bh, 1, H, G, Hp, 0, G);
  }
  if (gru) pad_gates(w2, wh, H, H, G, Hp, 2, 3);
  // training's batches: W_h in panels (the book's GRU, whose second product waits on r, keeps the row blocks)
  const bool pack = B >= PACK_MIN_ROWS && !gru;
  Floats panels(pack ? (idx)H * GHp : 0, false);  // (packed by forward_steps' parts)
  const Forward f = {hs, saved, xw, h0, c0, direct ? wh : (const float*)w1, w2, direct ? bh : (const float*)bp, rh,
                     pack ? (float*)panels : nullptr, B, T, H};
  // threads: the packed path splits each step's hidden units (whole vectors), then its rows (grid), when a step's
  // share is worth a meeting
  const int parts = pack ? grid_parts((double)B * GHp * H * STEP_SHARE, B, Hp, L) : 1;
  by_kind(cell, Hp == H, [&](auto kind) {
    auto steps = [&](const Team& team) { forward_steps<decltype(kind)::cell, decltype(kind)::full>(f, team); };
    parallel(parts, steps);
  });
}

/** A backward call's arrays and sizes, and its buffers (recurrence_backward). */
struct Backward {
  float* dxw;
  const float *dhs, *hs, *saved, *h0, *c0;
  const float* wt;  // W_h^T padded (G*Hp, Hp)
  float* dnext;     // the GRUs: the direct terms of dL/dh_t from step t+1 (z*dh and r*d(r*h_prev)) (B, Hp)
  float* dcnext;    // the LSTM: dL/dc_t from step t+1 (B, Hp)
  float *dhw1, *dhw2;  // dhw of this step and the next, when not dxw itself (B, G*Hp)
  float* rh;        // the book's GRU: r*h_prev of this step (B, Hp)
  float* dwp;       // dW_h padded (H, G*Hp), summed onto; dwh itself where H is whole vectors and W_h^T packed
  float* dbp;       // db_h padded, a sum per block of SPLIT_ROWS rows (ceil(B / SPLIT_ROWS), G*Hp)
  float* dh0;
  float* panels;  // W_h^T packed by pack_b (all G*Hp rows, NR-column panels) by the parts first, or null: wt read as it is
  const float* pack_src;  // what the panels are packed from: wt, or W_h itself read through its strides (pack_sbp, pack_sbj)
  idx pack_sbp, pack_sbj;
  int B, T, H;
};

/**
 * The steps of a backward call. Split into parts (packed path only), a part takes its cell of each step's grid (its
 * hidden units, whole panels of W_h^T, and its rows) of dL/dh and of every gate's derivatives, and its share of
 * dW_h's columns (cols); parts meet once a step, after the gate derivatives (dhw), which dW_h's product and the next
 * step's read whole. Each part writes only its own cells' and columns' elements (dxw, dhw, dc, the direct terms,
 * dW_h) and its own row blocks' sums of db_h: no sums across threads.
 */
template <int C, bool Full> static void backward_steps(const Backward& f, const Team& team) {
  constexpr int G = GATES[C];
  constexpr bool gru = C == GRU, direct = C == GRU || C == GRU_TORCH;
  // dhw is dxw itself where they are equal (RNNs, LSTM) and laid out alike (H a whole number of vectors)
  constexpr bool alias = Full && !direct;
  const int B = f.B, T = f.T, H = f.H, Hp = padded(H), S = SAVED_BLOCKS[C] * H, GH = G * H, GHp = G * Hp;
  const int wa = (gru ? 2 : G) * Hp;  // gates whose pre-activation reads h_prev W_h: all, or r and z of the book's GRU
  const float *dhs = f.dhs, *hs = f.hs, *saved = f.saved, *h0 = f.h0, *c0 = f.c0, *wt = f.wt;
  // W_h^T's panels, shared out among the parts (on one thread, with the transposition before them, they had been 3%
  // of char-rnn's 512 configuration on 2 threads, the other waiting)
  if (f.panels) {
    pack_b_shared(f.panels, f.pack_src, f.pack_sbp, f.pack_sbj, GHp, Hp, team);
    team.sync();
  }
  const float* dhwt1 = nullptr;  // dhw of step t+1
  // the part's cell of each step (its rows from r0; all of it when there is one part), and its columns of dW_h
  const Grid part = grid(B, Hp, NR, team);
  // (plain locals, as in the forward)
  const int r0 = part.rows.lo, rows = part.rows.hi - part.rows.lo, u0 = part.units.lo, u1 = part.units.hi;
  const Share cols = share(wa, NR, team);
  float *dxw = f.dxw, *dn = f.dnext + (idx)r0 * Hp, *dcn = f.dcnext + (idx)r0 * Hp, *rh = f.rh;
  // dL/db_h of the block of SPLIT_ROWS rows that holds the part's row i (summed in order after the steps)
  float* const dbp = f.dbp;
  auto db_of = [&](int i) __attribute__((always_inline)) { return dbp + (idx)((unsigned)(r0 + i) / SPLIT_ROWS) * GHp; };
  // the part's rows (n,k) of a @ W_h^T (k of its G*Hp rows), a vector at a time to fin, by the panels when there are
  auto through_wt = [&](int n, const float* a, int k, auto init, auto fin) __attribute__((always_inline)) {
    if (f.panels) gemm_fused_packed(n, u0, u1, a, GHp, 1, f.panels, k, init, fin);
    else gemm_fused(n, Hp, a, GHp, 1, wt, Hp, k, init, fin);
  };
  for (int t = T - 1; t >= 0; t--) {
    const idx row0 = (idx)t * B, rp = row0 + r0;  // the step's first row of (T,B), and the part's
    const float* prev = t ? hs + (row0 - B) * H : h0;  // h_prev, all rows (dW_h's product reads them)
    const float* hp = prev + (idx)r0 * H;            // the part's rows of it
    float* dhwt = alias ? dxw + row0 * GH : (t & 1 ? f.dhw1 : f.dhw2);  // (B, G*Hp)
    float* dhw = dhwt + (idx)r0 * GHp;                                  // the part's rows of it
    const int k = dhwt1 ? wa : 0;
    const float* a = dhwt1 ? dhwt1 + (idx)r0 * GHp : dn;  // (not read when k = 0)
    const float* gh = dhs + rp * H;
    const float* h = hs + rp * H;
    const float* s = saved + rp * S;
    float* dx = dxw + rp * GH;
    // dL/dh_t = dhs[t] + the direct terms + dhw_{t+1} W_h^T, then the cell's derivatives on it
    auto dh_init = [&](int i, int j) __attribute__((always_inline)) {
      const V d = loadn(gh + i * H + j, lanes_at<Full>(j, H));
      if constexpr (direct) return d + load<V>(dn + i * Hp + j);
      else return d;
    };
    if constexpr (C == RNN_TANH || C == RNN_RELU) {
      through_wt(rows, a, k, dh_init, [&](int i, int j, V dh) __attribute__((always_inline)) {
        const int n = lanes_at<Full>(j, H);
        prefetch<0>(gh + (i + AHEAD) * H + j, 1, 0);
        prefetch<0>(h + (i + AHEAD) * H + j, 1, 0);
        prefetch<1>(dx + (i + AHEAD) * GH + j, 1, 0);
        const V hv = loadn(h + i * H + j, n);
        const V da = C == RNN_TANH ? dh * (1.0f - hv * hv) : (hv > 0.0f ? dh : V{});
        storen(dx + i * GH + j, da, n);
        if (!alias) store<V>(dhw + i * GHp + j, da);
        add_to(db_of(i) + j, da);
      });
    } else if constexpr (C == LSTM) {
      const float* cp = t ? s - (idx)B * S + 4 * H : c0 + (idx)r0 * H;  // c_{t-1}
      const idx cps = t ? S : H;
      through_wt(rows, a, k, dh_init, [&](int i, int j, V dh) __attribute__((always_inline)) {
        const int n = lanes_at<Full>(j, H);
        const float* sr = s + i * S + j;
        float* dxr = dx + i * GH + j;
        float* dc = dcn + i * Hp + j;  // dL/dc_t in, dL/dc_{t-1} out
        prefetch<0>(gh + (i + AHEAD) * H + j, 1, 0);
        prefetch<0>(sr + AHEAD * S, 5, H);
        prefetch<0>(cp + (i + AHEAD) * cps + j, 1, 0);
        prefetch<1>(dxr + AHEAD * GH, 4, H);
        const V ig = loadn(sr, n), fg = loadn(sr + H, n), gg = loadn(sr + 2 * H, n), og = loadn(sr + 3 * H, n);
        const V tc = tanh_v(loadn(sr + 4 * H, n));
        const V dcv = load<V>(dc) + dh * og * (1.0f - tc * tc);
        const V di = dcv * gg * ig * (1.0f - ig);
        const V df = dcv * loadn(cp + i * cps + j, n) * fg * (1.0f - fg);
        const V dg = dcv * ig * (1.0f - gg * gg);
        const V dout = dh * tc * og * (1.0f - og);
        storen(dxr, di, n);
        storen(dxr + H, df, n);
        storen(dxr + 2 * H, dg, n);
        storen(dxr + 3 * H, dout, n);
        if (!alias) {
          float* dw = dhw + i * GHp + j;
          store<V>(dw, di);
          store<V>(dw + Hp, df);
          store<V>(dw + 2 * Hp, dg);
          store<V>(dw + 3 * Hp, dout);
        }
        float* db = db_of(i);
        add_to(db + j, di);
        add_to(db + Hp + j, df);
        add_to(db + 2 * Hp + j, dg);
        add_to(db + 3 * Hp + j, dout);
        store<V>(dc, dcv * fg);
      });
    } else if constexpr (C == GRU_TORCH) {
      through_wt(rows, a, k, dh_init, [&](int i, int j, V dh) __attribute__((always_inline)) {
        const int n = lanes_at<Full>(j, H);
        const float* sr = s + i * S + j;
        float* dxr = dx + i * GH + j;
        float* dw = dhw + i * GHp + j;
        prefetch<0>(gh + (i + AHEAD) * H + j, 1, 0);
        prefetch<0>(sr + AHEAD * S, 4, H);
        prefetch<0>(hp + (i + AHEAD) * H + j, 1, 0);
        prefetch<1>(dxr + AHEAD * GH, 3, H);
        const V r = loadn(sr, n), z = loadn(sr + H, n), nn = loadn(sr + 2 * H, n), hwn = loadn(sr + 3 * H, n);
        const V dz = dh * (loadn(hp + i * H + j, n) - nn) * z * (1.0f - z);
        const V dan = dh * (1.0f - z) * (1.0f - nn * nn);
        const V dr = dan * hwn * r * (1.0f - r);
        storen(dxr, dr, n);
        storen(dxr + H, dz, n);
        storen(dxr + 2 * H, dan, n);
        store<V>(dw, dr);
        store<V>(dw + Hp, dz);
        store<V>(dw + 2 * Hp, dan * r);
        float* db = db_of(i);
        add_to(db + j, dr);
        add_to(db + Hp + j, dz);
        add_to(db + 2 * Hp + j, dan * r);
        store<V>(dn + i * Hp + j, dh * z);
      });
    } else {  // the book's GRU, by blocks of rows: z and n, then r through the candidate's product (never split)
      for (int b0 = 0; b0 < rows; b0 += GRU_ROWS) {
        const int n_rows = rows - b0 < GRU_ROWS ? rows - b0 : GRU_ROWS;
        const float* hpb = hp + (idx)b0 * H;
        const float* sb = s + (idx)b0 * S;
        const float* gb = gh + (idx)b0 * H;
        float* dxb = dx + (idx)b0 * GH;
        float* dwb = dhw + (idx)b0 * GHp;
        float* dnb = dn + (idx)b0 * Hp;
        float* rhb = rh + (idx)(r0 + b0) * Hp;
        auto init = [&](int i, int j) __attribute__((always_inline)) { return loadn(gb + i * H + j, lanes_at<Full>(j, H)) + load<V>(dnb + i * Hp + j); };
        gemm_fused(n_rows, Hp, k ? a + (idx)b0 * GHp : a, GHp, 1, wt, Hp, k, init, [&](int i, int j, V dh) __attribute__((always_inline)) {
          const int n = lanes_at<Full>(j, H);
          const float* sr = sb + i * S + j;
          float* dxr = dxb + i * GH + j;
          float* dw = dwb + i * GHp + j;
          prefetch<0>(gb + (i + AHEAD) * H + j, 1, 0);
          prefetch<0>(sr + AHEAD * S, 3, H);
          prefetch<0>(hpb + (i + AHEAD) * H + j, 1, 0);
          prefetch<1>(dxr + AHEAD * GH, 3, H);
          const V r = loadn(sr, n), z = loadn(sr + H, n), nn = loadn(sr + 2 * H, n), hpv = loadn(hpb + i * H + j, n);
          const V dz = dh * (hpv - nn) * z * (1.0f - z);
          const V dan = dh * (1.0f - z) * (1.0f - nn * nn);
          storen(dxr + H, dz, n);
          storen(dxr + 2 * H, dan, n);
          store<V>(dw + Hp, dz);
          store<V>(dw + 2 * Hp, dan);  // the gradient of (r*h_prev) W_hn + b_hn
          float* db = db_of(b0 + i);
          add_to(db + Hp + j, dz);
          add_to(db + 2 * Hp + j, dan);
          store<V>(rhb + i * Hp + j, r * hpv);
          store<V>(dnb + i * Hp + j, dh * z);
        });
        // through the candidate's product: d(r*h_prev) = dan W_hn^T, then r's derivative and h_prev's through r*h_prev
        gemm_fused(n_rows, Hp, dwb + 2 * Hp, GHp, 1, wt + (idx)2 * Hp * Hp, Hp, Hp, [&](int, int) __attribute__((always_inline)) { return V{}; },
                   [&](int i, int j, V d) __attribute__((always_inline)) {
                     const int n = lanes_at<Full>(j, H);
                     const V r = loadn(sb + i * S + j, n);
                     const V dr = d * loadn(hpb + i * H + j, n) * r * (1.0f - r);
                     storen(dxb + i * GH + j, dr, n);
                     store<V>(dwb + i * GHp + j, dr);
                     add_to(db_of(b0 + i) + j, dr);
                     store<V>(dnb + i * Hp + j, load<V>(dnb + i * Hp + j) + d * r);
                   });
      }
    }
    team.sync();  // dhw of this step whole: dW_h's product and the next step read it
    if constexpr (!alias) {
      // dW_h += h_prev^T dhw (the book's GRU: [r z] from h_prev, n from r*h_prev): dhw is this step's alone
      if (cols.lo < cols.hi) gemm_ld(f.dwp + cols.lo, GHp, prev, 1, H, dhwt + cols.lo, GHp, H, B, cols.hi - cols.lo);
      if (gru) gemm_ld(f.dwp + 2 * Hp, GHp, rh, 1, Hp, dhwt + 2 * Hp, GHp, H, B, Hp);
    }
    dhwt1 = dhwt;
  }
  if constexpr (alias) {
    // dW_h = sum over steps of h_{t-1}^T dhw_t, where dhw is dxw, kept for every step: one product over all steps
    // (k = (T-1) B, then h0's B rows), each part its own columns, instead of one a step (k = B), which read and wrote
    // this part's columns of dW_h (H x G*H / parts floats) at every step; the last step's meeting made dxw whole
    if (cols.lo < cols.hi) {
      if (T > 1) gemm_ld(f.dwp + cols.lo, GHp, hs, 1, H, dxw + (idx)B * GH + cols.lo, GH, H, (T - 1) * B, cols.hi - cols.lo);
      gemm_ld(f.dwp + cols.lo, GHp, h0, 1, H, dxw + cols.lo, GH, H, B, cols.hi - cols.lo);
    }
  }
  // dL/dh0 = the direct terms + dhw_0 W_h^T, the part's rows
  through_wt(rows, dhwt1 ? dhwt1 + (idx)r0 * GHp : dn, dhwt1 ? wa : 0,
             [&](int i, int j) __attribute__((always_inline)) { return direct ? load<V>(dn + i * Hp + j) : V{}; },
             [&](int i, int j, V d) __attribute__((always_inline)) { storen(f.dh0 + (idx)(r0 + i) * H + j, d, lanes_at<Full>(j, H)); });
}

static void recurrence_backward(float* dxw, float* dwh, float* dbh, float* dh0, float* dc0, const float* dhs, const float* hs,
                                const float* saved, const float* h0, const float* c0, const float* wh, int B, int T, int H,
                                int cell) {
  const int G = GATES[cell], GH = G * H, Hp = padded(H), GHp = G * Hp;
  const bool gru = cell == GRU, lstm = cell == LSTM, direct = cell == GRU || cell == GRU_TORCH;
  const bool alias = Hp == H && !direct;  // as in backward_steps
  // training's batches: W_h^T in panels (gemm.h), as the forward packs W_h (the book's GRU keeps wt). Where H is a
  // whole number of vectors no gate block needs padding: the panels are packed from W_h itself, through its strides,
  // and dW_h, laid out as dwh, is summed into dwh directly (no transposed copy, no padded buffer to add in after)
  const bool pack = B >= PACK_MIN_ROWS && !gru, unpadded = pack && Hp == H;
  // (dhw and rh are written whole before they are read: not zeroed)
  Floats wt(unpadded ? 0 : (idx)GHp * Hp), dnext(direct ? (idx)B * Hp : 0), dcnext(lstm ? (idx)B * Hp : 0), dhw1(alias ? 0 : (idx)B * GHp, false),
      dhw2(alias ? 0 : (idx)B * GHp, false), rh(gru ? (idx)B * Hp : 0, false), dwp(unpadded ? 0 : (idx)H * GHp),
      dbp((idx)((B + SPLIT_ROWS - 1) / SPLIT_ROWS + (B == 0)) * GHp);  // db_h padded, per block of SPLIT_ROWS rows (one at B = 0)
  // W_h^T (G*Hp, Hp): row g*Hp + j is column g*H + j of W_h
  if (!unpadded)
    for (int k = 0; k < H; k++)
      for (int g = 0; g < G; g++)
        for (int j = 0; j < H; j++) wt[(idx)(g * Hp + j) * Hp + k] = wh[(idx)k * GH + g * H + j];
  Floats panels(pack ? (idx)GHp * ((Hp + NR - 1) / NR * NR) : 0, false);  // (packed by backward_steps' parts)
  const Backward f = {dxw, dhs, hs, saved, h0, c0, wt, dnext, dcnext, dhw1, dhw2, rh, unpadded ? dwh : (float*)dwp, dbp, dh0,
                      pack ? (float*)panels : nullptr, unpadded ? wh : (const float*)wt, unpadded ? 1 : Hp, unpadded ? GH : 1, B, T, H};
  // threads: the packed path splits each step's hidden units (whole panels), then its rows, as the forward does
  const int parts = pack ? grid_parts((double)B * GHp * H * STEP_SHARE, B, Hp, NR) : 1;
  by_kind(cell, Hp == H, [&](auto kind) {
    auto steps = [&](const Team& team) { backward_steps<decltype(kind)::cell, decltype(kind)::full>(f, team); };
    parallel(parts, steps);
  });
  if (lstm)
    for (int b = 0; b < B; b++) std::memcpy(dc0 + (idx)b * H, dcnext + (idx)b * Hp, H * sizeof(float));
  if (!unpadded)
    for (int k = 0; k < H; k++)
      for (int g = 0; g < G; g++)
        for (int j = 0; j < H; j++) dwh[(idx)k * GH + g * H + j] += dwp[(idx)k * GHp + g * Hp + j];
  // db_h: the blocks' sums in block order (the same floats whatever the split)
  for (int blk = 1; blk < (B + SPLIT_ROWS - 1) / SPLIT_ROWS; blk++)
    for (int c = 0; c < GHp; c++) dbp[c] += dbp[(idx)blk * GHp + c];
  for (int g = 0; g < G; g++)
    for (int j = 0; j < H; j++) dbh[g * H + j] += dbp[g * Hp + j];
}
