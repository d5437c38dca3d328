// Options several commands share, declared once (threads, backend, data, output format): each command's table
// spreads the ones it takes, so they parse, check and read alike everywhere.
import { availableParallelism } from 'node:os';
import { BACKEND_NAMES } from '../node/select-backend.js';
import { PARALLELISMS, type Sharing } from '../train/run/run.js';

const cores = availableParallelism();

/** One thread per core, up to 4: measured 1.7x faster than one thread on a 2-core machine (README, How it is built). */
export const DEFAULT_THREADS = Math.max(1, Math.min(4, cores));

/**
 * The threads a run takes when --threads is not given, by how they share its work: kernel threads share one model,
 * whose memory does not grow with them (2-layer LSTM 256, batch 1024: 881 MB peak on one thread, 874 on two), so one
 * per core, as PyTorch takes; replicas hold a model and its activations each, so at most 4 (DEFAULT_THREADS).
 */
export function defaultThreads(sharing: Sharing, usable = cores): number {
  return sharing === 'kernels' ? Math.max(1, usable) : Math.max(1, Math.min(4, usable));
}

/** The largest --threads accepted (a command line written for a larger machine still runs); a run starts at most one per core. */
export const MAX_THREADS = 4 * cores;

/**
 * --threads of the commands that train any model (train, sweep, bench): no default in the table, since it follows
 * how the threads share each run's work (defaultThreads), which the run's configuration decides.
 */
export const THREADS = {
  threads: { kind: 'int', min: 1, max: MAX_THREADS, meta: 'N',
    help: 'share the work among N threads (default: one per core, at most 4 when they are replicas, which hold a model copy each; ' +
      'a run starts at most one per core, since more would only wait)' },
} as const;

/** --threads of exercises, whose runs are the book's small models on replicas: one per core, at most 4. */
export const REPLICA_THREADS = {
  threads: { kind: 'int', default: DEFAULT_THREADS, min: 1, max: MAX_THREADS, meta: 'N',
    help: 'share the work among N threads (by default one per core, at most 4; a run starts at most one per core, since more would only wait)' },
} as const;

/** How the threads share the work (train/run/run.ts, Parallelism). */
export const PARALLELISM = {
  parallelism: { kind: 'choice', default: 'auto', choices: PARALLELISMS, meta: 'P',
    help: 'how threads share the work: kernels (one model; the native or wasm kernels split each product, the same numbers as 1 thread, ' +
      'at most one thread per core), replicas (a model replica per thread on a shard of each batch), or auto (kernels for large models)' },
} as const;

export const BACKEND = {
  backend: { kind: 'choice', default: 'auto', choices: BACKEND_NAMES, meta: 'B',
    help: 'the kernels: auto (native, else WebAssembly SIMD, else reference), native, wasm or reference' },
} as const;

export const DATA = {
  data: { kind: 'string', meta: 'FILE', nonEmpty: true,
    help: 'train on this text file (UTF-8, UTF-16 with a byte-order mark, or Windows-1252) instead of The Time Machine' },
} as const;

export const JSON_OUTPUT = {
  json: { kind: 'boolean', default: false, help: 'print one JSON object per line instead of text' },
} as const;
