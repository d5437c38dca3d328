// LSTMScratch: D2L 10.1 "Long Short-Term Memory (LSTM)", from scratch with the book's parameter names.
//   I = sigma(X W_xi + H W_hi + b_i), F = sigma(X W_xf + H W_hf + b_f), O = sigma(X W_xo + H W_ho + b_o),
//   C~ = tanh(X W_xc + H W_hc + b_c), C = F * C + I * C~, H = O * tanh(C).
// The fused path is the lstm cell of the recurrence (gates in PyTorch's order i, f, g = C~, o).
import type { Cell } from '../backend/cells.js';
import * as F from '../tensor/ops.js';
import { Rng } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { cellState, type State } from './layer.js';
import { ScratchCell, type GateTriple, type ScratchCellOptions } from './scratch-cell.js';

export class LSTMScratch extends ScratchCell {
  readonly cell: Cell = 'lstm';
  readonly W_xi: Tensor; readonly W_hi: Tensor; readonly b_i: Tensor; // input gate: (I,H), (H,H), (H)
  readonly W_xf: Tensor; readonly W_hf: Tensor; readonly b_f: Tensor; // forget gate
  readonly W_xo: Tensor; readonly W_ho: Tensor; readonly b_o: Tensor; // output gate
  readonly W_xc: Tensor; readonly W_hc: Tensor; readonly b_c: Tensor; // input node (candidate cell)

  constructor(options: ScratchCellOptions) {
    super(options);
    const rng = options.rng ?? new Rng(0);
    // drawn in the book's order: input gate, forget gate, output gate, input node
    [this.W_xi, this.W_hi, this.b_i] = this.triple(rng);
    [this.W_xf, this.W_hf, this.b_f] = this.triple(rng);
    [this.W_xo, this.W_ho, this.b_o] = this.triple(rng);
    [this.W_xc, this.W_hc, this.b_c] = this.triple(rng);
  }

  /** inputs (T,B,I), [H, C] or none (zeros) -> [T outputs of (B,H), [H, C]]. */
  forward(inputs: Tensor, state?: State): [Tensor[], [Tensor, Tensor]] {
    let [H, C] = cellState(state, true, inputs.shape[1]!, this.numHiddens, this.dtype) as [Tensor, Tensor];
    const outputs: Tensor[] = [];
    for (const X of F.unstack(inputs)) {
      const I = F.sigmoid(X.matmul(this.W_xi).add(H.matmul(this.W_hi)).add(this.b_i));
      const Fg = F.sigmoid(X.matmul(this.W_xf).add(H.matmul(this.W_hf)).add(this.b_f));
      const O = F.sigmoid(X.matmul(this.W_xo).add(H.matmul(this.W_ho)).add(this.b_o));
      const C_tilde = X.matmul(this.W_xc).add(H.matmul(this.W_hc)).add(this.b_c).tanh();
      C = Fg.mul(C).add(I.mul(C_tilde));
      H = O.mul(C.tanh());
      outputs.push(H);
    }
    return [outputs, [H, C]];
  }

  protected kernelGates(): GateTriple[] {
    return [[this.W_xi, this.W_hi, this.b_i], [this.W_xf, this.W_hf, this.b_f], [this.W_xc, this.W_hc, this.b_c], [this.W_xo, this.W_ho, this.b_o]];
  }

  namedParameters(): [string, Tensor][] {
    return [['W_xi', this.W_xi], ['W_hi', this.W_hi], ['b_i', this.b_i], ['W_xf', this.W_xf], ['W_hf', this.W_hf], ['b_f', this.b_f],
      ['W_xo', this.W_xo], ['W_ho', this.W_ho], ['b_o', this.b_o], ['W_xc', this.W_xc], ['W_hc', this.W_hc], ['b_c', this.b_c]];
  }
}
