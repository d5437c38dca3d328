// The reference backend: plain TypeScript kernels, float32 or float64, accumulating in double precision.
// It is the oracle every fast backend is tested against, and the fallback where WebAssembly SIMD is missing.
// Kernel code indexes typed arrays with `!`: under noUncheckedIndexedAccess this is the one way we read them.
import type { Backend } from './backend.js';
import { CONTRACTS } from './cells.js';
import { recurrenceBackward, recurrenceForward } from './reference-recurrence.js';
import type { FloatArray } from './arrays.js';
import type { LinearCrossEntropyArgs } from './signatures.js';

function matmul(out: FloatArray, a: FloatArray, b: FloatArray, n: number, k: number, m: number, transA: boolean, transB: boolean, accumulate = false): void {
  // out (n,m); a (n,k) or (k,n) when transA; b (k,m) or (m,k) when transB
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const aip = transA ? a[p * n + i]! : a[i * k + p]!;
        const bpj = transB ? b[j * k + p]! : b[p * m + j]!;
        s += aip * bpj;
      }
      // accumulating, the product is rounded to out's type first: matmul then add, as before ops.ts's linear existed
      out[i * m + j] = accumulate ? out[i * m + j]! + (out instanceof Float32Array ? Math.fround(s) : s) : s;
    }
  }
}

function transpose(out: FloatArray, a: FloatArray, rows: number, cols: number): void {
  // out (cols,rows); a (rows,cols)
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j]!;
}

function gatherRows(out: FloatArray, table: FloatArray, indices: Int32Array, N: number, W: number): void {
  // out (N,W); table (V,W); indices (N)
  for (let i = 0; i < N; i++) {
    const r = indices[i]!;
    for (let j = 0; j < W; j++) out[i * W + j] = table[r * W + j]!;
  }
}

function scatterAddRows(dtable: FloatArray, g: FloatArray, indices: Int32Array, N: number, W: number): void {
  // dtable (V,W) +=; g (N,W); indices (N)
  for (let i = 0; i < N; i++) {
    const r = indices[i]!;
    for (let j = 0; j < W; j++) dtable[r * W + j] = dtable[r * W + j]! + g[i * W + j]!;
  }
}

function linearCrossEntropy({ hs, whq, bq, labels, N, H, V, dhs: dhsGiven, dwhq, dbq, gradScale }: LinearCrossEntropyArgs): number {
  // gradients only with all three arrays (signatures.ts): with some but not all, the loss only, as every backend
  const dhs = dwhq !== null && dbq !== null ? dhsGiven : null;
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
        dwhq![j * V + v] = dwhq![j * V + v]! + h * z[v]!;
      }
      dhs[r * H + j] = s;
    }
    for (let v = 0; v < V; v++) dbq![v] = dbq![v]! + z[v]!;
  }
  return loss;
}

export const referenceBackend: Backend = {
  name: 'reference',
  contracts: CONTRACTS,
  matmul,
  transpose,
  gatherRows,
  scatterAddRows,
  recurrenceForward,
  recurrenceBackward,
  linearCrossEntropy,
};
