// One complete training run from a configuration and a text (Node): data, model, threads, trainer.
// Shared by rnnlm train, rnnlm sweep and rnnlm exercises.
import type { BackendName } from '../backend/select.js';
import type { Corpus } from '../data/corpus.js';
import { TimeMachine } from '../data/timemachine.js';
import type { Vocab } from '../data/vocab.js';
import type { RNNLMScratch } from '../models/rnn.js';
import { Rng } from '../tensor/random.js';
import { corpusOptions, createModel, type TrainConfig } from './config.js';
import { DataParallel } from './parallel.js';
import { Trainer, type BatchProgress, type EpochStats } from './trainer.js';

export interface RunOptions {
  threads?: number; // data-parallel threads (sequential partitioning always uses 1)
  backend?: BackendName; // what worker threads load (the main thread's backend is selected by the caller)
  fused?: boolean; // fused kernels (default) or the book's op-by-op path
  vocab?: Vocab; // a fixed vocabulary (to compare models on the same tokens)
  onStart?: (run: { model: RNNLMScratch; data: TimeMachine; threads: number }) => void | Promise<void>;
  onEpoch?: (stats: EpochStats, model: RNNLMScratch) => void | Promise<void>;
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
export async function trainRun(config: TrainConfig, text: string | Corpus, { threads = 1, backend = 'auto', fused = true, vocab, onStart, onEpoch, onBatch, signal }: RunOptions = {}): Promise<RunResult> {
  const data = new TimeMachine(text, { ...config, ...corpusOptions(config), ...(vocab ? { vocab } : {}) });
  const rng = new Rng(config.seed);
  const model = createModel(config, data.vocab.length, rng, fused);
  const n = config.partition === 'sequential' ? 1 : threads;
  await onStart?.({ model, data, threads: n });
  const parallel = n > 1 ? DataParallel.start(n, { config, vocabSize: data.vocab.length, backend, fused }) : null;
  const trainer = new Trainer({
    maxEpochs: config.epochs,
    gradientClipVal: config.clip,
    rng,
    onEpoch: (s) => onEpoch?.(s, model),
    ...(onBatch ? { onBatch } : {}),
    ...(signal ? { signal } : {}),
    ...(parallel ? { computeGradients: parallel.gradients, computeLoss: parallel.loss } : {}),
  });
  try {
    return { model, data, history: await trainer.fit(model, data), threads: n };
  } finally {
    await parallel?.close();
  }
}
