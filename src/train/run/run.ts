// One complete training run from a configuration and a text: data, model, optimizer, threads, trainer. The one
// orchestration of rnnlm train, --resume, sweep, exercises and the page's worker. Browser-safe: threads come through
// a ParallelStarter the caller passes (Node's worker threads: node/parallel.ts, the default of the Node entry's
// trainRun; the page's Web Workers: web/parallel.ts). A run can continue from a RunState exactly (the weights, the
// optimizer's buffers, the random generator, the epoch and step counts and the curves are all restored, and the text
// must be the one it trained on), or start anew from a model's weights (fine-tuning).
import type { Corpus } from '../../data/corpus.js';
import { textIdentity } from '../../data/text-id.js';
import type { TimeMachine } from '../../data/timemachine.js';
import type { RNNLMScratch } from '../../models/rnn.js';
import { localGradients, type StepResult } from '../../models/batch-step.js';
import type { TrainConfig } from '../config/config.js';
import type { DataParallel, ReplicaInit } from './data-parallel.js';
import { checkSameText, snapshotRun, type RunState } from './run-state.js';
import { setupRun, type SetupOptions } from './setup.js';
import { Trainer, type BatchProgress, type EpochStats } from './trainer.js';

/** Starts the threads of a data-parallel run (the calling thread is the first): how a platform reaches its threads. */
export type ParallelStarter = (threads: number, init: Omit<ReplicaInit, 'replica'>) => DataParallel | Promise<DataParallel>;

/** setupRun's options (vocab, initialValues, fused), the run to continue, its threads and callbacks. */
export interface RunOptions extends Omit<SetupOptions, 'resume'> {
  from?: RunState; // continue this run exactly: its settings (config, epochs aside) and its text
  threads?: number; // data-parallel threads (sequential partitioning always uses 1)
  parallel?: ParallelStarter; // needed for threads > 1
  onStart?: (run: { model: RNNLMScratch; data: TimeMachine; threads: number; state: RunState }) => void | Promise<void>; // state: before the first new epoch
  onEpoch?: (stats: EpochStats, state: RunState) => void | Promise<void>;
  onBatch?: (progress: BatchProgress) => void;
  beforeStep?: () => Promise<void>; // awaited before each training step (the page lets its messages in, and pauses)
  signal?: AbortSignal; // stops the run between batches (TrainingInterrupted)
}

export interface RunResult {
  model: RNNLMScratch;
  data: TimeMachine;
  history: EpochStats[];
  threads: number;
  state: RunState; // after the last epoch: what continuing the run needs
}

/**
 * Trains on a text, or on a corpus built from a file with the configuration's corpusOptions (node/load.ts,
 * loadCorpus). Continuing (from) on another text throws DifferentText before any work.
 */
export async function trainRun(config: TrainConfig, text: string | Corpus, { threads = 1, parallel: start, from, onStart, onEpoch, onBatch, beforeStep, signal,
  ...setup }: RunOptions = {}): Promise<RunResult> {
  const identity = typeof text === 'string' ? { textSha1: textIdentity(text) } : { textSha1: text.textSha1 ?? '', ...(text.sha1 !== undefined ? { sha1: text.sha1 } : {}) };
  if (from) checkSameText(from.training, identity);
  const { data, rng, model, optimizer, trainer: settings } = setupRun(config, text, { ...setup, ...(from ? { resume: from, vocab: from.vocab } : {}) });
  const { fused = true } = setup;
  const n = config.partition === 'sequential' ? 1 : threads;
  if (n > 1 && !start) throw new Error(`${n} threads need a way to start them (the parallel option: startDataParallel in Node, Web Workers in a page)`);
  // what the run keeps of where it came from: the file a command line named, and the text's identity
  const keep = { ...(from?.training.data !== undefined ? { data: from.training.data } : {}), textSha1: identity.textSha1 };
  const initial = from ? { ...from.training, ...keep } : { epoch: 0, steps: 0, firstLoss: NaN, history: [], rng: rng.getState(), optimizerSteps: 0, ...keep };
  await onStart?.({ model, data, threads: n, state: snapshotRun(config, data.vocab, model, optimizer, initial) });
  const parallel = n > 1 ? await start!(n, { config, vocabSize: data.vocab.length, fused }) : null;
  if (parallel && from) parallel.step = from.training.steps;
  const state = (): RunState => snapshotRun(config, data.vocab, model, optimizer,
    { ...trainer.state, rng: rng.getState(), optimizerSteps: optimizer.steps, ...keep });
  const gradients = parallel ? parallel.gradients : localGradients;
  const trainer: Trainer = new Trainer({
    ...settings,
    onEpoch: (s) => onEpoch?.(s, state()),
    ...(onBatch ? { onBatch } : {}),
    ...(signal ? { signal } : {}),
    ...(beforeStep || parallel ? { computeGradients: async (m: RNNLMScratch, batch: Parameters<typeof localGradients>[1], st?: Parameters<typeof localGradients>[2]): Promise<StepResult> => {
      await beforeStep?.();
      return gradients(m, batch, st);
    } } : {}),
    ...(parallel ? { computeLoss: parallel.loss } : {}),
  });
  try {
    const history = await trainer.fit(model, data, from?.training);
    return { model, data, history, threads: n, state: state() };
  } finally {
    await parallel?.close();
  }
}
