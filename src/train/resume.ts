// Continuing a run exactly: what a checkpoint keeps of it besides the model, and putting that back into a fresh
// model, random generator and optimizer built from the run's configuration. Browser-safe: the CLI's trainRun
// (run.ts) and the page's worker both continue runs through continueRun.
import type { RNNLMScratch } from '../models/rnn.js';
import type { Rng, RngState } from '../tensor/random.js';
import type { Optimizer } from './optimizer.js';
import type { TrainerState } from './trainer.js';

/** Everything besides the weights and the optimizer's buffers that continuing a run exactly needs. */
export interface TrainingState extends TrainerState {
  rng: RngState; // the random generator after the epoch (it shuffles the next one)
  optimizerSteps: number; // the optimizer's step count (Adam's bias correction)
  data?: string; // the text file the run reads (absent: The Time Machine), so that --resume finds it again
  dataSha1?: string; // the sha1 of that file's bytes, so that --resume refuses another text
}

/** A run to continue: its weights, optimizer buffers (by name) and training state. */
export interface ResumeFrom {
  values: ArrayLike<number>;
  optimizerState: ReadonlyMap<string, Float32Array>;
  training: TrainingState;
}

/** Puts a run's weights, random-generator state and optimizer state into a model, rng and optimizer of its configuration. */
export function continueRun(from: ResumeFrom, model: RNNLMScratch, rng: Rng, optimizer: Optimizer): void {
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
