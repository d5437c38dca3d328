// Builds a from-scratch cell by name, so that stacked and bidirectional layers (and the CLI's --cell) work over
// any cell with the same constructor options, as char-rnn swaps its models by name.
import type { Activation } from '../backend/backend.js';
import { GRUScratch } from './gru.js';
import { CELL_KINDS, type CellKind } from './layout.js';
import { LSTMScratch } from './lstm.js';
import { RNNScratch } from './rnn.js';
import type { ScratchCell, ScratchCellOptions } from './scratch-cell.js';

export { CELL_KINDS, kindGates, type CellKind } from './layout.js';

/** The book's from-scratch class of each cell kind (a kind without one is a compile error). */
const SCRATCH_CLASSES: Record<CellKind, new (options: ScratchCellOptions & { activation?: Activation }) => ScratchCell> = {
  rnn: RNNScratch,
  gru: GRUScratch,
  lstm: LSTMScratch,
};

export function scratchCell(kind: CellKind, options: ScratchCellOptions & { activation?: Activation }): ScratchCell {
  const Class = SCRATCH_CLASSES[kind];
  if (!Class) throw new Error(`unknown cell ${String(kind)}: use ${CELL_KINDS.join(', ')}`);
  return new Class(options);
}
