// The matrix work of one epoch of a run, the yardstick for GFLOP/s and the share of the machine's peak.
// Counted for every engine alike: the one-hot input product is a row gather and counts 0 (it is the work needed,
// even where an engine multiplies by the one-hot matrix); each product (n,k)@(k,m) counts 2nkm.
//   per token and layer l: the recurrent product 2*H*G*H, plus the input product 2*H*G*H for l > 0 (dense inputs);
//   per token: the output layer 2*H*V. Training does forward and backward (3x the forward), validation forward only.
// An epoch reads numTrain training and numVal validation windows of numSteps tokens (the book split); the batch size
// only groups them (the last batch may be partial), so it does not change the count.
import { BOOK_CONFIG } from '../../train/config/config.js';
import { kindGates, type CellKind } from '../../models/cell-factory.js';

/** The windows one epoch reads. */
export interface EpochWindows {
  numSteps: number; // tokens per window
  numTrain: number; // training windows
  numVal: number; // validation windows
}

/** The book's: 10,000 training and 5,000 validation windows of 32 tokens. */
export const BOOK_WINDOWS: Readonly<EpochWindows> = Object.freeze({
  numSteps: BOOK_CONFIG.numSteps, numTrain: BOOK_CONFIG.numTrain, numVal: BOOK_CONFIG.numVal,
});

/** Forward FLOPs of one token through `layers` layers of a cell with H hidden units and a V-way output. */
export function forwardFlopsPerToken(cell: CellKind, layers: number, H: number, V: number): number {
  const G = kindGates(cell);
  return layers * 2 * H * G * H + (layers - 1) * 2 * H * G * H + 2 * H * V;
}

/** FLOPs of one epoch: numTrain windows trained, numVal validated, numSteps tokens each (default: the book's run). */
export function flopsPerEpoch(cell: CellKind, layers: number, H: number, V: number, windows: EpochWindows = BOOK_WINDOWS): number {
  const f = forwardFlopsPerToken(cell, layers, H, V);
  return windows.numTrain * windows.numSteps * 3 * f + windows.numVal * windows.numSteps * f;
}
