// Builds a from-scratch cell by name, so that stacked and bidirectional layers (and the CLI's --cell) work over
// any cell with the same constructor options, as char-rnn swaps its models by name.
import type { Activation } from '../backend/backend.js';
import { GRUScratch } from './gru.js';
import type { CellKind } from './layout.js';
import { LSTMScratch } from './lstm.js';
import { RNNScratch } from './rnn.js';
import type { ScratchCell, ScratchCellOptions } from './scratch-cell.js';

export { CELL_KINDS, kindGates, type CellKind } from './layout.js';

export function scratchCell(kind: CellKind, options: ScratchCellOptions & { activation?: Activation }): ScratchCell {
  switch (kind) {
    case 'rnn': return new RNNScratch(options);
    case 'gru': return new GRUScratch(options);
    case 'lstm': return new LSTMScratch(options);
    default: throw new Error(`unknown cell ${String(kind)}: use rnn, gru or lstm`);
  }
}
