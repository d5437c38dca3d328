// ForwardNet: a trained language model's forward pass, one token at a time, on one backend's kernels alone (no
// tensors, no autograd, no model classes): what rnnlm/inference ships to a page. It computes the fused path of
// RNNLMScratch.step with the same kernels on the same operands in the same order, so it gives the same floats;
// test/models/forward-net.test.ts holds the two together for every kind of model on both kernels.
// Letters: V vocabulary, N embedding size, I a layer's inputs, H hidden units, G gate blocks (backend/cells.ts).
import type { Activation, Backend } from '../backend/backend.js';
import { hasCellState, savedBlocks, type Cell } from '../backend/cells.js';
import { kernelCell, kindGates, parameterLayout, SCRATCH_GATES, type ModelShape } from './layout.js';

/** Each layer's state after a token: [h (H)], or [h, c] for an LSTM. */
export type NetState = readonly (readonly Float32Array[])[];

/** One layer in the kernels' layout (what the models' fusedForward builds from their parameters at every call). */
interface KernelLayer {
  cell: Cell;
  /** First layer: the input table (V, G*H), the one-hot product's rows (E W_x with an embedding), input bias added. Else W_x (I, G*H). */
  wx: Float32Array;
  bx: Float32Array | null; // a dense layer's input bias (G*H) (concise layers), or null
  wh: Float32Array; // (H, G*H)
  bh: Float32Array; // (G*H)
}

/** a (rows, cols) -> a^T (cols, rows), as the .T of a model's weight. */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j]!;
  return out;
}

/** Gate blocks (rows, H) each, side by side -> (rows, G*H), as joinGates along columns. */
function joinColumns(blocks: readonly Float32Array[], rows: number, H: number): Float32Array {
  const G = blocks.length;
  const out = new Float32Array(rows * G * H);
  for (let r = 0; r < rows; r++) blocks.forEach((b, g) => out.set(b.subarray(r * H, (r + 1) * H), (r * G + g) * H));
  return out;
}

/** x (rows, W) + bias (W) on every row, in place (float32 sums, as a tensor's add). */
function addRows(x: Float32Array, bias: Float32Array): Float32Array {
  for (let i = 0; i < x.length; i++) x[i] = x[i]! + bias[i % bias.length]!;
  return x;
}

/** The cell state a cell without one passes to the kernel. */
const NO_CELL = new Float32Array(0);

export class ForwardNet {
  readonly vocabSize: number; // V
  readonly numHiddens: number; // H
  private readonly layers: KernelLayer[];
  private readonly whq: Float32Array; // (H, V)
  private readonly bq: Float32Array; // (V)
  // per layer, what a step computes and then reads once: the input product (G*H) and the kernel's saved gates (blocks*H);
  // the net's own, reused at every token (a state is a value, which beam search feeds more than once: never these)
  private readonly xw: Float32Array[];
  private readonly saved: Float32Array[];
  private readonly zeros: Float32Array; // (H): a text's first state, read only

  /**
   * weights: every parameter of the model's layout (models/layout.ts), by name, as readCheckpoint returns them
   * (copied: the net does not change when they do); backend: the kernels every step runs on.
   */
  constructor(c: ModelShape & { activation: Activation }, vocabSize: number, weights: ReadonlyMap<string, Float32Array>, private readonly backend: Backend) {
    const [V, H] = [vocabSize, c.numHiddens];
    const GH = kindGates(c.cell) * H;
    const cell = kernelCell(c.cell, c.concise, c.activation);
    for (const [name, shape] of parameterLayout(c, V)) {
      const t = weights.get(name);
      if (!t) throw new Error(`the model has no tensor ${name}`);
      const size = shape.reduce((a, b) => a * b, 1);
      if (t.length !== size) throw new Error(`tensor ${name} holds ${t.length} values, expected ${size} ([${shape.join(', ')}])`);
    }
    const w = (name: string): Float32Array => weights.get(name)!.slice();
    this.vocabSize = V;
    this.numHiddens = H;
    this.layers = [];
    for (let k = 0; k < c.numLayers; k++) {
      const I = k > 0 ? H : c.embedding > 0 ? c.embedding : V;
      let layer: KernelLayer;
      if (c.concise) {
        layer = { cell, wx: transpose(w(`rnn.weight_ih_l${k}`), GH, I), bx: w(`rnn.bias_ih_l${k}`), wh: transpose(w(`rnn.weight_hh_l${k}`), GH, H), bh: w(`rnn.bias_hh_l${k}`) };
      } else {
        const prefix = c.numLayers > 1 ? `l${k}.` : '';
        const gates = SCRATCH_GATES[c.cell].kernel;
        layer = { cell, wx: joinColumns(gates.map((g) => w(`${prefix}W_x${g}`)), I, H), bx: null,
          wh: joinColumns(gates.map((g) => w(`${prefix}W_h${g}`)), H, H), bh: Float32Array.from(gates.flatMap((g) => [...w(`${prefix}b_${g}`)])) };
      }
      if (k === 0) {
        // token inputs: the input product of a token is a row of W_x (of E W_x with an embedding), bias added
        let table = layer.wx;
        if (c.embedding > 0) {
          table = new Float32Array(V * GH);
          backend.matmul(table, w('embedding'), layer.wx, V, c.embedding, GH, false, false);
        }
        layer = { ...layer, wx: layer.bx ? addRows(table, layer.bx) : table, bx: null }; // table is the net's own array
      }
      this.layers.push(layer);
    }
    this.xw = this.layers.map((l) => new Float32Array(l.bh.length));
    this.saved = this.layers.map((l) => new Float32Array(savedBlocks(l.cell) * H));
    this.zeros = new Float32Array(H);
    this.whq = c.concise ? transpose(w('linear.weight'), V, H) : w('W_hq');
    this.bq = w(c.concise ? 'linear.bias' : 'b_q');
    // the net's arrays are its own and never change: a backend with memory of its own keeps them there once
    // (wasm), instead of copying every weight in for every token
    if (backend.pin) for (const a of [...this.layers.flatMap((l, k) => [k > 0 ? l.wx : null, l.bx, l.wh, l.bh]), this.whq, this.bq]) if (a) backend.pin(a);
  }

  /** Feeds one token from a state (undefined: zeros, the start of a text) -> the next token's logits (V) and the new state. */
  stepToken(token: number, state: NetState | undefined): { logits: Float32Array; state: NetState } {
    if (!Number.isInteger(token) || token < 0 || token >= this.vocabSize) throw new Error(`token ${token} is not an index of the vocabulary (${this.vocabSize})`);
    const H = this.numHiddens;
    const be = this.backend;
    if (state !== undefined) this.checkState(state);
    let h = new Float32Array(0);
    const next: Float32Array[][] = [];
    this.layers.forEach((layer, k) => {
      const GH = layer.bh.length;
      const xw = this.xw[k]!; // (T=1, B=1, G*H)
      // the token's row of the input table: what gatherRows computes, without copying the whole (V, G*H) table into
      // the kernels' memory for every token
      if (k === 0) xw.set(layer.wx.subarray(token * GH, (token + 1) * GH));
      else {
        // as ops.ts's linear: the bias first, the product added onto it (the same floats as training's forward)
        if (layer.bx) xw.set(layer.bx);
        else xw.fill(0);
        be.matmul(xw, h, layer.wx, 1, H, GH, false, false, true);
      }
      const lstm = hasCellState(layer.cell);
      const [h0, c0] = state?.[k] ?? (lstm ? [this.zeros, this.zeros] : [this.zeros]);
      h = new Float32Array(H); // the new state's: a value of its own
      const saved = this.saved[k]!;
      be.recurrenceForward({ hs: h, saved, xw, wh: layer.wh, bh: layer.bh, h0: h0!, c0: c0 ?? NO_CELL, B: 1, T: 1, H, cell: layer.cell });
      // the LSTM's cell state is the last of its saved blocks ([i f g o] then c)
      next.push(lstm ? [h, saved.slice(4 * H, 5 * H)] : [h]);
    });
    const V = this.vocabSize;
    const logits = new Float32Array(V);
    be.matmul(logits, h, this.whq, 1, H, V, false, false);
    return { logits: addRows(logits, this.bq), state: next };
  }

  /** A state must be this net's: one entry per layer, [h] or [h, c] (LSTM), each of H floats. */
  private checkState(state: NetState): void {
    const H = this.numHiddens;
    const ok = state.length === this.layers.length && this.layers.every((layer, k) =>
      state[k]!.length === (hasCellState(layer.cell) ? 2 : 1) && state[k]!.every((a) => a instanceof Float32Array && a.length === H));
    if (!ok) {
      const shape = hasCellState(this.layers[0]!.cell) ? '[h, c]' : '[h]';
      throw new Error(`a state of this model is ${this.layers.length} layer(s) of ${shape}, each a Float32Array of ${H} values`);
    }
  }
}
