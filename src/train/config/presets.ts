// The book's runs, one per section, as configurations: `rnnlm train --book 10.1` runs section 10.1's code.
// All share D2L's data and trainer settings (batch 1024, 32 steps, 32 hidden units, clip 1); the sections differ
// in the model, the learning rate and the epochs. With concise, a section runs its concise code instead.
import { BOOK_CONFIG, type TrainConfig } from './config.js';

export interface BookPreset {
  title: string; // what the section trains
  scratch: Partial<TrainConfig>; // the section's from-scratch code
  concise: Partial<TrainConfig>; // the section's concise code
}

export const BOOK_PRESETS: Readonly<Record<string, BookPreset>> = Object.freeze({
  '9.5': { title: 'RNNScratch (vanilla RNN from scratch), lr 1, 100 epochs', scratch: {}, concise: { concise: true } },
  '9.6': { title: 'concise RNN (torch.nn.RNN), lr 1, 100 epochs', scratch: { concise: true }, concise: { concise: true } },
  '10.1': { title: 'LSTMScratch, lr 4, 50 epochs (--concise: LSTM)', scratch: { cell: 'lstm', lr: 4, epochs: 50 }, concise: { cell: 'lstm', lr: 4, epochs: 50, concise: true } },
  '10.2': { title: 'GRUScratch, lr 4, 50 epochs (--concise: GRU)', scratch: { cell: 'gru', lr: 4, epochs: 50 }, concise: { cell: 'gru', lr: 4, epochs: 50, concise: true } },
  '10.3': { title: 'StackedRNNScratch (2 RNN layers), lr 2, 100 epochs (--concise: a 2-layer GRU)', scratch: { numLayers: 2, lr: 2 }, concise: { cell: 'gru', numLayers: 2, lr: 2, concise: true } },
});

/** The configuration of a section's run (BOOK_CONFIG with the section's model, learning rate and epochs). */
export function bookPreset(section: string, concise: boolean): TrainConfig {
  const preset = BOOK_PRESETS[section];
  if (!preset) throw new Error(`no book run for section ${section}: choose ${Object.keys(BOOK_PRESETS).join(', ')}`);
  return { ...BOOK_CONFIG, ...(concise ? preset.concise : preset.scratch) };
}
