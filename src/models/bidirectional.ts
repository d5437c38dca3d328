// BiRNNScratch: D2L 10.4 "Bidirectional Recurrent Neural Networks": one layer reads the sequence forwards, a second
// reads it backwards, and each step's output joins both (so numHiddens is twice the cells'). It sees the future,
// so it suits tagging and encoding, not next-token language modelling.
// Parameters: f_rnn.W_xh, ..., b_rnn.W_xh, ...
import type { Activation } from '../backend/backend.js';
import * as F from '../tensor/ops.js';
import { Rng } from '../tensor/random.js';
import { Tensor, type DType } from '../tensor/tensor.js';
import { scratchCell, type CellKind } from './cell-factory.js';
import { prefixed, reverseSteps, statePart, type LayerInput, type RecurrentLayer, type State } from './layer.js';
import type { ScratchCell } from './scratch-cell.js';

export interface BiRNNScratchOptions {
  numInputs: number; // I
  numHiddens: number; // H of each direction; outputs are 2H wide
  sigma?: number;
  cell?: CellKind; // rnn (the book's), gru or lstm
  activation?: Activation;
  rng?: Rng;
  dtype?: DType;
}

export class BiRNNScratch implements RecurrentLayer {
  readonly numInputs: number;
  readonly numHiddens: number; // 2H, as the book's self.num_hiddens *= 2
  readonly sigma: number;
  readonly dtype: DType;
  readonly f_rnn: ScratchCell;
  readonly b_rnn: ScratchCell;

  constructor({ numInputs, numHiddens, sigma = 0.01, cell = 'rnn', activation, rng = new Rng(0), dtype = 'float32' }: BiRNNScratchOptions) {
    const options = { numInputs, numHiddens, sigma, rng, dtype, ...(activation ? { activation } : {}) };
    this.f_rnn = scratchCell(cell, options);
    this.b_rnn = scratchCell(cell, options);
    this.numInputs = numInputs;
    this.numHiddens = 2 * numHiddens;
    this.sigma = sigma;
    this.dtype = dtype;
  }

  /** inputs (T,B,I), [forward state, backward state] or none -> [T outputs of (B,2H), [f_H, b_H]]. */
  forward(inputs: Tensor, Hs?: State): [Tensor[], State[]] {
    const [fOutputs, fH] = this.f_rnn.forward(inputs, statePart(Hs, 0, 2));
    const [bOutputs, bH] = this.b_rnn.forward(F.flip(inputs, 0), statePart(Hs, 1, 2));
    const T = fOutputs.length;
    const outputs = fOutputs.map((f, t) => F.concat([f, bOutputs[T - 1 - t]!], -1));
    return [outputs, [fH, bH]];
  }

  fusedForward(inputs: LayerInput, Hs?: State): [Tensor, State[]] {
    const [fHs, fH] = this.f_rnn.fusedForward(inputs, statePart(Hs, 0, 2));
    const [bHs, bH] = this.b_rnn.fusedForward(reverseSteps(inputs), statePart(Hs, 1, 2));
    return [F.concat([fHs, F.flip(bHs, 0)], -1), [fH, bH]];
  }

  namedParameters(): [string, Tensor][] {
    return [...prefixed('f_rnn.', this.f_rnn.namedParameters()), ...prefixed('b_rnn.', this.b_rnn.namedParameters())];
  }
}
