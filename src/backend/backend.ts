// The kernel interface every backend implements, and the registry that picks one at start-up.
// Dimension letters, used in every kernel's shape comments:
//   B = batch, T = time steps, H = hidden units, V = vocabulary (or input table rows), N = rows (T*B).
// Kernels are plain functions on typed arrays: outputs first, sizes last. Arrays named d* that a kernel
// "accumulates" are added to (+=), so that gradients from several calls sum.
import type { FloatArray } from '../tensor/tensor.js';
import { referenceBackend } from './reference.js';

export type Activation = 'tanh' | 'relu';

export interface Backend {
  /** Name shown to users: 'reference', 'wasm', ... */
  readonly name: string;

  /** out (n,m) = op(a) (n,k) @ op(b) (k,m); op(a) is a^T when transA (a stored (k,n)), likewise b (stored (m,k)). Overwrites out. */
  matmul(out: FloatArray, a: FloatArray, b: FloatArray, n: number, k: number, m: number, transA: boolean, transB: boolean): void;

  /**
   * A whole RNN layer forward, all time steps:
   *   hs[t,b,:] = act(table[tokens[b,t],:] + hs[t-1,b,:] @ whh + bh), with hs[-1] = h0.
   * The row gather table[tokens] is exactly the one-hot product onehot(tokens) @ table.
   * hs (T,B,H) out; tokens (B,T); table (V,H); whh (H,H); bh (H); h0 (B,H).
   */
  rnnForward(hs: FloatArray, tokens: Int32Array, table: FloatArray, whh: FloatArray, bh: FloatArray, h0: FloatArray,
    B: number, T: number, H: number, act: Activation): void;

  /**
   * Backprop through time for rnnForward. dhs (T,B,H) is dL/dhs (read only); accumulates dtable (V,H), dwhh (H,H),
   * dbh (H); overwrites dh0 (B,H). hs, h0, tokens, whh as given to rnnForward.
   */
  rnnBackward(dtable: FloatArray, dwhh: FloatArray, dbh: FloatArray, dh0: FloatArray,
    dhs: FloatArray, hs: FloatArray, h0: FloatArray, tokens: Int32Array, whh: FloatArray,
    B: number, T: number, H: number, act: Activation): void;

  /**
   * The output layer fused with softmax cross-entropy, summed over rows:
   *   returns sum_r [logsumexp(z_r) - z_r[labels[r]]] with z_r = hs[r,:] @ whq + bq.
   * hs (N,H); whq (H,V); bq (V); labels (N). When dhs, dwhq and dbq are given, also writes dhs (N,H) =
   * gradScale * d(sum)/dhs and accumulates gradScale times the gradients into dwhq (H,V) and dbq (V)
   * (gradScale = 1/N gives the gradients of the mean). Logits are kept for a block of rows at most.
   */
  linearCrossEntropy(hs: FloatArray, whq: FloatArray, bq: FloatArray, labels: Int32Array, N: number, H: number, V: number,
    dhs: FloatArray | null, dwhq: FloatArray | null, dbq: FloatArray | null, gradScale: number): number;
}

let current: Backend = referenceBackend;

/** The backend float32 ops dispatch to; the reference until setBackend picks another. */
export function getBackend(): Backend {
  return current;
}

export function setBackend(backend: Backend): void {
  current = backend;
}
