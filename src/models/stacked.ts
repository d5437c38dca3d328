// StackedRNNScratch: D2L 10.3 "Deep Recurrent Neural Networks": layer k's outputs are layer k+1's inputs.
// The book stacks RNNScratch; any from-scratch cell stacks the same way (cell: 'rnn' | 'gru' | 'lstm').
// Parameters are named per layer, l0.W_xh, l1.W_xh, ...
import type { Activation } from '../backend/backend.js';
import * as F from '../tensor/ops.js';
import { Rng } from '../tensor/random.js';
import type { DType, Tensor } from '../tensor/tensor.js';
import { scratchCell, type CellKind } from './cell-factory.js';
import { prefixed, statePart, type LayerInput, type RecurrentLayer, type State } from './layer.js';
import type { ScratchCell } from './scratch-cell.js';

export interface StackedRNNScratchOptions {
  numInputs: number; // I of the first layer
  numHiddens: number; // H of every layer
  numLayers: number; // L
  sigma?: number; // initial weights ~ N(0,1) * sigma (book: 0.01)
  cell?: CellKind; // rnn (the book's), gru or lstm
  activation?: Activation; // for rnn cells
  rng?: Rng;
  dtype?: DType;
}

export class StackedRNNScratch implements RecurrentLayer {
  readonly numInputs: number;
  readonly numHiddens: number;
  readonly numLayers: number;
  readonly sigma: number;
  readonly dtype: DType;
  readonly rnns: ScratchCell[];

  constructor({ numInputs, numHiddens, numLayers, sigma = 0.01, cell = 'rnn', activation, rng = new Rng(0), dtype = 'float32' }: StackedRNNScratchOptions) {
    if (!Number.isInteger(numLayers) || numLayers < 1) throw new Error(`numLayers must be a positive integer, got ${numLayers}`);
    this.numInputs = numInputs;
    this.numHiddens = numHiddens;
    this.numLayers = numLayers;
    this.sigma = sigma;
    this.dtype = dtype;
    this.rnns = Array.from({ length: numLayers }, (_, i) =>
      scratchCell(cell, { numInputs: i === 0 ? numInputs : numHiddens, numHiddens, sigma, rng, dtype, ...(activation ? { activation } : {}) }));
  }

  /** inputs (T,B,I), one state per layer or none -> [T outputs of the last layer, one state per layer]. */
  forward(inputs: Tensor, Hs?: State): [Tensor[], State[]] {
    let outputs = inputs;
    let last: Tensor[] = [];
    const states: State[] = [];
    this.rnns.forEach((rnn, i) => {
      const [out, H] = rnn.forward(outputs, statePart(Hs, i, this.numLayers));
      states.push(H);
      last = out;
      outputs = F.stack(out, 0);
    });
    return [last, states];
  }

  fusedForward(inputs: LayerInput, Hs?: State): [Tensor, State[]] {
    let outputs: LayerInput = inputs;
    const states: State[] = [];
    this.rnns.forEach((rnn, i) => {
      const [hs, H] = rnn.fusedForward(outputs, statePart(Hs, i, this.numLayers));
      states.push(H);
      outputs = hs;
    });
    return [outputs as Tensor, states];
  }

  namedParameters(): [string, Tensor][] {
    return this.rnns.flatMap((rnn, i) => prefixed(`l${i}.`, rnn.namedParameters()));
  }
}
