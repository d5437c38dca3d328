// The kernel contracts as the native kernels state them: the C++ twin of src/backend/cells.ts (and of
// asm/contracts.ts). The addon's contracts() reports these constants, and test/backend/contracts.test.ts compares
// them with TypeScript's, so a change on one side that the other misses fails the tests.
#pragma once

namespace rnnlm {

/** Cell ids: each cell's index in cells.ts's CELLS. */
enum Cell : int { RNN_TANH = 0, RNN_RELU = 1, LSTM = 2, GRU = 3, GRU_TORCH = 4 };
constexpr int CELL_COUNT = 5;

/** G, by cell id: gate blocks of H columns in XW, W_h and b_h ([i f g o] for the LSTM, [r z n] for the GRUs). */
constexpr int GATES[CELL_COUNT] = {1, 1, 4, 3, 3};

/**
 * S, by cell id: floats saved per (step, row) for the backward, as a multiple of H; the saved array is (T,B,S*H).
 *   rnn: nothing; lstm: [i f g o] after activation, then c; gru: [r z n]; gru-torch: [r z n], then h_prev W_hn + b_hn.
 */
constexpr int SAVED_BLOCKS[CELL_COUNT] = {0, 0, 5, 3, 4};

/** Rows of logits the fused output layer keeps at once. */
constexpr int LOGIT_BLOCK_ROWS = 256;

}  // namespace rnnlm
