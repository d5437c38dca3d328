// The kernel contracts of the fused recurrence, defined once for TypeScript: which cells exist, their integer ids
// (what the WebAssembly and native kernels receive), how many gate blocks each has, what each saves per row for
// its backward pass, and the block size of the output kernel. asm/contracts.ts and native/contracts.h restate
// these for their languages; test/backend/contracts.test.ts holds the three together.
//
// A cell with G gate blocks reads XW (T,B,G*H), the input projection of every step (computed outside, as cuDNN
// and PyTorch do), and W_h (H,G*H), b_h (G*H) for the recurrent product HW = H_{t-1} W_h + b_h. Gate blocks are
// in PyTorch's order, so that the concise layers exchange weights with torch.nn without reordering:
//   rnn-tanh, rnn-relu  G=1  h = act(xw + hw)
//   lstm                G=4  [i f g o]: c = f*c_prev + i*g, h = o*tanh(c)           (torch.nn.LSTM)
//   gru                 G=3  [r z n]: the book's GRU (D2L 10.2): n = tanh(xw_n + (r*h_prev) W_hn + b_hn)
//   gru-torch           G=3  [r z n]: torch.nn.GRU's:            n = tanh(xw_n + r*(h_prev W_hn + b_hn))
//   both GRUs: h = (1-z)*n + z*h_prev (the book's H = Z*H + (1-Z)*H~)
// The book's GRU multiplies r into h before the candidate's product, so its recurrence has a second, dependent
// product per step; PyTorch's form has one product for all three gates.

/** What the kernels need to know of a cell, besides its pointwise math (written once per backend). */
interface CellFacts {
  gates: number; // G: gate blocks of H columns in XW, W_h and b_h
  saved: number; // S: floats saved per (step, row) for the backward pass, as a multiple of H; saved is (T,B,S*H)
  cellState: boolean; // carries a cell state C beside H (the LSTM)
}

/**
 * One row per cell, in id order (a cell's id is its row's index: what the WebAssembly and native kernels receive).
 *   rnn: saves nothing (the slope comes from h itself); lstm: [i f g o] after activation, then c (5);
 *   gru: [r z n] after activation (3); gru-torch: [r z n], then h_prev W_hn + b_hn (4).
 */
export const CELL_TABLE = {
  'rnn-tanh': { gates: 1, saved: 0, cellState: false },
  'rnn-relu': { gates: 1, saved: 0, cellState: false },
  lstm: { gates: 4, saved: 5, cellState: true },
  gru: { gates: 3, saved: 3, cellState: false },
  'gru-torch': { gates: 3, saved: 4, cellState: false },
} as const satisfies Record<string, CellFacts>;

export type Cell = keyof typeof CELL_TABLE;
export const CELLS = Object.keys(CELL_TABLE) as readonly Cell[];

/** The id a kernel receives for a cell (its row in CELL_TABLE). */
export function cellId(cell: Cell): number {
  return CELLS.indexOf(cell);
}

/** G: gate blocks of H columns in XW, W_h and b_h. */
export function gateCount(cell: Cell): number {
  return CELL_TABLE[cell].gates;
}

/** S: floats saved per (step, row) for the backward pass, as a multiple of H. */
export function savedBlocks(cell: Cell): number {
  return CELL_TABLE[cell].saved;
}

/** True for cells that carry a cell state C beside H (the LSTM). */
export function hasCellState(cell: Cell): boolean {
  return CELL_TABLE[cell].cellState;
}

/** Rows of logits the fused output layer keeps at once (every backend uses this block). */
export const LOGIT_BLOCK_ROWS = 256;

/** A backend's own statement of the contracts, compared with this file's by test/backend/contracts.test.ts. */
export interface KernelContracts {
  gates: number[]; // gateCount of each cell, by id
  savedBlocks: number[]; // savedBlocks of each cell, by id
  logitBlockRows: number; // LOGIT_BLOCK_ROWS
}

/** The contracts as this file defines them (the reference backend's). */
export const CONTRACTS: KernelContracts = Object.freeze({
  gates: CELLS.map(gateCount),
  savedBlocks: CELLS.map(savedBlocks),
  logitBlockRows: LOGIT_BLOCK_ROWS,
});
