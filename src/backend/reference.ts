// The reference backend: plain TypeScript kernels, float32 or float64, accumulating in double precision.
// It is the oracle every fast backend is tested against, and the fallback where WebAssembly SIMD is missing.
// Kernel code indexes typed arrays with `!`: under noUncheckedIndexedAccess this is the one way we read them.
import type { Activation, Backend } from './backend.js';
import type { FloatArray } from '../tensor/tensor.js';

function matmul(out: FloatArray, a: FloatArray, b: FloatArray, n: number, k: number, m: number, transA: boolean, transB: boolean): void {
  // out (n,m); a (n,k) or (k,n) when transA; b (k,m) or (m,k) when transB
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const aip = transA ? a[p * n + i]! : a[i * k + p]!;
        const bpj = transB ? b[j * k + p]! : b[p * m + j]!;
        s += aip * bpj;
      }
      out[i * m + j] = s;
    }
  }
}

function activate(s: number, act: Activation): number {
  return act === 'tanh' ? Math.tanh(s) : s > 0 ? s : 0;
}

/** d act / d s written in terms of the output h = act(s). */
function activationSlope(h: number, act: Activation): number {
  return act === 'tanh' ? 1 - h * h : h > 0 ? 1 : 0;
}

function rnnForward(hs: FloatArray, tokens: Int32Array, table: FloatArray, whh: FloatArray, bh: FloatArray, h0: FloatArray,
  B: number, T: number, H: number, act: Activation): void {
  // hs (T,B,H); tokens (B,T); table (V,H); whh (H,H); bh (H); h0 (B,H)
  for (let t = 0; t < T; t++) {
    const prev = t === 0 ? h0 : hs.subarray((t - 1) * B * H, t * B * H);
    for (let b = 0; b < B; b++) {
      const x = tokens[b * T + t]!;
      for (let j = 0; j < H; j++) {
        let s = table[x * H + j]! + bh[j]!;
        for (let k = 0; k < H; k++) s += prev[b * H + k]! * whh[k * H + j]!;
        hs[(t * B + b) * H + j] = activate(s, act);
      }
    }
  }
}

function rnnBackward(dtable: FloatArray, dwhh: FloatArray, dbh: FloatArray, dh0: FloatArray,
  dhs: FloatArray, hs: FloatArray, h0: FloatArray, tokens: Int32Array, whh: FloatArray,
  B: number, T: number, H: number, act: Activation): void {
  // dtable (V,H) +=; dwhh (H,H) +=; dbh (H) +=; dh0 (B,H) =; dhs, hs (T,B,H); h0 (B,H); tokens (B,T); whh (H,H)
  const dnext = new Float64Array(B * H); // dL/dh_t arriving from step t+1
  const dz = new Float64Array(B * H); // dL/d(pre-activation) at step t
  for (let t = T - 1; t >= 0; t--) {
    const prev = t === 0 ? h0 : hs.subarray((t - 1) * B * H, t * B * H);
    for (let i = 0; i < B * H; i++) {
      const at = t * B * H + i;
      dz[i] = (dhs[at]! + dnext[i]!) * activationSlope(hs[at]!, act);
    }
    for (let b = 0; b < B; b++) {
      const x = tokens[b * T + t]!;
      for (let j = 0; j < H; j++) {
        const g = dz[b * H + j]!;
        dbh[j] = dbh[j]! + g;
        dtable[x * H + j] = dtable[x * H + j]! + g;
      }
    }
    for (let k = 0; k < H; k++) {
      for (let j = 0; j < H; j++) {
        let s = 0;
        for (let b = 0; b < B; b++) s += prev[b * H + k]! * dz[b * H + j]!;
        dwhh[k * H + j] = dwhh[k * H + j]! + s;
      }
    }
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < H; k++) {
        let s = 0;
        for (let j = 0; j < H; j++) s += dz[b * H + j]! * whh[k * H + j]!;
        dnext[b * H + k] = s;
      }
    }
  }
  dh0.set(dnext);
}

function linearCrossEntropy(hs: FloatArray, whq: FloatArray, bq: FloatArray, labels: Int32Array, N: number, H: number, V: number,
  dhs: FloatArray | null, dwhq: FloatArray | null, dbq: FloatArray | null, gradScale: number): number {
  // hs (N,H); whq (H,V); bq (V); labels (N); dhs (N,H) =; dwhq (H,V) +=; dbq (V) += (gradients times gradScale)
  const z = new Float64Array(V);
  let loss = 0;
  for (let r = 0; r < N; r++) {
    let max = -Infinity;
    for (let v = 0; v < V; v++) {
      let s = bq[v]!;
      for (let j = 0; j < H; j++) s += hs[r * H + j]! * whq[j * V + v]!;
      z[v] = s;
      if (s > max) max = s;
    }
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(z[v]! - max);
    const y = labels[r]!;
    loss += Math.log(sum) + max - z[y]!;
    if (dhs === null) continue;
    // dloss/dz = softmax(z) - onehot(y), times gradScale; reuse z to hold it
    for (let v = 0; v < V; v++) z[v] = (Math.exp(z[v]! - max) / sum - (v === y ? 1 : 0)) * gradScale;
    for (let j = 0; j < H; j++) {
      const h = hs[r * H + j]!;
      let s = 0;
      for (let v = 0; v < V; v++) {
        s += z[v]! * whq[j * V + v]!;
        if (dwhq !== null) dwhq[j * V + v] = dwhq[j * V + v]! + h * z[v]!;
      }
      dhs[r * H + j] = s;
    }
    if (dbq !== null) for (let v = 0; v < V; v++) dbq[v] = dbq[v]! + z[v]!;
  }
  return loss;
}

export const referenceBackend: Backend = {
  name: 'reference',
  matmul,
  rnnForward,
  rnnBackward,
  linearCrossEntropy,
};
