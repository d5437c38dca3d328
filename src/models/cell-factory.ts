// Builds a from-scratch cell by name, so that stacked and bidirectional layers (and the CLI's --cell) work over
// any cell with the same constructor options, as char-rnn swaps its models by name.
import type { Activation } from '../backend/backend.js';
import { gateCount } from '../backend/cells.js';
import { GRUScratch } from './gru.js';
import { LSTMScratch } from './lstm.js';
import { RNNScratch } from './rnn.js';
import type { ScratchCell, ScratchCellOptions } from './scratch-cell.js';

export const CELL_KINDS = ['rnn', 'gru', 'lstm'] as const;
export type CellKind = (typeof CELL_KINDS)[number];

/** G, the gate blocks of a cell kind (cells.ts's count; both GRU forms have 3). */
export function kindGates(kind: CellKind): number {
  return gateCount(kind === 'rnn' ? 'rnn-tanh' : kind);
}

export function scratchCell(kind: CellKind, options: ScratchCellOptions & { activation?: Activation }): ScratchCell {
  switch (kind) {
    case 'rnn': return new RNNScratch(options);
    case 'gru': return new GRUScratch(options);
    case 'lstm': return new LSTMScratch(options);
    default: throw new Error(`unknown cell ${String(kind)}: use rnn, gru or lstm`);
  }
}
