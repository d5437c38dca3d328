// The matrix work of one epoch of the book's run, the yardstick for GFLOP/s and the share of the machine's peak.
// Counted for every engine alike: the one-hot input product is a row gather and counts 0 (it is the work needed,
// even where an engine multiplies by the one-hot matrix); each product (n,k)@(k,m) counts 2nkm.
//   per token and layer l: the recurrent product 2*H*G*H, plus the input product 2*H*G*H for l > 0 (dense inputs);
//   per token: the output layer 2*H*V. Training does forward and backward (3x the forward), validation forward only.
import { BOOK_CONFIG } from '../../train/config/config.js';
import { kindGates, type CellKind } from '../../models/cell-factory.js';

/** Forward FLOPs of one token through `layers` layers of a cell with H hidden units and a V-way output. */
export function forwardFlopsPerToken(cell: CellKind, layers: number, H: number, V: number): number {
  const G = kindGates(cell);
  return layers * 2 * H * G * H + (layers - 1) * 2 * H * G * H + 2 * H * V;
}

/** FLOPs of one epoch of the book's run: numTrain windows trained, numVal validated, numSteps tokens each. */
export function flopsPerEpoch(cell: CellKind, layers: number, H: number, V: number): number {
  const T = BOOK_CONFIG.numSteps;
  const f = forwardFlopsPerToken(cell, layers, H, V);
  return BOOK_CONFIG.numTrain * T * 3 * f + BOOK_CONFIG.numVal * T * f;
}
