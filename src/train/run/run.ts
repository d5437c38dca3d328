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
import { getBackend } from '../../backend/current.js';
import { kernelCell, kindGates } from '../../models/layout.js';
import type { TrainConfig } from '../config/config.js';
import type { DataParallel, ReplicaInit } from './data-parallel.js';
import { checkSameText, snapshotRun, type RunState } from './run-state.js';
import { setupRun, type SetupOptions } from './setup.js';
import { Trainer, type BatchProgress, type EpochStats } from './trainer.js';

/** Starts the threads of a data-parallel run (the calling thread is the first): how a platform reaches its threads. */
export type ParallelStarter = (threads: number, init: Omit<ReplicaInit, 'replica'>) => DataParallel | Promise<DataParallel>;

/**
 * How a run's threads share its work. 'kernels': one model, and the backend's kernels split every large product over
 * the threads (native: native/threads.h), so the run computes the same floats as on one thread, with any partition;
 * 'replicas': each thread a model replica on a shard of each batch (data-parallel.ts; random partitioning only).
 * 'auto': kernels where the backend has them and a step's recurrent product is large enough to split, else replicas.
 */
export const PARALLELISMS = ['auto', 'kernels', 'replicas'] as const;
export type Parallelism = (typeof PARALLELISMS)[number];
/** How a run's threads did share its work: the parallelism 'auto' resolved to. */
export type Sharing = Exclude<Parallelism, 'auto'>;

/**
 * Multiply-adds of one step's recurrent product (batch x G*H x H) from which 'auto' splits the kernels rather than
 * the batch. Measured on 2 cores (2 threads, one run each way, interleaved): the book's RNN (1024 x 32 x 32, 1 M)
 * 10 epochs 0.73-1.04 s with replicas, 1.23-1.29 s with kernels (a step's product is ~10 us, too little to share
 * at a meeting per step); a 2-layer LSTM 128 at batch 50 (3.3 M) 3.9 s either way; LSTM 256 at batch 1024 (268 M)
 * even (11-13 s); the char-rnn LSTM 512 at batch 50 (52 M) 47-53 s with replicas, 39-42 s with kernels. Kernels
 * also keep one model and one set of activations whatever the threads.
 */
export const KERNEL_THREADS_WORK = 1 << 22;

/**
 * Whether a configuration's kernels are worth splitting among threads at all (a meeting per time step): its cell
 * splits (the book's scratch GRU stays on one thread: native's recurrence needs each block's r before its second
 * product, native/recurrence.h) and a step's recurrent product reaches KERNEL_THREADS_WORK. The page's question: one
 * thread or all of them (bench/wasm-threads.md, the book's RNN 0.63x-1.16x of one thread's speed on 2 kernel
 * threads, char-rnn's LSTM 512 1.64x-1.86x).
 */
export function kernelThreadsPay(config: TrainConfig): boolean {
  const work = config.batchSize * kindGates(config.cell) * config.numHiddens * config.numHiddens;
  return kernelCell(config.cell, config.concise, config.activation) !== 'gru' && work >= KERNEL_THREADS_WORK;
}

/**
 * From this batch, a model narrower than REPLICAS_HIDDEN trains faster on replicas than on kernel threads, each
 * replica keeping a large shard of a small model (native, 2 cores, `rnnlm train --parallelism`, alternated): at batch
 * 1024 the book's LSTMScratch (hidden 32, 20 epochs) 3.2-3.5 s on replicas against 5.9-6.1 s on kernels, a concise
 * LSTM of 64 units 1.5 against 2.0-2.1 s, of 128 units 3.7 against 4.1-4.2 s; at batch 256 (64 units) and 512 (128
 * units) even; a 2-layer LSTM of 256 at batch 1024 even, where kernels keep one model's memory.
 */
export const REPLICAS_BATCH = 1024;
export const REPLICAS_HIDDEN = 256;

/**
 * The parallelism 'auto' picks for a configuration on a backend with kernel threads (native, and WebAssembly's
 * team): kernels where they pay (kernelThreadsPay), except for a small model at a large batch (REPLICAS_BATCH).
 */
export function autoParallelism(config: TrainConfig, backend = getBackend()): Sharing {
  const largeBatchOfSmallModel = config.batchSize >= REPLICAS_BATCH && config.numHiddens < REPLICAS_HIDDEN;
  return backend.setThreads && kernelThreadsPay(config) && !largeBatchOfSmallModel ? 'kernels' : 'replicas';
}

/** setupRun's options (vocab, initialValues, fused), the run to continue, its threads and callbacks. */
export interface RunOptions extends Omit<SetupOptions, 'resume'> {
  from?: RunState; // continue this run exactly: its settings (config, epochs aside) and its text
  threads?: number; // threads (replicas: sequential partitioning always uses 1)
  cores?: number; // the cores the threads may use: a run starts at most this many (default: no cap; Node's trainRun: the usable cores)
  parallelism?: Parallelism; // how the threads share the work ('auto')
  parallel?: ParallelStarter; // needed for replicas
  onStart?: (run: { model: RNNLMScratch; data: TimeMachine; threads: number; parallelism: Sharing; state: RunState }) => void | Promise<void>; // state: before the first new epoch
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
  parallelism: Sharing; // how the threads shared the work (replicas also when one thread ran)
  state: RunState; // after the last epoch: what continuing the run needs
}

/**
 * Trains on a text, or on a corpus built from a file with the configuration's corpusOptions (node/load.ts,
 * loadCorpus). Continuing (from) on another text throws DifferentText before any work.
 */
export async function trainRun(config: TrainConfig, text: string | Corpus, { threads = 1, cores = Infinity, parallelism = 'auto', parallel: start, from, onStart, onEpoch,
  onBatch, beforeStep, signal, ...setup }: RunOptions = {}): Promise<RunResult> {
  const identity = typeof text === 'string' ? { textSha1: textIdentity(text) } : { textSha1: text.textSha1 ?? '', ...(text.sha1 !== undefined ? { sha1: text.sha1 } : {}) };
  if (from) checkSameText(from.training, identity);
  const backend = getBackend();
  const mode = parallelism === 'auto' ? autoParallelism(config, backend) : parallelism;
  if (mode === 'kernels' && !backend.setThreads) throw new Error(`the ${backend.name} backend has no kernel threads (the native and wasm backends have)`);
  const { data, rng, model, optimizer, trainer: settings } = setupRun(config, text, { ...setup, ...(from ? { resume: from, vocab: from.vocab } : {}) });
  const { fused = true } = setup;
  const kernelThreads = mode === 'kernels' && threads > 1 ? backend.setThreads!(threads) : 1;
  // threads beyond the cores only wait: measured on 2 cores, 8 replicas took 1.55x the time of 2 (and 1.8x the
  // memory), so replicas are capped at the cores as the kernels' threads are (natively, at the affinity mask)
  const n = mode === 'kernels' ? kernelThreads : config.partition === 'sequential' ? 1 : Math.max(1, Math.min(threads, cores));
  if (mode === 'replicas' && n > 1 && !start) throw new Error(`${n} threads need a way to start them (the parallel option: startDataParallel in Node, Web Workers in a page)`);
  // what the run keeps of where it came from: the file a command line named, and the text's identity
  const keep = { ...(from?.training.data !== undefined ? { data: from.training.data } : {}), textSha1: identity.textSha1 };
  const initial = from ? { ...from.training, ...keep } : { epoch: 0, steps: 0, firstLoss: NaN, history: [], rng: rng.getState(), optimizerSteps: 0, ...keep };
  let replicas: DataParallel | null = null;
  try {
    await onStart?.({ model, data, threads: n, parallelism: mode, state: snapshotRun(config, data.vocab, model, optimizer, initial) });
    const parallel = (replicas = mode === 'replicas' && n > 1 ? await start!(n, { config, vocabSize: data.vocab.length, fused }) : null);
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
    const history = await trainer.fit(model, data, from?.training);
    return { model, data, history, threads: n, parallelism: mode, state: state() };
  } finally {
    await replicas?.close();
    if (kernelThreads > 1) backend.setThreads!(1); // the kernels of this JavaScript thread run alone again
  }
}
