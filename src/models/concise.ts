// The concise recurrent layers of D2L 9.6 (RNN), 10.1 (LSTM), 10.2 (GRU), 10.3 (numLayers) and 10.4
// (bidirectional), written to PyTorch's equations and parameter layout so that their weights load into
// torch.nn.RNN / LSTM / GRU with load_state_dict and give the same outputs:
//   weight_ih_l{k}[_reverse] (G*H, I_k), weight_hh_l{k} (G*H, H), bias_ih_l{k} (G*H), bias_hh_l{k} (G*H),
//   gates stacked in PyTorch's order (LSTM i f g o; GRU r z n), every tensor initialised uniform in +-1/sqrt(H).
// PyTorch's GRU applies the reset gate after the recurrent product: n = tanh(x W_in + b_in + r * (h W_hn + b_hn)).
// Dropout (between layers, as torch.nn) applies only while gradients are recorded: training steps, never
// validation, scoring or generation (all run under noGrad).
// The state is one entry per layer and direction (layer-major, as torch's h_n): H, or [H, C] for the LSTM.
import { gateCount, hasCellState, type Cell } from '../backend/cells.js';
import { isGradEnabled } from '../tensor/autograd.js';
import * as F from '../tensor/ops.js';
import { Rng } from '../tensor/random.js';
import { rand, Tensor, type DType } from '../tensor/tensor.js';
import { kernelCell, type CellKind } from './layout.js';
import { cellState, inputSize, projectInputs, reverseSteps, type LayerInput, type RecurrentLayer, type State } from './layer.js';

export interface ConciseRNNOptions {
  numInputs: number; // I of the first layer
  numHiddens: number; // H of every layer and direction
  numLayers?: number; // L (default 1)
  dropout?: number; // probability of zeroing an output of every layer but the last, while training (default 0)
  bidirectional?: boolean; // a second, time-reversed direction per layer; outputs are 2H wide (default false)
  nonlinearity?: 'tanh' | 'relu'; // RNN only (torch.nn.RNN's nonlinearity)
  rng?: Rng;
  dtype?: DType;
}

/** One layer and direction's parameters, PyTorch's layout. */
interface Weights {
  ih: Tensor; // weight_ih (G*H, I_k)
  hh: Tensor; // weight_hh (G*H, H)
  bih: Tensor; // bias_ih (G*H)
  bhh: Tensor; // bias_hh (G*H)
}

/** torch.nn.RNN (and, through subclasses, GRU and LSTM), as the book's concise code uses it. */
export class RNN implements RecurrentLayer {
  readonly numInputs: number;
  readonly numHiddens: number; // output width: H, or 2H when bidirectional
  readonly hiddenSize: number; // H
  readonly numLayers: number;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly sigma: number; // 1/sqrt(H): PyTorch's scale, used by a scratch output layer if one is attached
  readonly dtype: DType;
  readonly cell: Cell;
  private readonly weights: Weights[]; // layer-major, then direction
  private readonly names: string[];
  private readonly rng: Rng; // dropout masks

  constructor(options: ConciseRNNOptions, mode: CellKind = 'rnn') {
    const { numInputs, numHiddens, numLayers = 1, dropout = 0, bidirectional = false, nonlinearity = 'tanh', rng = new Rng(0), dtype = 'float32' } = options;
    for (const [k, v] of [['numInputs', numInputs], ['numHiddens', numHiddens], ['numLayers', numLayers]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`${k} must be a positive integer, got ${v}`);
    }
    if (!(dropout >= 0 && dropout < 1)) throw new Error(`dropout must be at least 0 and below 1, got ${dropout}`);
    if (dropout > 0 && numLayers === 1) throw new Error('dropout acts between layers: it needs numLayers > 1');
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new Error(`nonlinearity must be tanh or relu, got ${String(nonlinearity)}`);
    this.cell = kernelCell(mode, true, nonlinearity);
    this.numInputs = numInputs;
    this.hiddenSize = numHiddens;
    this.numLayers = numLayers;
    this.dropout = dropout;
    this.bidirectional = bidirectional;
    this.numHiddens = bidirectional ? 2 * numHiddens : numHiddens;
    this.sigma = 1 / Math.sqrt(numHiddens);
    this.dtype = dtype;
    this.rng = rng;
    const G = gateCount(this.cell);
    const H = numHiddens;
    this.weights = [];
    this.names = [];
    for (let k = 0; k < numLayers; k++) {
      for (let d = 0; d < this.directions; d++) {
        const I = k === 0 ? numInputs : this.numHiddens;
        const b = this.sigma; // torch: every parameter ~ U(-1/sqrt(H), 1/sqrt(H))
        this.weights.push({ ih: rand(rng, [G * H, I], b, dtype), hh: rand(rng, [G * H, H], b, dtype), bih: rand(rng, [G * H], b, dtype), bhh: rand(rng, [G * H], b, dtype) });
        this.names.push(`l${k}${d === 1 ? '_reverse' : ''}`);
      }
    }
  }

  private get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** PyTorch's names and order: weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, weight_ih_l0_reverse, ... */
  namedParameters(): [string, Tensor][] {
    return this.weights.flatMap((w, i): [string, Tensor][] => {
      const sfx = this.names[i]!;
      return [[`weight_ih_${sfx}`, w.ih], [`weight_hh_${sfx}`, w.hh], [`bias_ih_${sfx}`, w.bih], [`bias_hh_${sfx}`, w.bhh]];
    });
  }

  /** The state of one layer and direction from the whole state (one entry each, layer-major). */
  private part(state: State | undefined, i: number): State | undefined {
    if (state === undefined) return undefined;
    const n = this.weights.length;
    if (state instanceof Tensor || state.length !== n) throw new Error(`this layer's state has one entry per layer and direction (${n})`);
    return state[i];
  }

  /** Inverted dropout on a layer's outputs (T,B,W) while training: zero with probability p, scale the rest by 1/(1-p). */
  private drop(x: Tensor, layer: number): Tensor {
    if (this.dropout === 0 || layer === this.numLayers - 1 || !isGradEnabled()) return x;
    const keep = 1 - this.dropout;
    const mask = new Tensor(x.dtype === 'float64' ? new Float64Array(x.size) : new Float32Array(x.size), x.shape);
    for (let i = 0; i < mask.size; i++) mask.data[i] = this.rng.uniform() < keep ? 1 / keep : 0;
    return x.mul(mask);
  }

  fusedForward(inputs: LayerInput, state?: State): [Tensor, State[]] {
    const { B } = inputSize(inputs);
    const lstm = hasCellState(this.cell);
    const states: State[] = [];
    let x: LayerInput = inputs;
    for (let k = 0; k < this.numLayers; k++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < this.directions; d++) {
        const i = k * this.directions + d;
        const w = this.weights[i]!;
        const input = d === 0 ? x : reverseSteps(x);
        const xw = projectInputs(input, w.ih.T, w.bih); // (T,B,G*H)
        const s0 = cellState(this.part(state, i), lstm, B, this.hiddenSize, this.dtype);
        const [hs, last] = F.recurrence(xw, w.hh.T, w.bhh, s0, this.cell);
        F.release(xw); // read by the recurrence only: its memory serves the next layer's projection and the gradients
        outs.push(d === 0 ? hs : F.flip(hs, 0));
        states.push(lstm ? last : last[0]!);
      }
      x = this.drop(outs.length === 1 ? outs[0]! : F.concat(outs, -1), k);
    }
    return [x as Tensor, states];
  }

  /** The same equations op by op (the oracle for the fused path): inputs (T,B,I) -> [T outputs, states]. */
  forward(inputs: Tensor, state?: State): [Tensor[], State[]] {
    const B = inputs.shape[1]!;
    const lstm = hasCellState(this.cell);
    const states: State[] = [];
    let x = inputs;
    let outputs: Tensor[] = [];
    for (let k = 0; k < this.numLayers; k++) {
      const dirs: Tensor[][] = [];
      for (let d = 0; d < this.directions; d++) {
        const i = k * this.directions + d;
        const [steps, last] = this.bookDirection(d === 0 ? x : F.flip(x, 0), this.weights[i]!, cellState(this.part(state, i), lstm, B, this.hiddenSize, this.dtype));
        dirs.push(d === 0 ? steps : steps.reverse());
        states.push(lstm ? last : last[0]!);
      }
      outputs = dirs[0]!.map((f, t) => (dirs.length === 1 ? f : F.concat([f, dirs[1]![t]!], -1)));
      if (k < this.numLayers - 1) x = this.drop(F.stack(outputs, 0), k);
    }
    return [outputs, states];
  }

  /** One direction of one layer, step by step, with PyTorch's equations. */
  private bookDirection(inputs: Tensor, w: Weights, [h0, c0]: Tensor[]): [Tensor[], Tensor[]] {
    const H = this.hiddenSize;
    const wih = w.ih.T; // (I, G*H)
    const whh = w.hh.T; // (H, G*H)
    const gate = (a: Tensor, g: number): Tensor => F.narrow(a, 1, g * H, H);
    let h = h0!;
    let c = c0;
    const out: Tensor[] = [];
    for (const X of F.unstack(inputs)) {
      const gi = X.matmul(wih).add(w.bih); // (B, G*H)
      const gh = h.matmul(whh).add(w.bhh);
      if (this.cell === 'rnn-tanh' || this.cell === 'rnn-relu') {
        const a = gi.add(gh);
        h = this.cell === 'rnn-tanh' ? a.tanh() : a.relu();
      } else if (this.cell === 'lstm') {
        const [i, f, g, o] = [0, 1, 2, 3].map((k) => gate(gi, k).add(gate(gh, k)));
        c = F.sigmoid(f!).mul(c!).add(F.sigmoid(i!).mul(g!.tanh()));
        h = F.sigmoid(o!).mul(c.tanh());
      } else {
        const r = F.sigmoid(gate(gi, 0).add(gate(gh, 0)));
        const z = F.sigmoid(gate(gi, 1).add(gate(gh, 1)));
        const n = gate(gi, 2).add(r.mul(gate(gh, 2))).tanh();
        h = F.rsub(z, 1).mul(n).add(z.mul(h));
      }
      out.push(h);
    }
    return [out, c ? [h, c] : [h]];
  }
}

/** torch.nn.GRU (D2L 10.2's concise GRU): PyTorch's form, the reset gate applied to h W_hn + b_hn. */
export class GRU extends RNN {
  constructor(options: Omit<ConciseRNNOptions, 'nonlinearity'>) {
    super(options, 'gru');
  }
}

/** torch.nn.LSTM (D2L 10.1's concise LSTM). */
export class LSTM extends RNN {
  constructor(options: Omit<ConciseRNNOptions, 'nonlinearity'>) {
    super(options, 'lstm');
  }
}

/** The concise layer of each cell kind (a kind without one is a compile error). */
export const CONCISE_LAYERS: Record<CellKind, new (options: ConciseRNNOptions) => RNN> = { rnn: RNN, gru: GRU, lstm: LSTM };
