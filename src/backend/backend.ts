// The kernel interface every backend implements (current.ts holds the one in use).
// Dimension letters, used in every kernel's shape comments:
//   B = batch, T = time steps, H = hidden units, G = gate blocks of a cell, V = vocabulary, N = rows (T*B).
// Kernels are plain functions on typed arrays: outputs first, sizes last. Arrays named d* that a kernel
// "accumulates" are added to (+=), so that gradients from several calls sum.
import type { KernelContracts } from './cells.js';
import type { FloatArray } from './arrays.js';
import type { LinearCrossEntropyArgs, RecurrenceBackwardArgs, RecurrenceForwardArgs } from './signatures.js';

export type { DType, FloatArray } from './arrays.js';
export type { LinearCrossEntropyArgs, RecurrenceBackwardArgs, RecurrenceForwardArgs } from './signatures.js';

export const ACTIVATIONS = ['tanh', 'relu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export interface Backend {
  /** Name shown to users: 'reference', 'wasm', ... */
  readonly name: string;

  /** The kernel contracts as this backend's own source states them (test/backend/contracts.test.ts compares them). */
  readonly contracts: KernelContracts;

  /**
   * out (n,m) = op(a) (n,k) @ op(b) (k,m); op(a) is a^T when transA (a stored (k,n)), likewise b (stored (m,k)).
   * Overwrites out, or with accumulate adds to what it holds (a bias laid out beforehand: ops.ts's linear).
   */
  matmul(out: FloatArray, a: FloatArray, b: FloatArray, n: number, k: number, m: number, transA: boolean, transB: boolean, accumulate?: boolean): void;

  /** out (cols,rows) = a^T for a (rows,cols): a weight in PyTorch's layout as the products take it (ops.ts's transpose). */
  transpose(out: FloatArray, a: FloatArray, rows: number, cols: number): void;

  /** out (N,W) = table[indices] row by row: out[i,:] = table[indices[i],:] (exactly onehot(indices) @ table). */
  gatherRows(out: FloatArray, table: FloatArray, indices: Int32Array, N: number, W: number): void;

  /** The gather's gradient: dtable[indices[i],:] += g[i,:] for i < N; dtable (V,W), g (N,W). */
  scatterAddRows(dtable: FloatArray, g: FloatArray, indices: Int32Array, N: number, W: number): void;

  /**
   * A whole recurrent layer forward, all time steps, for one cell (cells.ts has each cell's equations):
   *   per step t: hw = hs[t-1] @ wh + bh (hs[-1] = h0), then the cell's pointwise gate math on xw[t] and hw.
   * Arguments (signatures.ts): hs (T,B,H) out; saved (T,B,S*H) out (what the backward needs, S = savedBlocks(cell));
   * xw (T,B,G*H), the input projection of every step; wh (H,G*H); bh (G*H); h0 (B,H); c0 (B,H) for the LSTM.
   */
  recurrenceForward(args: RecurrenceForwardArgs): void;

  /**
   * Backprop through time for recurrenceForward. dhs (T,B,H) = dL/dhs, read only. Overwrites dxw (T,B,G*H), dh0 (B,H)
   * and, for the LSTM, dc0 (B,H); accumulates dwh (H,G*H) and dbh (G*H). hs, saved, h0, c0, wh as in the forward.
   */
  recurrenceBackward(args: RecurrenceBackwardArgs): void;

  /**
   * The output layer fused with softmax cross-entropy, summed over rows:
   *   returns sum_r [logsumexp(z_r) - z_r[labels[r]]] with z_r = hs[r,:] @ whq + bq.
   * hs (N,H); whq (H,V); bq (V); labels (N). When dhs, dwhq and dbq are given, also writes dhs (N,H) =
   * gradScale * d(sum)/dhs and accumulates gradScale times the gradients into dwhq (H,V) and dbq (V)
   * (gradScale = 1/N gives the gradients of the mean). Logits are kept for a block of rows at most.
   */
  linearCrossEntropy(args: LinearCrossEntropyArgs): number;

  /**
   * Kernel threads, where the backend has them (native): its kernels split each large product over n threads of one
   * process, one model in shared memory, every output element written by one thread in the same order as on one, so
   * results are the same floats whatever n. Returns the count granted (at most the cores the process may use).
   */
  setThreads?(n: number): number;

  /**
   * Optional: a zeroed float32 array of n elements on memory that suits this backend's kernels best, for the large
   * arrays of a training step (buffer-pool.ts asks for them from LARGE_ARRAY_BYTES up). Native: memory of its own on
   * transparent huge pages, where the largest products ran 20-29% faster and a first touch faults up to 512 times less.
   */
  largeArray?(n: number): Float32Array;

  /**
   * Optional: a promise that `a` will never change again (a trained model's weights, as generation's forward pass
   * holds them). A backend that copies its operands into memory of its own (wasm) keeps one copy and passes that at
   * every later call instead of copying `a` again (at 2 layers of 512 units, 12 MB a token); the others need not
   * define it. Changing `a` after pinning it is an error the backend does not detect.
   */
  pin?(a: Float32Array): void;
}
