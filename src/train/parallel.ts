// Data parallelism over worker_threads (Node): each minibatch is split by rows into one shard per thread; the
// main thread computes the first shard while workers compute the rest on their own model replicas (same
// parameters, sent each step), and the shard gradients are summed once per step, weighted by shard size.
// The result is the full batch's mean loss and gradient, up to float32 rounding order.
import { Worker } from 'node:worker_threads';
import type { BackendName } from '../backend/select.js';
import type { Batch } from '../data/timemachine.js';
import type { RNNLMScratch } from '../models/rnn.js';
import type { TrainConfig } from './config.js';
import { localEvaluation, localGradients, type StepResult } from './trainer.js';

/** What a worker needs to build its replica. */
export interface WorkerInit {
  config: TrainConfig;
  vocabSize: number;
  backend: BackendName;
  fused: boolean;
  replica: number; // 1, 2, ...: seeds the replica's own random stream (dropout masks differ between shards)
}

/** One shard for a worker: parameters, inputs and targets (rows x steps), and whether to compute gradients. */
export interface ShardRequest {
  values: Float32Array;
  X: Int32Array;
  Y: Int32Array;
  rows: number;
  steps: number;
  grad: boolean;
  step: number; // training steps before this one (seeds the replica's dropout masks)
}

export interface ShardResult {
  loss: number;
  grads: Float32Array | null;
  error?: string;
}

class ShardWorker {
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

export class DataParallel {
  /** Training steps run so far (a resumed run sets it to the checkpoint's). */
  step = 0;

  private constructor(private readonly workers: ShardWorker[]) {}

  /** Starts threads - 1 workers (the main thread is the first). */
  static start(threads: number, init: Omit<WorkerInit, 'replica'>): DataParallel {
    return new DataParallel(Array.from({ length: Math.max(0, threads - 1) }, (_, i) => new ShardWorker({ ...init, replica: i + 1 })));
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /** Mean loss of the batch; with grad, leaves the batch's mean gradient in model.params.grads. */
  async run(model: RNNLMScratch, [X, Y]: Batch, grad: boolean): Promise<number> {
    const [B, T] = X.shape as [number, number];
    const shards = Math.min(this.threads, B);
    const bounds = Array.from({ length: shards + 1 }, (_, i) => Math.round((i * B) / shards));
    const values = Float32Array.from(model.params.values);
    const replies = this.workers.slice(0, shards - 1).map((w, i) => {
      const [lo, hi] = [bounds[i + 1]!, bounds[i + 2]!];
      // slice() copies the shard: a view would send the whole batch buffer to every worker
      return w.run({ values, X: X.slice(lo, hi).data.slice(), Y: Y.slice(lo, hi).data.slice(), rows: hi - lo, steps: T, grad, step: this.step });
    });
    const local: Batch = [X.slice(0, bounds[1]!), Y.slice(0, bounds[1]!)];
    const localLoss = (grad ? localGradients(model, local) : localEvaluation(model, local)).loss;
    const results = await Promise.all(replies);
    const failed = results.find((r) => r.error !== undefined);
    if (failed) throw new Error(`a training thread failed: ${failed.error}`);
    const w0 = bounds[1]! / B;
    let loss = localLoss * w0;
    const g = model.params.grads;
    if (grad) for (let i = 0; i < g.length; i++) g[i] = g[i]! * w0;
    results.forEach((r, i) => {
      const w = (bounds[i + 2]! - bounds[i + 1]!) / B;
      loss += r.loss * w;
      if (grad && r.grads) for (let j = 0; j < g.length; j++) g[j] = g[j]! + r.grads[j]! * w;
    });
    return loss;
  }

  /** Step functions for the Trainer; they do not carry state (random partitioning). */
  gradients = async (model: RNNLMScratch, batch: Batch): Promise<StepResult> => {
    const loss = await this.run(model, batch, true);
    this.step++;
    return { loss };
  };
  loss = async (model: RNNLMScratch, batch: Batch): Promise<StepResult> => ({ loss: await this.run(model, batch, false) });

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
