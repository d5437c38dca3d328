// A training thread of the page's data parallelism (web/parallel.ts): a model replica on its own WebAssembly
// instance. The weights arrive in, and the gradients leave through, SharedArrayBuffers (the page is cross-origin
// isolated), so a step's messages carry only the shard's token ids.
import { loadWasmBackend, Replica, setBackend, type ReplicaInit } from '../src/browser.js';

/** The first message: the replica, the kernels' bytes, and the shared buffers (the parameters' size each). */
export interface ShardInit extends ReplicaInit {
  type: 'init';
  wasm: Uint8Array<ArrayBuffer>;
  values: Float32Array; // written by the page's training thread before each request
  grads: Float32Array; // written here before each reply
}

/** One shard: token ids (rows x steps) and whether to compute gradients. */
export interface ShardMessage {
  type: 'shard';
  X: Int32Array;
  Y: Int32Array;
  rows: number;
  steps: number;
  grad: boolean;
  step: number;
}

export type ShardReply = { type: 'ready' } | { type: 'done'; loss: number } | { type: 'failed'; error: string };

const reply = (m: ShardReply): void => (self as unknown as Worker).postMessage(m);
let replica: { init: ShardInit; shard: Replica } | null = null;

self.onmessage = async (e: MessageEvent<ShardInit | ShardMessage>) => {
  const m = e.data;
  try {
    if (m.type === 'init') {
      const wasm = await loadWasmBackend(m.wasm);
      if (typeof wasm === 'string') throw new Error(wasm);
      setBackend(wasm);
      replica = { init: m, shard: new Replica(m) };
      return reply({ type: 'ready' });
    }
    if (!replica) throw new Error('shard before init');
    const { init, shard } = replica;
    const loss = shard.run(init.values, m);
    if (m.grad) init.grads.set(shard.model.params.grads);
    reply({ type: 'done', loss });
  } catch (err) {
    reply({ type: 'failed', error: err instanceof Error ? err.message : String(err) });
  }
};
