// The kernel contracts restated for AssemblyScript: src/backend/cells.ts defines them for TypeScript (the cells, their
// ids, gate blocks, saved blocks, the output kernel's block of rows); test/backend/contracts.test.ts compares the two
// through the exports below. Also here: the scratch each recurrence kernel needs, which src/backend/wasm.ts reserves.

// Cell ids, as src/backend/cells.ts numbers CELLS.
export const RNN_TANH: i32 = 0;
export const RNN_RELU: i32 = 1;
export const LSTM: i32 = 2; // gates [i f g o]
export const GRU: i32 = 3; // the book's GRU, gates [r z n]: n = tanh(xw_n + (r*h_prev) W_hn + b_hn)
export const GRU_TORCH: i32 = 4; // torch.nn.GRU, gates [r z n]: n = tanh(xw_n + r*(h_prev W_hn + b_hn))
export const CELL_COUNT: i32 = 5;

/** G: gate blocks of H columns in XW, W_h and b_h. */
@inline export function gateCount(cell: i32): i32 {
  return cell == LSTM ? 4 : cell == GRU || cell == GRU_TORCH ? 3 : 1;
}

/** S: floats saved per (step, row) for the backward, as a multiple of H: lstm [i f g o c], gru [r z n], gru-torch [r z n hw_n]. */
@inline export function savedBlockCount(cell: i32): i32 {
  return cell == LSTM ? 5 : cell == GRU ? 3 : cell == GRU_TORCH ? 4 : 0;
}

/** Rows of logits the fused output layer keeps at once. */
export const LOGIT_BLOCK_ROWS: i32 = 256;

/**
 * R: rows of the batch the recurrence kernels carry through all time steps at once, for G*H gate columns. Rows are
 * independent in time, so a panel's state, its gate pre-activations and W_h stay in cache from step to step; larger
 * panels stream xw, hs and saved more sequentially. At most 256 rows, and the (R, G*H) pre-activations within 128 kB.
 */
@inline export function panelRows(B: i32, GH: i32): i32 {
  return min(B, max(16, min(256, (32768 / GH) & ~3)));
}

/** n rounded up to whole 4-float vectors, so that every scratch block starts 16-byte aligned. */
@inline export function up4(n: i32): i32 {
  return (n + 3) & ~3;
}

/** Rows of a chunk of the backward's weight-gradient product where the GRUs' n block forms an operand first. */
export const CHUNK_ROWS: i32 = 256;

/**
 * Floats of scratch a recurrence kernel shares among its parts (asm/team.ts), first in its scratch:
 *   forward:  the book's gru W_h[:, 0:2H] (H,2H), W_h[:, 2H:3H] (H,H); others none
 *   backward: W_h^T (G*H,H)
 */
@inline export function recurrenceSharedFloats(cell: i32, H: i32, backward: i32): i32 {
  if (backward == 0) return cell == GRU ? up4(2 * H * H) + up4(H * H) : 0;
  return up4(gateCount(cell) * H * H);
}

/**
 * Floats of scratch each part of a recurrence kernel has to itself, after the shared ones (R = panelRows(B, G*H)):
 *   forward:  rnn none (the panel is computed in hs itself); lstm, gru-torch P (R,G*H); gru P (R,2H), rh (R,H), Q (R,H)
 *   backward: dnext (R,H), dprev (R,H), then lstm dcnext (R,H); gru-torch dhw (R,3H), then its chunk (C,H);
 *             gru dhw_rz (R,2H), dan (R,H), rh (R,H), drh (R,H), then its chunk (C,H); C = min(B, CHUNK_ROWS)
 */
@inline export function recurrenceOwnFloats(cell: i32, B: i32, H: i32, backward: i32): i32 {
  const GH = gateCount(cell) * H;
  const R = panelRows(B, GH);
  if (backward == 0) {
    if (cell == LSTM || cell == GRU_TORCH) return up4(R * GH);
    if (cell == GRU) return up4(2 * R * H) + 2 * up4(R * H);
    return 0;
  }
  let n = 2 * up4(R * H);
  const chunk = up4(min(B, CHUNK_ROWS) * H);
  if (cell == LSTM) n += up4(R * H);
  else if (cell == GRU_TORCH) n += up4(R * GH) + chunk;
  else if (cell == GRU) n += up4(2 * R * H) + 3 * up4(R * H) + chunk;
  return n;
}

/** Floats of scratch a recurrence kernel needs on `parts` parts (asm/recurrence.ts carves them as the two above say). */
export function recurrenceScratchFloats(cell: i32, B: i32, H: i32, backward: i32, parts: i32): i32 {
  return recurrenceSharedFloats(cell, H, backward) + parts * recurrenceOwnFloats(cell, B, H, backward);
}

// ---- the contracts as exports, for src/backend/wasm.ts ----------------------------------------------------------

/** Gate blocks of cell id `cell`; 0 for an id this module does not know (so a cell missing here shows as a mismatch). */
export function contractGates(cell: i32): i32 {
  return cell >= 0 && cell < CELL_COUNT ? gateCount(cell) : 0;
}

/** Saved blocks of cell id `cell`; -1 for an id this module does not know. */
export function contractSavedBlocks(cell: i32): i32 {
  return cell >= 0 && cell < CELL_COUNT ? savedBlockCount(cell) : -1;
}

export function contractLogitBlockRows(): i32 {
  return LOGIT_BLOCK_ROWS;
}
