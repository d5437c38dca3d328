// What the book's from-scratch cells (RNNScratch, LSTMScratch, GRUScratch) share: their fused path. Each keeps the
// book's parameters (one W_x*, W_h*, b_* triple per gate) and its op-by-op forward; the fused path joins the
// triples in the kernel's gate order (src/backend/cells.ts) and runs one input projection and one recurrence.
import { hasCellState, type Cell } from '../backend/cells.js';
import * as F from '../tensor/ops.js';
import { Rng } from '../tensor/random.js';
import { randn, zeros, type DType, type Tensor } from '../tensor/tensor.js';
import { cellState, inputSize, joinGates, projectInputs, type LayerInput, type RecurrentLayer, type State } from './layer.js';

export interface ScratchCellOptions {
  numInputs: number; // I: size of each input vector (the vocabulary size for one-hot inputs)
  numHiddens: number; // H: hidden units
  sigma?: number; // initial weights ~ N(0, 1) * sigma (book: 0.01); biases start at zero
  rng?: Rng; // where initial weights come from (default: seed 0)
  dtype?: DType; // float32; float64 for gradient checks
}

/** One gate's parameters: W_x (I,H), W_h (H,H), b (H). */
export type GateTriple = readonly [Tensor, Tensor, Tensor];

export abstract class ScratchCell implements RecurrentLayer {
  readonly numInputs: number;
  readonly numHiddens: number;
  readonly sigma: number;
  readonly dtype: DType;
  /** The fused kernel's cell (cells.ts). */
  abstract readonly cell: Cell;

  constructor({ numInputs, numHiddens, sigma = 0.01, dtype = 'float32' }: ScratchCellOptions) {
    for (const [k, v] of [['numInputs', numInputs], ['numHiddens', numHiddens]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`${k} must be a positive integer, got ${v}`);
    }
    this.numInputs = numInputs;
    this.numHiddens = numHiddens;
    this.sigma = sigma;
    this.dtype = dtype;
  }

  /** The book's triple: W_x ~ N(0,1) sigma (I,H), W_h ~ N(0,1) sigma (H,H), b = 0 (H), drawn in that order. */
  protected triple(rng: Rng): GateTriple {
    return [randn(rng, [this.numInputs, this.numHiddens], this.sigma, this.dtype),
      randn(rng, [this.numHiddens, this.numHiddens], this.sigma, this.dtype), zeros([this.numHiddens], this.dtype)];
  }

  /** The gate triples in the kernel's order (cells.ts): rnn [h], lstm [i f g o], gru [r z n]. */
  protected abstract kernelGates(): GateTriple[];

  abstract forward(inputs: Tensor, state?: State): [Tensor[], State];
  abstract namedParameters(): [string, Tensor][];

  fusedForward(inputs: LayerInput, state?: State): [Tensor, State] {
    const gates = this.kernelGates();
    const xw = projectInputs(inputs, joinGates(gates.map((g) => g[0]), 1), null); // (T,B,G*H)
    const lstm = hasCellState(this.cell);
    const s0 = cellState(state, lstm, inputSize(inputs).B, this.numHiddens, this.dtype);
    const [hs, last] = F.recurrence(xw, joinGates(gates.map((g) => g[1]), 1), joinGates(gates.map((g) => g[2]), 0), s0, this.cell);
    F.release(xw); // read by the recurrence only (ops.ts's release)
    return [hs, lstm ? last : last[0]!];
  }
}
