// RNNScratch: D2L 9.5 "Recurrent Neural Network Implementation from Scratch", written with tensor ops as the book
// writes it; its fused path runs the same parameters through one input gather and the fused recurrence.
// The language model (RNNLMScratch) is in language-model.ts and re-exported here, where 9.5 defines it.
// Dimension letters: B = batch, T = time steps, I = inputs, H = hidden units, V = vocabulary.
import type { Activation } from '../backend/backend.js';
import type { Cell } from '../backend/cells.js';
import * as F from '../tensor/ops.js';
import { Rng } from '../tensor/random.js';
import { zeros, type Tensor } from '../tensor/tensor.js';
import { kernelCell } from './layout.js';
import { ScratchCell, type GateTriple, type ScratchCellOptions } from './scratch-cell.js';

export interface RNNScratchOptions extends ScratchCellOptions {
  activation?: Activation; // tanh as in the book; relu is an exercise
}

/** The RNN layer of D2L 9.5: H_t = phi(X_t W_xh + H_{t-1} W_hh + b_h). */
export class RNNScratch extends ScratchCell {
  readonly activation: Activation;
  readonly cell: Cell;
  readonly W_xh: Tensor; // (I, H)
  readonly W_hh: Tensor; // (H, H)
  readonly b_h: Tensor; // (H)

  constructor(options: RNNScratchOptions) {
    super(options);
    const { activation = 'tanh', rng = new Rng(0) } = options;
    if (activation !== 'tanh' && activation !== 'relu') throw new Error(`activation must be tanh or relu, got ${String(activation)}`);
    this.activation = activation;
    this.cell = kernelCell('rnn', false, activation);
    [this.W_xh, this.W_hh, this.b_h] = this.triple(rng);
  }

  /** inputs (T,B,I), state (B,H) or none (zeros) -> [T outputs of (B,H), last state (B,H)]. */
  forward(inputs: Tensor, state?: Tensor): [Tensor[], Tensor] {
    let h = state ?? zeros([inputs.shape[1]!, this.numHiddens], this.dtype);
    const outputs: Tensor[] = [];
    for (const X of F.unstack(inputs)) {
      const z = X.matmul(this.W_xh).add(h.matmul(this.W_hh)).add(this.b_h);
      h = this.activation === 'tanh' ? z.tanh() : z.relu();
      outputs.push(h);
    }
    return [outputs, h];
  }

  protected kernelGates(): GateTriple[] {
    return [[this.W_xh, this.W_hh, this.b_h]];
  }

  namedParameters(): [string, Tensor][] {
    return [['W_xh', this.W_xh], ['W_hh', this.W_hh], ['b_h', this.b_h]];
  }
}

export { RNNLMScratch, type RNNLMScratchOptions, type BatchResult } from './language-model.js';
