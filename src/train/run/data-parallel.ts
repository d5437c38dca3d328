// Data parallelism over any kind of thread (worker_threads in Node, Web Workers in a page): each minibatch is split
// by rows into one shard per thread; the calling thread computes the first shard while the others compute theirs on
// their own model replicas (same parameters, sent each step), and the shard gradients are summed once per step,
// weighted by shard size. The result is the full batch's mean loss and gradient, up to float32 rounding order.
// Browser-safe: the threads come in as ShardTransports (parallel.ts makes Node's, web/parallel.ts the page's).
import type { Batch } from '../../data/timemachine.js';
import type { RNNLMScratch } from '../../models/rnn.js';
import { Rng } from '../../tensor/random.js';
import { IntTensor } from '../../tensor/tensor.js';
import { createModel, type TrainConfig } from '../config/config.js';
import { localEvaluation, localGradients, type StepResult } from '../../models/batch-step.js';

/** What a thread needs to build its replica (besides its backend, which each kind of thread loads its own way). */
export interface ReplicaInit {
  config: TrainConfig;
  vocabSize: number;
  fused: boolean;
  replica: number; // 1, 2, ...: with the step, seeds the replica's dropout masks
}

/** One shard for a thread: parameters, inputs and targets (rows x steps), and whether to compute gradients. */
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

/** A thread that computes shards. */
export interface ShardTransport {
  run(request: ShardRequest): Promise<ShardResult>;
  terminate(): Promise<unknown>;
}

/** The seed of a replica's dropout masks for a step: a resumed run draws the masks the uninterrupted one would have. */
export function replicaSeed(seed: number, replica: number, step: number): number {
  return Math.imul(seed ^ 0x5bd1e995, 31) + 7919 * replica + Math.imul(step, 0x9e3779b9);
}

/**
 * A thread's model replica (what each ShardTransport's thread runs): built once; every shard brings the weights, and
 * the replica's random generator, which only draws dropout masks, is reseeded from (seed, replica, step).
 */
export class Replica {
  readonly model: RNNLMScratch;
  private readonly rng = new Rng(0);

  constructor(private readonly init: ReplicaInit) {
    this.model = createModel(init.config, init.vocabSize, this.rng, init.fused);
  }

  /** The shard's mean loss with these weights; with grad, its gradient is left in model.params.grads. */
  run(values: ArrayLike<number>, { X, Y, rows, steps, grad, step }: Omit<ShardRequest, 'values'>): number {
    this.model.params.values.set(values);
    this.rng.reseed(replicaSeed(this.init.config.seed, this.init.replica, step));
    const batch: Batch = [new IntTensor(X, [rows, steps]), new IntTensor(Y, [rows, steps])];
    return (grad ? localGradients(this.model, batch) : localEvaluation(this.model, batch)).loss;
  }
}

export class DataParallel {
  /** Training steps run so far (a resumed run sets it to the checkpoint's). */
  step = 0;

  constructor(private readonly workers: readonly ShardTransport[]) {}

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
