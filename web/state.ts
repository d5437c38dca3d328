// The page's state that more than one of its views reads or changes: whether a run is training (and paused), the
// current model's run and text, and the epochs the chart shows. One object, so that every module sees each change (an
// imported `let` cannot be assigned by its importers).
import type { EpochStats } from '../src/browser.js';
import type { RunInfo } from './protocol.js';
import type { TextNote } from './model-store.js';

export interface PageState {
  training: boolean;
  paused: boolean;
  /** The current model's run, when it can be continued ("Continue" continues it). */
  run: RunInfo | null;
  /** The epochs the chart shows: the current run's, a continued run's earlier epochs first. */
  epochs: EpochStats[];
  /** The text the current model trained on, as a model saved in the browser records it (null: no model yet). */
  modelText: TextNote | null;
}

export const state: PageState = { training: false, paused: false, run: null, epochs: [], modelText: null };
