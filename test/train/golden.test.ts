// The golden run: the tensors of short runs on the reference backend with one thread, pinned by their sha1, so that
// a reshaping of the code (issue 17's config schema, entries and layers) is seen to change no bit of what training
// computes. Recorded on b79a88e, before the reshaping, by this same file (RNNLM_GOLDEN_PRINT=1 prints what a run gives):
// the reshaped code gives the same three digests. Kernel work that changes the order of
// summation may re-record them, saying why in its commit. Re-recorded once: the concise LSTM's digest after ops.ts's
// reduceTo summed a bias's gradient over 64 rows or more as a product on the kernels (the reference sums it in float64
// and rounds once, where the loop had rounded after every row); the other two runs have no such bias.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backend/current.js';
import { referenceBackend } from '../../src/backend/reference.js';
import { BOOK_CONFIG, type TrainConfig } from '../../src/train/config/config.js';
import { trainRun } from '../../src/train/run/run.js';
import { ROOT } from '../helpers.js';

/** sha1 of float32 buffers, in order (weights, then the optimizer's state by name). */
function digest(buffers: ArrayLike<number>[]): string {
  const h = createHash('sha1');
  for (const b of buffers) h.update(new Uint8Array(Float32Array.from(b).buffer));
  return h.digest('hex');
}

const TEXT = readFileSync(join(ROOT, 'data', 'timemachine.txt'), 'utf8').slice(0, 20_000);
const SMALL: Partial<TrainConfig> = { epochs: 2, batchSize: 16, numSteps: 8, numHiddens: 12, numTrain: 160, numVal: 48 };

const RUNS: [string, Partial<TrainConfig>, string][] = [
  ["the book's 9.5 RNN, SGD", {}, '13e8516f9e227f1df0b235e606558506817647ca'],
  ['a concise 2-layer LSTM, Adam, raw text, step schedule', { cell: 'lstm', numLayers: 2, concise: true, dropout: 0.2, optimizer: 'adam', lr: 0.01, text: 'raw',
    lrSchedule: 'step', lrStart: 1, lrGamma: 0.5, embedding: 6 }, '18acdd0973e47d750f48ee4652474361f98e3626'],
  ['a scratch GRU, RMSprop with weight decay, word tokens, full split', { cell: 'gru', optimizer: 'rmsprop', lr: 0.01, weightDecay: 0.001, tokens: 'word',
    split: 'full', numSteps: 4 }, 'a94faf9ce99547f0fbc1cb9a69c3ce5839d18bbf'],
];

describe('the golden run (reference backend, one thread)', () => {
  for (const [name, changes, want] of RUNS) {
    it(`${name}: the same bits as before the reshaping`, async () => {
      setBackend(referenceBackend);
      const config = { ...BOOK_CONFIG, ...SMALL, ...changes } as TrainConfig;
      const { state } = await trainRun(config, TEXT, { threads: 1 });
      const got = digest([state.values, ...state.optimizerState.values()]);
      if (process.env['RNNLM_GOLDEN_PRINT']) console.log(`GOLDEN ${name}: ${got}`);
      assert.equal(got, want);
    });
  }
});
