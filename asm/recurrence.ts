// The fused recurrence: all time steps of one recurrent layer forward, and backprop through time, for every cell of
// asm/contracts.ts (the fast twins of src/backend/reference-recurrence.ts, which has the equations).
//
// Rows of the batch are independent in time, so both kernels walk the batch in panels of R = panelRows(B, G*H) rows and
// carry each panel through all steps: the panel's state, its gate pre-activations and W_h stay in cache from step to
// step, and xw, hs and saved are streamed once. Per (panel, step) the recurrent product is the blocked gemm on R rows
// (pre-activations start as xw + b_h, or b_h alone where the cell needs h_prev W_h apart), then the pointwise gate
// math runs 4 lanes at a time along each row, with the row's tail (H not a multiple of 4) in lane 0 of the same code.
// The backward forms dh_prev = dhw W_h^T with a transposed copy of W_h made once per call, then adds dW_h (the sum of
// h_prev^T dhw over all steps, a product with a transposed view of h_prev) and db_h into dwh and dbh. The parts of
// a team (asm/team.ts) take shares of the batch's rows through the steps and shares of dW_h's columns after.
// Pointers are byte offsets into memory; outputs first, sizes last; scratch as recurrenceScratchFloats lays it out.

import { CHUNK_ROWS, GRU, GRU_TORCH, LSTM, RNN_RELU, RNN_TANH, gateCount, panelRows, recurrenceOwnFloats, recurrenceSharedFloats, savedBlockCount, up4 } from './contracts';
import { share, teamSync } from './team';
import { addInto, copyColumns, copyInto, gemm, gemmLd, transpose } from './gemm';
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

/** The first row of part `part`'s share of B rows, in whole units of 4 (asm/team.ts); rowsOf(B, parts, parts) = B. */
@inline function rowsOf(B: i32, part: i32, parts: i32): i32 {
  return min(B, share((B + 3) >> 2, part, parts) << 2);
}

/**
 * All steps forward. hs (T,B,H) and saved (T,B,S*H) written; xw (T,B,G*H); wh (H,G*H); bh (G*H); h0 (B,H); c0 (B,H)
 * read for the LSTM only; scratch of recurrenceScratchFloats(cell, B, H, 0, parts) floats. Part `part` of `parts`
 * (asm/team.ts) carries its share of the batch's rows through all steps: rows are independent in time, so the parts
 * meet only once, after the book's GRU's shared copies of W_h; every row's floats are the same on any number of parts.
 */
export function recurrenceForward(hs: usize, saved: usize, xw: usize, wh: usize, bh: usize, h0: usize, c0: usize,
  B: i32, T: i32, H: i32, cell: i32, scratch: usize, team: usize, part: i32, parts: i32): void {
  const GH = gateCount(cell) * H;
  const S = savedBlockCount(cell) * H;
  const R = panelRows(B, GH);
  // scratch: shared, the book's gru's W_rz (H,2H) and W_n (H,H); then each part's own: lstm, gru-torch P (R,GH);
  // gru P (R,2H), rh (R,H), Q (R,H)
  const wrz = scratch;
  const whn = at(wrz, up4(2 * H * H));
  const P = at(scratch, recurrenceSharedFloats(cell, H, 0) + part * recurrenceOwnFloats(cell, B, H, 0));
  const rh = at(P, up4(2 * R * H));
  const Q = at(rh, up4(R * H));
  if (cell == GRU) {
    if (part == 0) {
      copyColumns(wrz, wh, H, 2 * H, GH, 0);
      copyColumns(whn, wh, H, H, GH, 2 * H);
    }
    teamSync(team, parts);
  }
  const end = rowsOf(B, part + 1, parts);
  for (let b0 = rowsOf(B, part, parts); b0 < end; b0 += R) {
    const rows = min(R, end - b0);
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
 * The book's gru: the pointwise part through the candidate's product (drh = dan W_hn^T), then the reset gate's.
 * Leaves dhw_rz for the caller's product with [W_hr W_hz]; dW_hn and db_hn come after all steps (weightGradients).
 */
function gruBackwardStep(dx: usize, dhwrz: usize, dan: usize, rh: usize, drh: usize, dprev: usize, g: usize, dnext: usize,
  s: usize, prev: usize, whnT: usize, rows: i32, H: i32): void {
  for (let r = 0; r < rows; r++) {
    const dxr = at(dx, r * 3 * H), dhr = at(dhwrz, r * 2 * H), dar = at(dan, r * H), rhr = at(rh, r * H), dpr = at(dprev, r * H);
    const gr = at(g, r * H), dnr = at(dnext, r * H), sr = at(s, r * 3 * H), hp = at(prev, r * H);
    let j = 0;
    for (; j + 4 <= H; j += 4) gruBackLanes(dxr, dhr, dar, rhr, dpr, gr, dnr, sr, hp, H, j, true);
    for (; j < H; j++) gruBackLanes(dxr, dhr, dar, rhr, dpr, gr, dnr, sr, hp, H, j, false);
  }
  memory.fill(drh, 0, <usize>(rows * H) << 2);
  gemm(drh, dan, whnT, rows, H, H, H, 1);
  for (let r = 0; r < rows; r++) {
    const dxr = at(dx, r * 3 * H), dhr = at(dhwrz, r * 2 * H), dpr = at(dprev, r * H), dr = at(drh, r * H);
    const sr = at(s, r * 3 * H), hp = at(prev, r * H);
    let j = 0;
    for (; j + 4 <= H; j += 4) gruResetLanes(dxr, dhr, dpr, dr, sr, hp, j, true);
    for (; j < H; j++) gruResetLanes(dxr, dhr, dpr, dr, sr, hp, j, false);
  }
}

/**
 * Rows of h_prev and dxw per product in dW_h's sum: one product over all (T-1)B rows streamed each 4x8 tile's
 * columns of dxw through memory (the backward at 3x its time; measured at LSTM B 1024 T 32 H 256), 64 rows cost
 * about 5%, 128 the time of the per-step products before.
 */
const DW_ROWS: i32 = 128;

/** The first column of unit u of 8 columns, counted in the plain block (plainUnits of them) and then in the n block. */
@inline function unitColumn(u: i32, plainUnits: i32, plain: i32, GH: i32): i32 {
  return u <= plainUnits ? min(plain, u << 3) : min(GH, plain + ((u - plainUnits) << 3));
}

/**
 * dW_h and db_h, the sums over all steps and rows of h_prev^T dhw and of dhw, where dhw = dL/d(h_prev W_h + b_h):
 * dxw itself but for the GRUs' n block (gru-torch: dan * r; the book's gru: dan, with r * h_prev in h_prev's place),
 * formed again here from dxw and saved, the same floats as the steps formed. Part `part` takes a block of whole
 * 8-column units of G*H and sums every row into it in one order (steps 1..T-1, then step 0), so dW_h and db_h are the
 * same floats on any number of parts; dxw's plain columns are products of DW_ROWS rows over all steps (steps 1..T-1,
 * then h0's B rows).
 */
function weightGradients(dwh: usize, dbh: usize, dxw: usize, hs: usize, saved: usize, h0: usize, B: i32, T: i32, H: i32,
  cell: i32, chunk: usize, part: i32, parts: i32): void {
  const GH = gateCount(cell) * H;
  const S = savedBlockCount(cell) * H;
  const plain = cell == GRU || cell == GRU_TORCH ? 2 * H : GH; // columns whose dhw is dxw's and whose A is h_prev
  // units of 8 columns counted from the start of each block (plain, then the n block), so that every product's
  // columns start where they do on one part: a product's last columns past a multiple of 4 sum in another order
  const plainUnits = (plain + 7) >> 3;
  const units = plainUnits + ((GH - plain + 7) >> 3);
  const lo = unitColumn(share(units, part, parts), plainUnits, plain, GH);
  const hi = unitColumn(share(units, part + 1, parts), plainUnits, plain, GH);
  const ph = min(hi, plain);
  if (lo < ph) {
    // k in chunks of DW_ROWS rows, so that a chunk of dxw's columns stays in cache across dW_h's rows
    const k1 = (T - 1) * B;
    for (let p0 = 0; p0 < k1; p0 += DW_ROWS) {
      gemmLd(at(dwh, lo), GH, at(hs, p0 * H), 1, H, at(dxw, (B + p0) * GH + lo), GH, H, min(DW_ROWS, k1 - p0), ph - lo);
    }
    for (let p0 = 0; p0 < B; p0 += DW_ROWS) {
      gemmLd(at(dwh, lo), GH, at(h0, p0 * H), 1, H, at(dxw, p0 * GH + lo), GH, H, min(DW_ROWS, B - p0), ph - lo);
    }
  }
  const nl = max(lo, plain);
  const w = hi - nl; // this part's columns of the n block
  for (let i = 1; i <= T && w > 0; i++) {
    const t = i % T; // steps 1..T-1, then 0
    for (let r0 = 0; r0 < B; r0 += CHUNK_ROWS) {
      const rows = min(CHUNK_ROWS, B - r0);
      const row = t * B + r0;
      const prev = t == 0 ? at(h0, r0 * H) : at(hs, (row - B) * H);
      if (cell == GRU_TORCH) {
        // dhw_n = dan * r (r: saved block 0), this part's columns, (rows, w)
        for (let r = 0; r < rows; r++) {
          const c = at(chunk, r * w), d = at(dxw, (row + r) * GH + nl), rr = at(saved, (row + r) * S + nl - 2 * H);
          let j = 0;
          for (; j + 4 <= w; j += 4) v128.store(at(c, j), f32x4.mul(v128.load(at(d, j)), v128.load(at(rr, j))));
          for (; j < w; j++) store<f32>(at(c, j), load<f32>(at(d, j)) * load<f32>(at(rr, j)));
        }
        gemmLd(at(dwh, nl), GH, prev, 1, H, chunk, w, H, rows, w);
      } else {
        // the book's gru: rh = r * h_prev (rows, H), then dW_hn += rh^T dan
        for (let r = 0; r < rows; r++) {
          const c = at(chunk, r * H), hp = at(prev, r * H), rr = at(saved, (row + r) * S);
          let j = 0;
          for (; j + 4 <= H; j += 4) v128.store(at(c, j), f32x4.mul(v128.load(at(rr, j)), v128.load(at(hp, j))));
          for (; j < H; j++) store<f32>(at(c, j), load<f32>(at(rr, j)) * load<f32>(at(hp, j)));
        }
        gemmLd(at(dwh, nl), GH, chunk, 1, H, at(dxw, row * GH + nl), GH, H, rows, w);
      }
    }
  }
  // db_h: this part's columns summed over every row in order
  const torchN = cell == GRU_TORCH && w > 0;
  const pw = cell == GRU_TORCH ? ph - lo : hi - lo;
  for (let row = 0; row < T * B; row++) {
    if (pw > 0) addInto(at(dbh, lo), at(dxw, row * GH + lo), pw);
    if (torchN) {
      const o = at(dbh, nl), d = at(dxw, row * GH + nl), rr = at(saved, row * S + nl - 2 * H);
      let j = 0;
      for (; j + 4 <= w; j += 4) v128.store(at(o, j), f32x4.add(v128.load(at(o, j)), f32x4.mul(v128.load(at(d, j)), v128.load(at(rr, j)))));
      for (; j < w; j++) store<f32>(at(o, j), load<f32>(at(o, j)) + load<f32>(at(d, j)) * load<f32>(at(rr, j)));
    }
  }
}

/**
 * Backprop through time. Writes dxw (T,B,G*H), dh0 (B,H) and, for the LSTM, dc0 (B,H); accumulates dwh (H,G*H) and
 * dbh (G*H). dhs (T,B,H) = dL/dhs; hs, saved, h0, c0, wh as in the forward; scratch of
 * recurrenceScratchFloats(cell, B, H, 1, parts) floats. Part `part` of `parts` (asm/team.ts) carries its share of the
 * batch's rows back through all steps (dxw, dh0, dc0: rows are independent in time), the parts meet, and each sums
 * its columns of dW_h and db_h over all rows (weightGradients): the same floats on any number of parts.
 */
export function recurrenceBackward(dxw: usize, dwh: usize, dbh: usize, dh0: usize, dc0: usize,
  dhs: usize, hs: usize, saved: usize, h0: usize, c0: usize, wh: usize,
  B: i32, T: i32, H: i32, cell: i32, scratch: usize, team: usize, part: i32, parts: i32): void {
  const G = gateCount(cell);
  const GH = G * H;
  const S = savedBlockCount(cell) * H;
  const R = panelRows(B, GH);
  const gru = cell == GRU;
  // scratch: shared W_h^T (GH,H); this part's dnext (R,H), dprev (R,H), then lstm dcnext (R,H); gru-torch dhw (R,GH);
  // gru dhw_rz (R,2H), dan (R,H), rh (R,H), drh (R,H); then the GRUs' chunk (recurrenceOwnFloats)
  const whT = scratch;
  let dnext = at(scratch, recurrenceSharedFloats(cell, H, 1) + part * recurrenceOwnFloats(cell, B, H, 1));
  let dprev = at(dnext, up4(R * H));
  const extra = at(dprev, up4(R * H));
  const dc = extra; // lstm
  const dhw = extra; // gru-torch (R,GH); gru (R,2H)
  const dan = at(dhw, up4(2 * R * H)); // gru
  const rh = at(dan, up4(R * H));
  const drh = at(rh, up4(R * H));
  const chunk = cell == GRU_TORCH ? at(extra, up4(R * GH)) : at(drh, up4(R * H));
  if (part == 0) transpose(whT, wh, H, GH);
  teamSync(team, parts); // W_h^T whole
  // the product dhw W_h^T: all G gate blocks, or the book's gru's r and z (the first 2H rows of W_h^T)
  const m = gru ? 2 * H : GH;
  const end = rowsOf(B, part + 1, parts);
  for (let b0 = rowsOf(B, part, parts); b0 < end; b0 += R) {
    const rows = min(R, end - b0);
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
        gruBackwardStep(dx, dhw, dan, rh, drh, dprev, g, dnext, s, prev, at(whT, 2 * H * H), rows, H);
        grad = dhw;
        ldg = 2 * H;
      }
      gemm(dprev, grad, whT, rows, m, H, ldg, 1); // dh_prev = direct terms + dhw W_h^T
      const swap = dnext;
      dnext = dprev;
      dprev = swap;
    }
    copyInto(at(dh0, b0 * H), dnext, rows * H);
    if (cell == LSTM) copyInto(at(dc0, b0 * H), dc, rows * H);
  }
  teamSync(team, parts); // dxw whole
  weightGradients(dwh, dbh, dxw, hs, saved, h0, B, T, H, cell, chunk, part, parts);
}
