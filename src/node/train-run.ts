// trainRun in Node: the one run (train/run/run.ts), its threads Node's worker threads unless the caller passes its own
// starter. The Node entry exports this trainRun; the browser entry the one it wraps.
import { trainRun as run, type ParallelStarter, type RunOptions, type RunResult } from '../train/run/run.js';
import type { Corpus } from '../data/corpus.js';
import type { TrainConfig } from '../train/config/config.js';
import { availableParallelism } from 'node:os';
import { startDataParallel } from './parallel.js';
import type { BackendName } from './select-backend.js';

export interface NodeRunOptions extends RunOptions {
  backend?: BackendName; // what the worker threads load (the main thread's backend is selected by the caller)
}

/** Node's worker threads, each loading `backend`, as a run's parallel starter. */
export function nodeParallel(backend: BackendName = 'auto'): ParallelStarter {
  return (threads, init) => startDataParallel(threads, { ...init, backend });
}

export function trainRun(config: TrainConfig, text: string | Corpus, { backend = 'auto', ...options }: NodeRunOptions = {}): Promise<RunResult> {
  // the cores this process may use (its affinity mask, as the native kernels' cap): replicas beyond them only wait
  return run(config, text, { parallel: nodeParallel(backend), cores: availableParallelism(), ...options });
}
