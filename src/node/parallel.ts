// Data parallelism over Node's worker_threads: the threads of data-parallel.ts's DataParallel, each a worker.ts
// running its replica on the backend the run selected.
import { Worker } from 'node:worker_threads';
import type { BackendName } from './select-backend.js';
import { DataParallel, type ReplicaInit, type ShardRequest, type ShardResult, type ShardTransport } from '../train/run/data-parallel.js';

export { DataParallel, type ShardRequest, type ShardResult } from '../train/run/data-parallel.js';

/** What a Node worker needs to build its replica. */
export interface WorkerInit extends ReplicaInit {
  backend: BackendName;
}

class ShardWorker implements ShardTransport {
  private readonly worker: Worker;
  private pending: ((r: ShardResult) => void) | null = null;

  constructor(init: WorkerInit) {
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: init });
    this.worker.on('message', (r: ShardResult) => {
      const resolve = this.pending;
      this.pending = null;
      resolve?.(r);
    });
    this.worker.on('error', (e) => {
      const resolve = this.pending;
      this.pending = null;
      resolve?.({ loss: NaN, grads: null, error: e.message });
    });
  }

  run(request: ShardRequest): Promise<ShardResult> {
    return new Promise((resolve) => {
      this.pending = resolve;
      this.worker.postMessage(request);
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/** Starts threads - 1 worker threads (the calling thread is the first). */
export function startDataParallel(threads: number, init: Omit<WorkerInit, 'replica'>): DataParallel {
  return new DataParallel(Array.from({ length: Math.max(0, threads - 1) }, (_, i) => new ShardWorker({ ...init, replica: i + 1 })));
}
