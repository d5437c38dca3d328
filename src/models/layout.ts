// The names and shapes of a language model's parameters, from its configuration alone: what createModel's model
// holds (model.params.entries, in that order), without building it. Checkpoints are checked against it before a
// model is allocated, and generation's forward-only net (forward-net.ts) reads a checkpoint's weights by it.
// test/models/forward-net.test.ts holds it to the model classes for every kind of model.
// Letters: V vocabulary, N embedding size, I a layer's inputs, H hidden units, G gate blocks (backend/cells.ts).
import type { Activation } from '../backend/backend.js';
import { gateCount, type Cell } from '../backend/cells.js';

/** What a cell kind is, for the models: the book's gate letters and which fused kernel cell runs it. */
interface CellKindFacts {
  /**
   * The book's gate letters of the from-scratch cell, in the order its parameters are drawn and named (W_x?, W_h?,
   * b_? per gate: D2L 9.5, 10.1, 10.2), and in the kernel's gate order (cells.ts: rnn [h], lstm [i f g o], gru [r z n];
   * the LSTM's input node g is the book's C~, letter c).
   */
  book: { named: readonly string[]; kernel: readonly string[] };
  /** The fused kernel's cell (cells.ts) in a scratch model and in a concise (PyTorch-layout) layer. */
  scratchCell: Cell;
  conciseCell: Cell;
}

/** One row per cell kind; the concise layers' parameter names (PyTorch's) are the same for every kind. */
export const CELL_KIND_TABLE = {
  rnn: { book: { named: ['h'], kernel: ['h'] }, scratchCell: 'rnn-tanh', conciseCell: 'rnn-tanh' }, // relu: kernelCell
  gru: { book: { named: ['z', 'r', 'h'], kernel: ['r', 'z', 'h'] }, scratchCell: 'gru', conciseCell: 'gru-torch' }, // the book's GRU vs torch.nn.GRU
  lstm: { book: { named: ['i', 'f', 'o', 'c'], kernel: ['i', 'f', 'c', 'o'] }, scratchCell: 'lstm', conciseCell: 'lstm' },
} as const satisfies Record<string, CellKindFacts>;

export type CellKind = keyof typeof CELL_KIND_TABLE;
export const CELL_KINDS = Object.keys(CELL_KIND_TABLE) as readonly CellKind[];

/** G, the gate blocks of a cell kind (both GRU forms have 3). */
export function kindGates(kind: CellKind): number {
  return gateCount(CELL_KIND_TABLE[kind].scratchCell);
}

/** The fused kernel's cell of a cell kind: the book's GRU in scratch models, PyTorch's in concise layers; relu for rnn. */
export function kernelCell(kind: CellKind, concise: boolean, activation: Activation = 'tanh'): Cell {
  if (kind === 'rnn' && activation === 'relu') return 'rnn-relu';
  return concise ? CELL_KIND_TABLE[kind].conciseCell : CELL_KIND_TABLE[kind].scratchCell;
}

/** The book's gate letters of each from-scratch cell (CELL_KIND_TABLE's book column). */
export const SCRATCH_GATES: Readonly<Record<CellKind, CellKindFacts['book']>> = {
  rnn: CELL_KIND_TABLE.rnn.book, gru: CELL_KIND_TABLE.gru.book, lstm: CELL_KIND_TABLE.lstm.book,
};

/** What fixes a language model's parameters. */
export interface ModelShape {
  cell: CellKind;
  numHiddens: number; // H
  numLayers: number;
  concise: boolean; // PyTorch's layout (rnn.weight_ih_l0, ..., linear.weight) instead of the book's (W_xh, ..., W_hq)
  embedding: number; // N > 0: an (V,N) embedding table first; 0: one-hot inputs
}

export type ParameterLayout = [name: string, shape: number[]][];

/** Every parameter's name and shape, in the model's order: [embedding,] the layers', then the output layer's. */
export function parameterLayout(c: ModelShape, vocabSize: number): ParameterLayout {
  const [V, H, L] = [vocabSize, c.numHiddens, c.numLayers];
  const G = kindGates(c.cell);
  const out: ParameterLayout = c.embedding > 0 ? [['embedding', [V, c.embedding]]] : [];
  for (let k = 0; k < L; k++) {
    const I = k > 0 ? H : c.embedding > 0 ? c.embedding : V;
    if (c.concise) {
      out.push([`rnn.weight_ih_l${k}`, [G * H, I]], [`rnn.weight_hh_l${k}`, [G * H, H]], [`rnn.bias_ih_l${k}`, [G * H]], [`rnn.bias_hh_l${k}`, [G * H]]);
    } else {
      const prefix = L > 1 ? `l${k}.` : '';
      for (const g of SCRATCH_GATES[c.cell].named) out.push([`${prefix}W_x${g}`, [I, H]], [`${prefix}W_h${g}`, [H, H]], [`${prefix}b_${g}`, [H]]);
    }
  }
  out.push(...(c.concise ? [['linear.weight', [V, H]], ['linear.bias', [V]]] : [['W_hq', [H, V]], ['b_q', [V]]]) as ParameterLayout);
  return out;
}

/** The number of floats a model of this shape holds. */
export function parameterCount(c: ModelShape, vocabSize: number): number {
  return parameterLayout(c, vocabSize).reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0);
}
