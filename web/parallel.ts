// The page's data parallelism: DataParallel (src/train/run/data-parallel.ts, the same as the CLI's) over Web Workers,
// each a replica on its own WebAssembly instance (web/shard-worker.ts). The parameters and gradients travel through
// SharedArrayBuffers, which browsers give only to cross-origin isolated pages (served with COOP: same-origin and
// COEP: require-corp); without them the page trains on one thread and says why.
import { DataParallel, type ReplicaInit, type ShardRequest, type ShardResult, type ShardTransport } from '../src/browser.js';
import type { ShardInit, ShardMessage, ShardReply } from './shard-worker.js';

/** Why the page cannot train on several threads here, or null when it can. */
export function threadsUnavailable(): string | null {
  if (!(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated || typeof SharedArrayBuffer === 'undefined') {
    return 'this page is not cross-origin isolated (it needs the COOP and COEP headers), so it trains on one thread';
  }
  return null;
}

/** The threads to train on: one per core, at most 4 (as the CLI's replicas, each a model copy), when the page may share memory. */
export function threadCount(): number {
  return threadsUnavailable() === null ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
}

class WebShardWorker implements ShardTransport {
  private pending: ((r: ShardResult) => void) | null = null;
  private constructor(private readonly worker: Worker, private readonly values: Float32Array, private readonly grads: Float32Array) {
    worker.onmessage = (e: MessageEvent<ShardReply>) => {
      const resolve = this.pending;
      this.pending = null;
      const r = e.data;
      if (r.type === 'done') resolve?.({ loss: r.loss, grads: this.grads });
      else if (r.type === 'failed') resolve?.({ loss: NaN, grads: null, error: r.error });
    };
    worker.onerror = (e) => {
      const resolve = this.pending;
      this.pending = null;
      resolve?.({ loss: NaN, grads: null, error: e.message });
    };
  }

  /** Starts a replica and waits until it is ready. */
  static async start(init: ReplicaInit, wasm: Uint8Array<ArrayBuffer>, size: number): Promise<WebShardWorker> {
    const worker = new Worker(new URL('./shard-worker.ts', import.meta.url), { type: 'module' });
    const values = new Float32Array(new SharedArrayBuffer(4 * size));
    const grads = new Float32Array(new SharedArrayBuffer(4 * size));
    await new Promise<void>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<ShardReply>) => (e.data.type === 'ready' ? resolve() : reject(new Error(e.data.type === 'failed' ? e.data.error : 'bad reply')));
      worker.onerror = (e) => reject(new Error(e.message));
      const message: ShardInit = { type: 'init', ...init, wasm, values, grads };
      worker.postMessage(message);
    });
    return new WebShardWorker(worker, values, grads);
  }

  run({ values, X, Y, rows, steps, grad, step }: ShardRequest): Promise<ShardResult> {
    this.values.set(values);
    return new Promise((resolve) => {
      this.pending = resolve;
      const message: ShardMessage = { type: 'shard', X, Y, rows, steps, grad, step };
      this.worker.postMessage(message, [X.buffer, Y.buffer]);
    });
  }

  async terminate(): Promise<void> {
    this.worker.terminate();
  }
}

/** threads - 1 replicas besides the calling thread, for a model of `size` parameters. */
export async function startWebDataParallel(threads: number, init: Omit<ReplicaInit, 'replica'>, wasm: Uint8Array<ArrayBuffer>, size: number): Promise<DataParallel> {
  const workers = await Promise.all(Array.from({ length: Math.max(0, threads - 1) }, (_, i) => WebShardWorker.start({ ...init, replica: i + 1 }, wasm, size)));
  return new DataParallel(workers);
}
