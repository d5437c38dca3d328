// The state of a run: one type for all that continuing a run exactly needs, whoever trained it (rnnlm train, sweep,
// exercises, the page) and wherever it is kept (a checkpoint, the page's memory). trainRun (run.ts) reports it after
// every epoch and continues from it; checkpoints (checkpoint.ts) store and read it. Browser-safe.
import type { Vocab } from '../../data/vocab.js';
import type { RNNLMScratch } from '../../models/rnn.js';
import type { Rng, RngState } from '../../tensor/random.js';
import type { TrainConfig } from '../config/config.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { TrainerState } from './trainer.js';

/** The trainer's bound on the epochs of curves a state keeps, which checkpoints honour too. */
export { MAX_STATE_HISTORY } from './trainer.js';

/** Everything besides the weights and the optimizer's buffers that continuing a run exactly needs. */
export interface TrainingState extends TrainerState {
  rng: RngState; // the random generator after the epoch (it shuffles the next one)
  optimizerSteps: number; // the optimizer's step count (Adam's bias correction)
  data?: string; // the text file the run reads (absent: The Time Machine, or a text the page was given)
  textSha1?: string; // the identity of the text the run trains on (data/text-id.ts): a run continues only on it
  dataSha1?: string; // checkpoints before textSha1: the sha1 of the file's bytes (read, and still honoured)
}

/** A run after its last completed epoch (or before its first). */
export interface RunState {
  config: TrainConfig; // the run's settings, with its total epochs
  vocab: Vocab;
  values: Float32Array; // the weights
  optimizerState: ReadonlyMap<string, Float32Array>; // the optimizer's buffers by name
  training: TrainingState;
}

/** A run continued on another text than the one it trained on: refused, since it would not go on as it would have. */
export class DifferentText extends Error {
  constructor(readonly expected: string, readonly got: string) {
    super(`the run trained on another text (identity ${expected.slice(0, 12)}, given ${got.slice(0, 12)})`);
    this.name = 'DifferentText';
  }
}

/** Throws DifferentText unless a text (its identity, and the sha1 of its file's bytes when it is a file) is the run's. */
export function checkSameText(training: TrainingState, text: { textSha1: string; sha1?: string }): void {
  if (training.textSha1 !== undefined) {
    if (training.textSha1 !== text.textSha1) throw new DifferentText(training.textSha1, text.textSha1);
  } else if (training.dataSha1 !== undefined && training.dataSha1 !== text.sha1 && training.dataSha1 !== text.textSha1) {
    throw new DifferentText(training.dataSha1, text.sha1 ?? text.textSha1);
  }
}

/** Puts a run's weights, random-generator state and optimizer state into a model, rng and optimizer of its configuration. */
export function continueRun(from: RunState, model: RNNLMScratch, rng: Rng, optimizer: Optimizer): void {
  if (from.values.length !== model.params.values.length) throw new Error(`the run's weights hold ${from.values.length} values, its model ${model.params.values.length}`);
  model.params.values.set(from.values);
  rng.setState(from.training.rng);
  optimizer.steps = from.training.optimizerSteps;
  for (const [name, buffer] of optimizer.state) {
    const saved = from.optimizerState.get(name);
    if (!saved || saved.length !== buffer.length) throw new Error(`the run has no ${name} buffer for its ${optimizer.name} optimizer`);
    buffer.set(saved);
  }
}

/** The state of a run now: copies of the weights and buffers (the run goes on changing its own). */
export function snapshotRun(config: TrainConfig, vocab: Vocab, model: RNNLMScratch, optimizer: Optimizer, training: TrainingState): RunState {
  return {
    config, vocab, values: Float32Array.from(model.params.values),
    optimizerState: new Map([...optimizer.state].map(([name, b]) => [name, Float32Array.from(b)])),
    training,
  };
}
