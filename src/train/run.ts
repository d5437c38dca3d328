// One complete training run from a configuration and a text (Node): data, model, optimizer, threads, trainer.
// Shared by rnnlm train, rnnlm sweep and rnnlm exercises. A run can start from a checkpoint's training state and
// continue exactly (the weights, the optimizer's buffers, the random generator, the epoch and step counts and the
// curves are all restored), or start anew from a checkpoint's weights (fine-tuning).
import type { BackendName } from '../backend/select.js';
import type { Corpus } from '../data/corpus.js';
import type { TimeMachine } from '../data/timemachine.js';
import type { RNNLMScratch } from '../models/rnn.js';
import type { TrainConfig } from './config.js';
import type { Optimizer } from './optimizer.js';
import { startDataParallel } from './parallel.js';
import type { TrainingState } from './resume.js';
import { setupRun, type SetupOptions } from './setup.js';
import { Trainer, type BatchProgress, type EpochStats } from './trainer.js';

export type { ResumeFrom, TrainingState } from './resume.js';

/** What onEpoch receives to save a checkpoint that continues the run. */
export interface RunSnapshot {
  model: RNNLMScratch;
  optimizer: Optimizer;
  training: TrainingState;
}

/** setupRun's options (vocab, resume, initialValues, fused), and the run's threads and callbacks. */
export interface RunOptions extends SetupOptions {
  threads?: number; // data-parallel threads (sequential partitioning always uses 1)
  backend?: BackendName; // what worker threads load (the main thread's backend is selected by the caller)
  onStart?: (run: { model: RNNLMScratch; data: TimeMachine; threads: number }) => void | Promise<void>;
  onEpoch?: (stats: EpochStats, run: RunSnapshot) => void | Promise<void>;
  onBatch?: (progress: BatchProgress) => void;
  signal?: AbortSignal; // stops the run between batches (TrainingInterrupted)
}

export interface RunResult {
  model: RNNLMScratch;
  data: TimeMachine;
  history: EpochStats[];
  threads: number;
}

/** Trains on a text, or on a corpus built from a file with the configuration's corpusOptions (load.ts, loadCorpus). */
export async function trainRun(config: TrainConfig, text: string | Corpus, { threads = 1, backend = 'auto', onStart, onEpoch, onBatch, signal,
  ...setup }: RunOptions = {}): Promise<RunResult> {
  const { data, rng, model, optimizer, trainer: settings } = setupRun(config, text, setup);
  const { resume, fused = true } = setup;
  const n = config.partition === 'sequential' ? 1 : threads;
  await onStart?.({ model, data, threads: n });
  const parallel = n > 1 ? startDataParallel(n, { config, vocabSize: data.vocab.length, backend, fused }) : null;
  if (parallel && resume) parallel.step = resume.training.steps;
  const trainer: Trainer = new Trainer({
    ...settings,
    onEpoch: (s) => onEpoch?.(s, { model, optimizer, training: { ...trainer.state, rng: rng.getState(), optimizerSteps: optimizer.steps } }),
    ...(onBatch ? { onBatch } : {}),
    ...(signal ? { signal } : {}),
    ...(parallel ? { computeGradients: parallel.gradients, computeLoss: parallel.loss } : {}),
  });
  try {
    return { model, data, history: await trainer.fit(model, data, resume?.training), threads: n };
  } finally {
    await parallel?.close();
  }
}
