// The reference recurrence kernels: every cell of cells.ts, forward over all steps and backprop through time,
// in plain TypeScript with double-precision sums. The oracle for asm/recurrence.ts and native/recurrence.cc.
// Letters: B batch, T steps, H hidden, G gate blocks, S saved blocks (cells.ts). Rows are (step, batch) pairs.
import { gateCount, hasCellState, savedBlocks } from './cells.js';
import type { FloatArray } from './arrays.js';
import type { RecurrenceBackwardArgs, RecurrenceForwardArgs } from './signatures.js';

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** out (n,m) = a (n,k) @ w[:, c0:c0+m] + bias[c0:c0+m], where w is (k, ldw); plain loops. */
function affine(out: Float64Array, a: ArrayLike<number>, w: FloatArray, bias: FloatArray, n: number, k: number, m: number, ldw: number, c0: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = bias[c0 + j]!;
      for (let p = 0; p < k; p++) s += a[i * k + p]! * w[p * ldw + c0 + j]!;
      out[i * m + j] = s;
    }
  }
}

/**
 * All steps forward. hs (T,B,H) and saved (T,B,S*H) are written; xw (T,B,G*H); wh (H,G*H); bh (G*H); h0 (B,H);
 * c0 (B,H) read for the LSTM only.
 */
export function recurrenceForward({ hs, saved, xw, wh, bh, h0, c0, B, T, H, cell }: RecurrenceForwardArgs): void {
  const G = gateCount(cell);
  const S = savedBlocks(cell) * H;
  const GH = G * H;
  const hw = new Float64Array(B * GH); // h_prev W_h + b_h, all gates (the book's gru: r and z only)
  const rh = new Float64Array(B * H); // the book's gru: r * h_prev
  const hn = new Float64Array(B * H); // the book's gru: (r * h_prev) W_hn + b_hn
  for (let t = 0; t < T; t++) {
    const prev = t === 0 ? h0 : hs.subarray((t - 1) * B * H, t * B * H);
    const gru = cell === 'gru';
    affine(hw, prev, wh, bh, B, H, gru ? 2 * H : GH, GH, 0);
    for (let b = 0; b < B; b++) {
      const x = (t * B + b) * GH; // this row's xw
      const o = (t * B + b) * H; // this row's h
      const s = (t * B + b) * S; // this row's saved values
      const hwRow = b * (gru ? 2 * H : GH);
      for (let j = 0; j < H; j++) {
        const hp = prev[b * H + j]!;
        const a = (g: number): number => xw[x + g * H + j]! + hw[hwRow + g * H + j]!; // pre-activation of gate g
        if (cell === 'rnn-tanh') hs[o + j] = Math.tanh(a(0));
        else if (cell === 'rnn-relu') hs[o + j] = Math.max(a(0), 0);
        else if (cell === 'lstm') {
          const [i, f, g, og] = [sigmoid(a(0)), sigmoid(a(1)), Math.tanh(a(2)), sigmoid(a(3))];
          const cp = t === 0 ? c0[b * H + j]! : saved[s - B * S + 4 * H + j]!;
          const c = f * cp + i * g;
          [saved[s + j], saved[s + H + j], saved[s + 2 * H + j], saved[s + 3 * H + j], saved[s + 4 * H + j]] = [i, f, g, og, c];
          hs[o + j] = og * Math.tanh(c);
        } else {
          const r = sigmoid(a(0));
          const z = sigmoid(a(1));
          saved[s + j] = r;
          saved[s + H + j] = z;
          if (cell === 'gru') rh[b * H + j] = r * hp;
          else {
            const hwn = hw[hwRow + 2 * H + j]!;
            const n = Math.tanh(xw[x + 2 * H + j]! + r * hwn);
            saved[s + 2 * H + j] = n;
            saved[s + 3 * H + j] = hwn;
            hs[o + j] = (1 - z) * n + z * hp;
          }
        }
      }
    }
    if (cell !== 'gru') continue;
    // the book's candidate: n = tanh(xw_n + (r * h_prev) W_hn + b_hn), a second product that needs r first
    affine(hn, rh, wh, bh, B, H, H, GH, 2 * H);
    for (let b = 0; b < B; b++) {
      const x = (t * B + b) * GH;
      const o = (t * B + b) * H;
      const s = (t * B + b) * S;
      for (let j = 0; j < H; j++) {
        const n = Math.tanh(xw[x + 2 * H + j]! + hn[b * H + j]!);
        const z = saved[s + H + j]!;
        saved[s + 2 * H + j] = n;
        hs[o + j] = (1 - z) * n + z * prev[b * H + j]!;
      }
    }
  }
}

/**
 * Backprop through time for recurrenceForward. dhs (T,B,H) = dL/dhs, read only. Writes dxw (T,B,G*H) = dL/dxw,
 * dh0 (B,H) and, for the LSTM, dc0 (B,H); accumulates dwh (H,G*H) and dbh (G*H). hs, saved, h0, c0, wh as given
 * to (or written by) the forward.
 */
export function recurrenceBackward({ dxw, dwh, dbh, dh0, dc0, dhs, hs, saved, h0, c0, wh, B, T, H, cell }: RecurrenceBackwardArgs): void {
  const G = gateCount(cell);
  const S = savedBlocks(cell) * H;
  const GH = G * H;
  const dnext = new Float64Array(B * H); // dL/dh_t arriving from step t+1
  const dcnext = new Float64Array(B * H); // LSTM: dL/dc_t arriving from step t+1
  const dhw = new Float64Array(B * GH); // dL/d(h_prev W_h + b_h), the recurrent pre-activations
  const drh = new Float64Array(B * H); // the book's gru: dL/d(r * h_prev)
  const rh = new Float64Array(B * H);
  const dprev = new Float64Array(B * H); // dL/dh_{t-1}, direct terms first
  for (let t = T - 1; t >= 0; t--) {
    const prev = t === 0 ? h0 : hs.subarray((t - 1) * B * H, t * B * H);
    for (let b = 0; b < B; b++) {
      const x = (t * B + b) * GH;
      const o = (t * B + b) * H;
      const s = (t * B + b) * S;
      for (let j = 0; j < H; j++) {
        const dh = dhs[o + j]! + dnext[b * H + j]!;
        const hp = prev[b * H + j]!;
        let direct = 0; // dL/dh_prev other than through W_h
        if (cell === 'rnn-tanh' || cell === 'rnn-relu') {
          const h = hs[o + j]!;
          const da = dh * (cell === 'rnn-tanh' ? 1 - h * h : h > 0 ? 1 : 0);
          dxw[x + j] = da;
          dhw[b * GH + j] = da;
        } else if (cell === 'lstm') {
          const [i, f, g, og, c] = [saved[s + j]!, saved[s + H + j]!, saved[s + 2 * H + j]!, saved[s + 3 * H + j]!, saved[s + 4 * H + j]!];
          const cp = t === 0 ? c0[b * H + j]! : saved[s - B * S + 4 * H + j]!;
          const tc = Math.tanh(c);
          const dc = dcnext[b * H + j]! + dh * og * (1 - tc * tc);
          const da = [dc * g * i * (1 - i), dc * cp * f * (1 - f), dc * i * (1 - g * g), dh * tc * og * (1 - og)];
          da.forEach((v, k) => {
            dxw[x + k * H + j] = v;
            dhw[b * GH + k * H + j] = v;
          });
          dcnext[b * H + j] = dc * f; // becomes dL/dc_{t-1}
        } else {
          const [r, z, n] = [saved[s + j]!, saved[s + H + j]!, saved[s + 2 * H + j]!];
          const dz = dh * (hp - n);
          const dan = dh * (1 - z) * (1 - n * n);
          direct = dh * z;
          dxw[x + 2 * H + j] = dan;
          dxw[x + H + j] = dz * z * (1 - z);
          dhw[b * GH + H + j] = dz * z * (1 - z);
          if (cell === 'gru-torch') {
            const dr = dan * saved[s + 3 * H + j]!;
            dxw[x + j] = dr * r * (1 - r);
            dhw[b * GH + j] = dr * r * (1 - r);
            dhw[b * GH + 2 * H + j] = dan * r;
          } else {
            dhw[b * GH + 2 * H + j] = dan; // gradient of (r*h_prev) W_hn + b_hn
            rh[b * H + j] = r * hp;
          }
        }
        dprev[b * H + j] = direct;
      }
    }
    if (cell === 'gru') {
      // through the candidate's product: d(r*h_prev) = dan W_hn^T, dW_hn += (r*h_prev)^T dan, db_hn += sum dan
      for (let b = 0; b < B; b++) {
        for (let k = 0; k < H; k++) {
          let s = 0;
          for (let j = 0; j < H; j++) s += dhw[b * GH + 2 * H + j]! * wh[k * GH + 2 * H + j]!;
          drh[b * H + k] = s;
        }
      }
      accumulateWeights(dwh, dbh, rh, dhw, B, H, GH, 2 * H, H);
      for (let b = 0; b < B; b++) {
        const s = (t * B + b) * S;
        const x = (t * B + b) * GH;
        for (let j = 0; j < H; j++) {
          const r = saved[s + j]!;
          const d = drh[b * H + j]!;
          const dr = d * prev[b * H + j]!;
          dxw[x + j] = dr * r * (1 - r);
          dhw[b * GH + j] = dr * r * (1 - r);
          dprev[b * H + j] = dprev[b * H + j]! + d * r;
        }
      }
    }
    // through the recurrent product of the gates that read h_prev directly: all G, or r and z of the book's gru
    const m = cell === 'gru' ? 2 * H : GH;
    accumulateWeights(dwh, dbh, prev, dhw, B, H, GH, 0, m);
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < H; k++) {
        let s = dprev[b * H + k]!;
        for (let j = 0; j < m; j++) s += dhw[b * GH + j]! * wh[k * GH + j]!;
        dnext[b * H + k] = s;
      }
    }
  }
  dh0.set(dnext);
  if (hasCellState(cell)) dc0.set(dcnext);
}

/** dwh[:, c0:c0+m] += a^T dhw[:, c0:c0+m] and dbh[c0:c0+m] += column sums, for a (B,H) and dhw (B,GH). */
function accumulateWeights(dwh: FloatArray, dbh: FloatArray, a: ArrayLike<number>, dhw: Float64Array, B: number, H: number, GH: number, c0: number, m: number): void {
  for (let k = 0; k < H; k++) {
    for (let j = c0; j < c0 + m; j++) {
      let s = 0;
      for (let b = 0; b < B; b++) s += a[b * H + k]! * dhw[b * GH + j]!;
      dwh[k * GH + j] = dwh[k * GH + j]! + s;
    }
  }
  for (let j = c0; j < c0 + m; j++) {
    let s = 0;
    for (let b = 0; b < B; b++) s += dhw[b * GH + j]!;
    dbh[j] = dbh[j]! + s;
  }
}
