// The fused recurrence: all time steps of one recurrent layer forward, and backprop through time, for every cell of
// asm/contracts.ts (the fast twins of src/backend/reference-recurrence.ts, which has the equations).
//
// Rows of the batch are independent in time, so both kernels walk the batch in panels of R = panelRows(B, G*H) rows and
// carry each panel through all steps: the panel's state, its gate pre-activations and W_h stay in cache from step to
// step, and xw, hs and saved are streamed once. Per (panel, step) the recurrent product is the blocked gemm on R rows
// (pre-activations start as xw + b_h, or b_h alone where the cell needs h_prev W_h apart), then the pointwise gate
// math runs 4 lanes at a time along each row, with the row's tail (H not a multiple of 4) in lane 0 of the same code.
// The backward accumulates dW_h (+= h_prev^T dhw, a gemm with a transposed view of h_prev) and db_h into scratch, adds
// them to dwh and dbh at the end, and forms dh_prev = dhw W_h^T with a transposed copy of W_h made once per call.
// Pointers are byte offsets into memory; outputs first, sizes last; scratch as recurrenceScratchFloats lays it out.

import { GRU, GRU_TORCH, LSTM, RNN_RELU, RNN_TANH, gateCount, panelRows, savedBlockCount, up4 } from './contracts';
import { addColumns, addInto, copyColumns, copyInto, gemm, transpose } from './gemm';
import { load4, sigmoid4, store4, tanh4 } from './vecmath';

/** The address of float i after p. */
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** out[r,:] = x[r,:] + b (m floats) for r < rows; x rows ldx floats apart, out rows m apart. */
function rowsPlusBias(out: usize, x: usize, ldx: i32, b: usize, rows: i32, m: i32): void {
  for (let r = 0; r < rows; r++) {
    const o = at(out, r * m);
    const xr = at(x, r * ldx);
    let j = 0;
    for (; j + 4 <= m; j += 4) v128.store(at(o, j), f32x4.add(v128.load(at(xr, j)), v128.load(at(b, j))));
    for (; j < m; j++) store<f32>(at(o, j), load<f32>(at(xr, j)) + load<f32>(at(b, j)));
  }
}

/** acc (m) += the column sums of x (rows, m), x rows ldx floats apart. */
function addColumnSums(acc: usize, x: usize, ldx: i32, rows: i32, m: i32): void {
  for (let r = 0; r < rows; r++) addInto(acc, at(x, r * ldx), m);
}

// ---- forward ----------------------------------------------------------------------------------------------------

/** rnn-tanh, rnn-relu: h = act(xw + h_prev W_h + b_h), computed in place in the panel's rows of hs. */
function rnnForwardStep(h: usize, prev: usize, x: usize, wh: usize, bh: usize, rows: i32, H: i32, relu: bool): void {
  rowsPlusBias(h, x, H, bh, rows, H);
  gemm(h, prev, wh, rows, H, H, H, 1);
  const n = rows * H;
  let i = 0;
  if (relu) {
    const zero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) v128.store(at(h, i), f32x4.pmax(v128.load(at(h, i)), zero));
    for (; i < n; i++) store<f32>(at(h, i), max<f32>(load<f32>(at(h, i)), 0));
  } else {
    for (; i + 4 <= n; i += 4) v128.store(at(h, i), tanh4(v128.load(at(h, i))));
    for (; i < n; i++) store4(at(h, i), tanh4(load4(at(h, i), false)), false);
  }
}

/** lstm, 4 lanes (or lane 0) of one row at column j: p the row's pre-activations [i f g o], s its saved row. */
@inline function lstmLanes(h: usize, s: usize, p: usize, cp: usize, H: i32, j: i32, full: bool): void {
  const i = sigmoid4(load4(at(p, j), full));
  const f = sigmoid4(load4(at(p, H + j), full));
  const g = tanh4(load4(at(p, 2 * H + j), full));
  const o = sigmoid4(load4(at(p, 3 * H + j), full));
  const c = f32x4.add(f32x4.mul(f, load4(at(cp, j), full)), f32x4.mul(i, g));
  store4(at(s, j), i, full);
  store4(at(s, H + j), f, full);
  store4(at(s, 2 * H + j), g, full);
  store4(at(s, 3 * H + j), o, full);
  store4(at(s, 4 * H + j), c, full);
  store4(at(h, j), f32x4.mul(o, tanh4(c)), full);
}

/** lstm: P = xw + b_h + h_prev W_h, then the gates; c_prev rows are ldc floats apart (c0, or the saved c of t-1). */
function lstmForwardStep(h: usize, s: usize, prev: usize, cprev: usize, ldc: i32, x: usize, wh: usize, bh: usize,
  P: usize, rows: i32, H: i32): void {
  const GH = 4 * H;
  rowsPlusBias(P, x, GH, bh, rows, GH);
  gemm(P, prev, wh, rows, H, GH, H, 1);
  for (let r = 0; r < rows; r++) {
    const hr = at(h, r * H), sr = at(s, r * 5 * H), pr = at(P, r * GH), cr = at(cprev, r * ldc);
    let j = 0;
    for (; j + 4 <= H; j += 4) lstmLanes(hr, sr, pr, cr, H, j, true);
    for (; j < H; j++) lstmLanes(hr, sr, pr, cr, H, j, false);
  }
}

/** gru-torch, one row's lanes at j: p = h_prev W_h + b_h [r z n], x the row's xw. */
@inline function gruTorchLanes(h: usize, s: usize, p: usize, x: usize, hp: usize, H: i32, j: i32, full: bool): void {
  const r = sigmoid4(f32x4.add(load4(at(x, j), full), load4(at(p, j), full)));
  const z = sigmoid4(f32x4.add(load4(at(x, H + j), full), load4(at(p, H + j), full)));
  const hwn = load4(at(p, 2 * H + j), full);
  const n = tanh4(f32x4.add(load4(at(x, 2 * H + j), full), f32x4.mul(r, hwn)));
  const hprev = load4(at(hp, j), full);
  store4(at(s, j), r, full);
  store4(at(s, H + j), z, full);
  store4(at(s, 2 * H + j), n, full);
  store4(at(s, 3 * H + j), hwn, full);
  store4(at(h, j), f32x4.add(n, f32x4.mul(z, f32x4.sub(hprev, n))), full); // (1-z)*n + z*h_prev
}

/** gru-torch: P = b_h + h_prev W_h (all three gates), then n = tanh(xw_n + r*P_n). */
function gruTorchForwardStep(h: usize, s: usize, prev: usize, x: usize, wh: usize, bh: usize, P: usize, rows: i32, H: i32): void {
  const GH = 3 * H;
  for (let r = 0; r < rows; r++) copyInto(at(P, r * GH), bh, GH);
  gemm(P, prev, wh, rows, H, GH, H, 1);
  for (let r = 0; r < rows; r++) {
    const hr = at(h, r * H), sr = at(s, r * 4 * H), pr = at(P, r * GH), xr = at(x, r * GH), hp = at(prev, r * H);
    let j = 0;
    for (; j + 4 <= H; j += 4) gruTorchLanes(hr, sr, pr, xr, hp, H, j, true);
    for (; j < H; j++) gruTorchLanes(hr, sr, pr, xr, hp, H, j, false);
  }
}

/** The book's gru, first part at j: r, z from p = xw + b_h + h_prev W_h [r z]; rh = r * h_prev. */
@inline function gruGateLanes(s: usize, rh: usize, p: usize, hp: usize, H: i32, j: i32, full: bool): void {
  const r = sigmoid4(load4(at(p, j), full));
  store4(at(s, j), r, full);
  store4(at(s, H + j), sigmoid4(load4(at(p, H + j), full)), full);
  store4(at(rh, j), f32x4.mul(r, load4(at(hp, j), full)), full);
}

/** The book's gru, second part at j: n = tanh(q), q = xw_n + b_hn + (r*h_prev) W_hn; h = (1-z)*n + z*h_prev. */
@inline function gruCandidateLanes(h: usize, s: usize, q: usize, hp: usize, H: i32, j: i32, full: bool): void {
  const n = tanh4(load4(at(q, j), full));
  const z = load4(at(s, H + j), full);
  store4(at(s, 2 * H + j), n, full);
  store4(at(h, j), f32x4.add(n, f32x4.mul(z, f32x4.sub(load4(at(hp, j), full), n))), full);
}

/** The book's gru: two dependent products, with W_h[:, 0:2H] (wrz) and W_h[:, 2H:3H] (whn) contiguous. */
function gruForwardStep(h: usize, s: usize, prev: usize, x: usize, wrz: usize, whn: usize, bh: usize,
  P: usize, rh: usize, Q: usize, rows: i32, H: i32): void {
  const GH = 3 * H;
  rowsPlusBias(P, x, GH, bh, rows, 2 * H);
  gemm(P, prev, wrz, rows, H, 2 * H, H, 1);
  for (let r = 0; r < rows; r++) {
    const sr = at(s, r * GH), rr = at(rh, r * H), pr = at(P, r * 2 * H), hp = at(prev, r * H);
    let j = 0;
    for (; j + 4 <= H; j += 4) gruGateLanes(sr, rr, pr, hp, H, j, true);
    for (; j < H; j++) gruGateLanes(sr, rr, pr, hp, H, j, false);
  }
  rowsPlusBias(Q, at(x, 2 * H), GH, at(bh, 2 * H), rows, H);
  gemm(Q, rh, whn, rows, H, H, H, 1);
  for (let r = 0; r < rows; r++) {
    const hr = at(h, r * H), sr = at(s, r * GH), qr = at(Q, r * H), hp = at(prev, r * H);
    let j = 0;
    for (; j + 4 <= H; j += 4) gruCandidateLanes(hr, sr, qr, hp, H, j, true);
    for (; j < H; j++) gruCandidateLanes(hr, sr, qr, hp, H, j, false);
  }
}

/**
 * All steps forward. hs (T,B,H) and saved (T,B,S*H) written; xw (T,B,G*H); wh (H,G*H); bh (G*H); h0 (B,H); c0 (B,H)
 * read for the LSTM only; scratch of recurrenceScratchFloats(cell, B, H, 0) floats.
 */
export function recurrenceForward(hs: usize, saved: usize, xw: usize, wh: usize, bh: usize, h0: usize, c0: usize,
  B: i32, T: i32, H: i32, cell: i32, scratch: usize): void {
  const GH = gateCount(cell) * H;
  const S = savedBlockCount(cell) * H;
  const R = panelRows(B, GH);
  // scratch: lstm, gru-torch P (R,GH); gru W_rz (H,2H), W_n (H,H), P (R,2H), rh (R,H), Q (R,H)
  let P = scratch, wrz = scratch, whn = scratch, rh = scratch, Q = scratch;
  if (cell == GRU) {
    whn = at(wrz, up4(2 * H * H));
    P = at(whn, up4(H * H));
    rh = at(P, up4(2 * R * H));
    Q = at(rh, up4(R * H));
    copyColumns(wrz, wh, H, 2 * H, GH, 0);
    copyColumns(whn, wh, H, H, GH, 2 * H);
  }
  for (let b0 = 0; b0 < B; b0 += R) {
    const rows = min(R, B - b0);
    for (let t = 0; t < T; t++) {
      const row = t * B + b0; // this panel's first row at step t
      const h = at(hs, row * H);
      const prev = t == 0 ? at(h0, b0 * H) : at(hs, (row - B) * H);
      const x = at(xw, row * GH);
      const s = at(saved, row * S);
      if (cell == RNN_TANH || cell == RNN_RELU) rnnForwardStep(h, prev, x, wh, bh, rows, H, cell == RNN_RELU);
      else if (cell == LSTM) {
        const cprev = t == 0 ? at(c0, b0 * H) : at(saved, (row - B) * S + 4 * H);
        lstmForwardStep(h, s, prev, cprev, t == 0 ? H : S, x, wh, bh, P, rows, H);
      } else if (cell == GRU_TORCH) gruTorchForwardStep(h, s, prev, x, wh, bh, P, rows, H);
      else gruForwardStep(h, s, prev, x, wrz, whn, bh, P, rh, Q, rows, H);
    }
  }
}

// ---- backward ---------------------------------------------------------------------------------------------------

/** rnn: da = (dhs + dnext) * act'(h), into dx (the panel's rows of dxw, which are also dhw). */
function rnnBackwardStep(dx: usize, g: usize, dnext: usize, h: usize, rows: i32, H: i32, relu: bool): void {
  const n = rows * H;
  const one = f32x4.splat(1.0);
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const hv = v128.load(at(h, i));
    const slope = relu ? v128.and(one, f32x4.gt(hv, zero)) : f32x4.sub(one, f32x4.mul(hv, hv));
    v128.store(at(dx, i), f32x4.mul(f32x4.add(v128.load(at(g, i)), v128.load(at(dnext, i))), slope));
  }
  for (; i < n; i++) {
    const hv = load<f32>(at(h, i));
    const slope: f32 = relu ? (hv > 0 ? 1 : 0) : 1 - hv * hv;
    store<f32>(at(dx, i), (load<f32>(at(g, i)) + load<f32>(at(dnext, i))) * slope);
  }
}

/** lstm at j: dx gets [di df dg do] (pre-activation gradients, also dhw); dc carries to c_{t-1} in place. */
@inline function lstmBackLanes(dx: usize, dc: usize, g: usize, dn: usize, s: usize, cp: usize, H: i32, j: i32, full: bool): void {
  const one = f32x4.splat(1.0);
  const dh = f32x4.add(load4(at(g, j), full), load4(at(dn, j), full));
  const i = load4(at(s, j), full);
  const f = load4(at(s, H + j), full);
  const gg = load4(at(s, 2 * H + j), full);
  const o = load4(at(s, 3 * H + j), full);
  const tc = tanh4(load4(at(s, 4 * H + j), full));
  const dcv = f32x4.add(load4(at(dc, j), full), f32x4.mul(f32x4.mul(dh, o), f32x4.sub(one, f32x4.mul(tc, tc))));
  store4(at(dx, j), f32x4.mul(f32x4.mul(dcv, gg), f32x4.mul(i, f32x4.sub(one, i))), full);
  store4(at(dx, H + j), f32x4.mul(f32x4.mul(dcv, load4(at(cp, j), full)), f32x4.mul(f, f32x4.sub(one, f))), full);
  store4(at(dx, 2 * H + j), f32x4.mul(f32x4.mul(dcv, i), f32x4.sub(one, f32x4.mul(gg, gg))), full);
  store4(at(dx, 3 * H + j), f32x4.mul(f32x4.mul(dh, tc), f32x4.mul(o, f32x4.sub(one, o))), full);
  store4(at(dc, j), f32x4.mul(dcv, f), full);
}

function lstmBackwardStep(dx: usize, dc: usize, g: usize, dnext: usize, s: usize, cprev: usize, ldc: i32, rows: i32, H: i32): void {
  for (let r = 0; r < rows; r++) {
    const dxr = at(dx, r * 4 * H), dcr = at(dc, r * H), gr = at(g, r * H), dnr = at(dnext, r * H);
    const sr = at(s, r * 5 * H), cr = at(cprev, r * ldc);
    let j = 0;
    for (; j + 4 <= H; j += 4) lstmBackLanes(dxr, dcr, gr, dnr, sr, cr, H, j, true);
    for (; j < H; j++) lstmBackLanes(dxr, dcr, gr, dnr, sr, cr, H, j, false);
  }
}

/** gru-torch at j: dx [dr dz dn] (gradients of xw), dhw [dr dz dn*r] (of h_prev W_h + b_h); dprev = dh*z. */
@inline function gruTorchBackLanes(dx: usize, dhw: usize, dprev: usize, g: usize, dn: usize, s: usize, hp: usize, H: i32, j: i32, full: bool): void {
  const one = f32x4.splat(1.0);
  const dh = f32x4.add(load4(at(g, j), full), load4(at(dn, j), full));
  const r = load4(at(s, j), full);
  const z = load4(at(s, H + j), full);
  const n = load4(at(s, 2 * H + j), full);
  const hwn = load4(at(s, 3 * H + j), full);
  const dz = f32x4.mul(f32x4.mul(dh, f32x4.sub(load4(at(hp, j), full), n)), f32x4.mul(z, f32x4.sub(one, z)));
  const dan = f32x4.mul(f32x4.mul(dh, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
  const dr = f32x4.mul(f32x4.mul(dan, hwn), f32x4.mul(r, f32x4.sub(one, r)));
  store4(at(dx, j), dr, full);
  store4(at(dx, H + j), dz, full);
  store4(at(dx, 2 * H + j), dan, full);
  store4(at(dhw, j), dr, full);
  store4(at(dhw, H + j), dz, full);
  store4(at(dhw, 2 * H + j), f32x4.mul(dan, r), full);
  store4(at(dprev, j), f32x4.mul(dh, z), full);
}

function gruTorchBackwardStep(dx: usize, dhw: usize, dprev: usize, g: usize, dnext: usize, s: usize, prev: usize, rows: i32, H: i32): void {
  for (let r = 0; r < rows; r++) {
    const dxr = at(dx, r * 3 * H), dhr = at(dhw, r * 3 * H), dpr = at(dprev, r * H), gr = at(g, r * H);
    const dnr = at(dnext, r * H), sr = at(s, r * 4 * H), hp = at(prev, r * H);
    let j = 0;
    for (; j + 4 <= H; j += 4) gruTorchBackLanes(dxr, dhr, dpr, gr, dnr, sr, hp, H, j, true);
    for (; j < H; j++) gruTorchBackLanes(dxr, dhr, dpr, gr, dnr, sr, hp, H, j, false);
  }
}

/** The book's gru, first part at j: dz and dn (into dx, dhw_rz's z block and dan), rh = r*h_prev, dprev = dh*z. */
@inline function gruBackLanes(dx: usize, dhwrz: usize, dan: usize, rh: usize, dprev: usize, g: usize, dn: usize, s: usize, hp: usize,
  H: i32, j: i32, full: bool): void {
  const one = f32x4.splat(1.0);
  const dh = f32x4.add(load4(at(g, j), full), load4(at(dn, j), full));
  const r = load4(at(s, j), full);
  const z = load4(at(s, H + j), full);
  const n = load4(at(s, 2 * H + j), full);
  const hprev = load4(at(hp, j), full);
  const dz = f32x4.mul(f32x4.mul(dh, f32x4.sub(hprev, n)), f32x4.mul(z, f32x4.sub(one, z)));
  const dn_ = f32x4.mul(f32x4.mul(dh, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
  store4(at(dx, H + j), dz, full);
  store4(at(dx, 2 * H + j), dn_, full);
  store4(at(dhwrz, H + j), dz, full);
  store4(at(dan, j), dn_, full);
  store4(at(rh, j), f32x4.mul(r, hprev), full);
  store4(at(dprev, j), f32x4.mul(dh, z), full);
}

/** The book's gru, second part at j: with drh = d(r*h_prev), dr into dx and dhw_rz; dprev += drh*r. */
@inline function gruResetLanes(dx: usize, dhwrz: usize, dprev: usize, drh: usize, s: usize, hp: usize, j: i32, full: bool): void {
  const one = f32x4.splat(1.0);
  const r = load4(at(s, j), full);
  const d = load4(at(drh, j), full);
  const dr = f32x4.mul(f32x4.mul(d, load4(at(hp, j), full)), f32x4.mul(r, f32x4.sub(one, r)));
  store4(at(dx, j), dr, full);
  store4(at(dhwrz, j), dr, full);
  store4(at(dprev, j), f32x4.add(load4(at(dprev, j), full), f32x4.mul(d, r)), full);
}

/**
 * The book's gru: the pointwise part through the candidate's product (drh = dan W_hn^T, dW_hn += rh^T dan, db_hn),
 * then the reset gate's. Leaves dhw_rz for the caller's product with [W_hr W_hz].
 */
function gruBackwardStep(dx: usize, dhwrz: usize, dan: usize, rh: usize, drh: usize, dprev: usize, g: usize, dnext: usize,
  s: usize, prev: usize, whnT: usize, dWn: usize, dbn: usize, rows: i32, H: i32): void {
  for (let r = 0; r < rows; r++) {
    const dxr = at(dx, r * 3 * H), dhr = at(dhwrz, r * 2 * H), dar = at(dan, r * H), rhr = at(rh, r * H), dpr = at(dprev, r * H);
    const gr = at(g, r * H), dnr = at(dnext, r * H), sr = at(s, r * 3 * H), hp = at(prev, r * H);
    let j = 0;
    for (; j + 4 <= H; j += 4) gruBackLanes(dxr, dhr, dar, rhr, dpr, gr, dnr, sr, hp, H, j, true);
    for (; j < H; j++) gruBackLanes(dxr, dhr, dar, rhr, dpr, gr, dnr, sr, hp, H, j, false);
  }
  memory.fill(drh, 0, <usize>(rows * H) << 2);
  gemm(drh, dan, whnT, rows, H, H, H, 1);
  gemm(dWn, rh, dan, H, rows, H, 1, H);
  addColumnSums(dbn, dan, H, rows, H);
  for (let r = 0; r < rows; r++) {
    const dxr = at(dx, r * 3 * H), dhr = at(dhwrz, r * 2 * H), dpr = at(dprev, r * H), dr = at(drh, r * H);
    const sr = at(s, r * 3 * H), hp = at(prev, r * H);
    let j = 0;
    for (; j + 4 <= H; j += 4) gruResetLanes(dxr, dhr, dpr, dr, sr, hp, j, true);
    for (; j < H; j++) gruResetLanes(dxr, dhr, dpr, dr, sr, hp, j, false);
  }
}

/**
 * Backprop through time. Writes dxw (T,B,G*H), dh0 (B,H) and, for the LSTM, dc0 (B,H); accumulates dwh (H,G*H) and
 * dbh (G*H). dhs (T,B,H) = dL/dhs; hs, saved, h0, c0, wh as in the forward; scratch of
 * recurrenceScratchFloats(cell, B, H, 1) floats.
 */
export function recurrenceBackward(dxw: usize, dwh: usize, dbh: usize, dh0: usize, dc0: usize,
  dhs: usize, hs: usize, saved: usize, h0: usize, c0: usize, wh: usize,
  B: i32, T: i32, H: i32, cell: i32, scratch: usize): void {
  const G = gateCount(cell);
  const GH = G * H;
  const S = savedBlockCount(cell) * H;
  const R = panelRows(B, GH);
  const gru = cell == GRU;
  // scratch: W_h^T (GH,H), dW_h (H,GH) (gru: dW_rz (H,2H) then dW_n (H,H)), db_h (GH), dnext (R,H), dprev (R,H), then
  // lstm dcnext (R,H); gru-torch dhw (R,GH); gru dhw_rz (R,2H), dan (R,H), rh (R,H), drh (R,H)
  const whT = scratch;
  const dW = at(whT, up4(GH * H));
  const db = at(dW, up4(H * GH));
  let dnext = at(db, up4(GH));
  let dprev = at(dnext, up4(R * H));
  const extra = at(dprev, up4(R * H));
  const dc = extra; // lstm
  const dhw = extra; // gru-torch (R,GH); gru (R,2H)
  const dan = at(dhw, up4(2 * R * H)); // gru
  const rh = at(dan, up4(R * H));
  const drh = at(rh, up4(R * H));
  transpose(whT, wh, H, GH);
  memory.fill(dW, 0, <usize>(H * GH) << 2);
  memory.fill(db, 0, <usize>GH << 2);
  // the product dhw W_h^T: all G gate blocks, or the book's gru's r and z (the first 2H rows of W_h^T)
  const m = gru ? 2 * H : GH;
  for (let b0 = 0; b0 < B; b0 += R) {
    const rows = min(R, B - b0);
    memory.fill(dnext, 0, <usize>(rows * H) << 2);
    if (cell == LSTM) memory.fill(dc, 0, <usize>(rows * H) << 2);
    for (let t = T - 1; t >= 0; t--) {
      const row = t * B + b0;
      const prev = t == 0 ? at(h0, b0 * H) : at(hs, (row - B) * H);
      const g = at(dhs, row * H);
      const dx = at(dxw, row * GH);
      const s = at(saved, row * S);
      // grad: dhw, the gradient of h_prev W_h + b_h, rows ldg floats apart (rnn, lstm: the panel of dxw itself)
      let grad = dx;
      let ldg = GH;
      if (cell == RNN_TANH || cell == RNN_RELU) {
        rnnBackwardStep(dx, g, dnext, at(hs, row * H), rows, H, cell == RNN_RELU);
        memory.fill(dprev, 0, <usize>(rows * H) << 2);
      } else if (cell == LSTM) {
        const cprev = t == 0 ? at(c0, b0 * H) : at(saved, (row - B) * S + 4 * H);
        lstmBackwardStep(dx, dc, g, dnext, s, cprev, t == 0 ? H : S, rows, H);
        memory.fill(dprev, 0, <usize>(rows * H) << 2);
      } else if (cell == GRU_TORCH) {
        gruTorchBackwardStep(dx, dhw, dprev, g, dnext, s, prev, rows, H);
        grad = dhw;
      } else {
        gruBackwardStep(dx, dhw, dan, rh, drh, dprev, g, dnext, s, prev, at(whT, 2 * H * H), at(dW, 2 * H * H), at(db, 2 * H), rows, H);
        grad = dhw;
        ldg = 2 * H;
      }
      gemm(dW, prev, grad, H, rows, m, 1, H); // dW_h += h_prev^T dhw
      addColumnSums(db, grad, ldg, rows, m);
      gemm(dprev, grad, whT, rows, m, H, ldg, 1); // dh_prev = direct terms + dhw W_h^T
      const swap = dnext;
      dnext = dprev;
      dprev = swap;
    }
    copyInto(at(dh0, b0 * H), dnext, rows * H);
    if (cell == LSTM) copyInto(at(dc0, b0 * H), dc, rows * H);
  }
  if (gru) {
    addColumns(dwh, dW, H, 2 * H, GH, 0);
    addColumns(dwh, at(dW, 2 * H * H), H, H, GH, 2 * H);
  } else addInto(dwh, dW, H * GH);
  addInto(dbh, db, GH);
}
