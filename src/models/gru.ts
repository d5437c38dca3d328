// GRUScratch: D2L 10.2 "Gated Recurrent Units (GRU)", from scratch with the book's parameter names.
//   Z = sigma(X W_xz + H W_hz + b_z), R = sigma(X W_xr + H W_hr + b_r),
//   H~ = tanh(X W_xh + (R * H) W_hh + b_h), H = Z * H + (1 - Z) * H~.
// The fused path is the recurrence's gru cell (the book's form: R multiplies H before the candidate's product).
import type { Cell } from '../backend/cells.js';
import * as F from '../tensor/ops.js';
import { Rng } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { cellState, type State } from './layer.js';
import { ScratchCell, type GateTriple, type ScratchCellOptions } from './scratch-cell.js';

export class GRUScratch extends ScratchCell {
  readonly cell: Cell = 'gru';
  readonly W_xz: Tensor; readonly W_hz: Tensor; readonly b_z: Tensor; // update gate: (I,H), (H,H), (H)
  readonly W_xr: Tensor; readonly W_hr: Tensor; readonly b_r: Tensor; // reset gate
  readonly W_xh: Tensor; readonly W_hh: Tensor; readonly b_h: Tensor; // candidate hidden state

  constructor(options: ScratchCellOptions) {
    super(options);
    const rng = options.rng ?? new Rng(0);
    // drawn in the book's order: update gate, reset gate, candidate
    [this.W_xz, this.W_hz, this.b_z] = this.triple(rng);
    [this.W_xr, this.W_hr, this.b_r] = this.triple(rng);
    [this.W_xh, this.W_hh, this.b_h] = this.triple(rng);
  }

  /** inputs (T,B,I), H (B,H) or none (zeros) -> [T outputs of (B,H), H]. */
  forward(inputs: Tensor, state?: State): [Tensor[], Tensor] {
    let [H] = cellState(state, false, inputs.shape[1]!, this.numHiddens, this.dtype) as [Tensor];
    const outputs: Tensor[] = [];
    for (const X of F.unstack(inputs)) {
      const Z = F.sigmoid(X.matmul(this.W_xz).add(H.matmul(this.W_hz)).add(this.b_z));
      const R = F.sigmoid(X.matmul(this.W_xr).add(H.matmul(this.W_hr)).add(this.b_r));
      const H_tilde = X.matmul(this.W_xh).add(R.mul(H).matmul(this.W_hh)).add(this.b_h).tanh();
      H = Z.mul(H).add(F.rsub(Z, 1).mul(H_tilde));
      outputs.push(H);
    }
    return [outputs, H];
  }

  protected kernelGates(): GateTriple[] {
    return [[this.W_xr, this.W_hr, this.b_r], [this.W_xz, this.W_hz, this.b_z], [this.W_xh, this.W_hh, this.b_h]];
  }

  namedParameters(): [string, Tensor][] {
    return [['W_xz', this.W_xz], ['W_hz', this.W_hz], ['b_z', this.b_z], ['W_xr', this.W_xr], ['W_hr', this.W_hr], ['b_r', this.b_r],
      ['W_xh', this.W_xh], ['W_hh', this.W_hh], ['b_h', this.b_h]];
  }
}
