// A run's parts from its configuration and text (browser-safe): the data, the model drawn from the seed's random
// generator, the optimizer, and the trainer's settings (epochs, clipping, learning-rate schedule); a continued run's
// weights, generator and optimizer are put back (run-state.ts). trainRun (run.ts), for the CLI and the page alike, builds its
// runs here, so that a run continued in either goes on exactly as the uninterrupted one.
import type { Corpus } from '../../data/corpus.js';
import { TimeMachine } from '../../data/timemachine.js';
import type { Vocab } from '../../data/vocab.js';
import type { RNNLMScratch } from '../../models/rnn.js';
import { Rng } from '../../tensor/random.js';
import { corpusOptions, createModel, createOptimizer, lrScheduleOf, type TrainConfig } from '../config/config.js';
import type { Optimizer } from '../optim/optimizer.js';
import { continueRun, type RunState } from './run-state.js';
import { lrAt } from '../optim/schedule.js';
import type { TrainerOptions } from './trainer.js';

export interface SetupOptions {
  vocab?: Vocab; // a fixed vocabulary (a model's, to continue or fine-tune it; or to compare models on the same tokens)
  resume?: RunState; // continue a run exactly
  initialValues?: ArrayLike<number>; // start from these weights (a model's, with the same configuration of layers)
  fused?: boolean; // fused kernels (default) or the book's op-by-op path
}

export interface RunSetup {
  data: TimeMachine;
  rng: Rng; // initialisation drew from it; it shuffles the epochs
  model: RNNLMScratch;
  optimizer: Optimizer;
  /** The Trainer's options the configuration sets. */
  trainer: Required<Pick<TrainerOptions, 'maxEpochs' | 'gradientClipVal' | 'rng' | 'optimizer' | 'lrAt'>>;
}

export function setupRun(config: TrainConfig, text: string | Corpus, { vocab, resume, initialValues, fused = true }: SetupOptions = {}): RunSetup {
  const data = new TimeMachine(text, { ...config, ...corpusOptions(config), ...(vocab ? { vocab } : {}) });
  const rng = new Rng(config.seed);
  const model = createModel(config, data.vocab.length, rng, fused);
  const optimizer = createOptimizer(config, model.params.values.length);
  if (resume) {
    continueRun(resume, model, rng, optimizer);
  } else if (initialValues) {
    if (initialValues.length !== model.params.values.length) throw new Error(`the starting weights hold ${initialValues.length} values, the model ${model.params.values.length}`);
    model.params.values.set(initialValues);
  }
  const schedule = lrScheduleOf(config);
  return {
    data, rng, model, optimizer,
    trainer: { maxEpochs: config.epochs, gradientClipVal: config.clip, rng, optimizer, lrAt: (epoch, step) => lrAt(schedule, epoch, step) },
  };
}
