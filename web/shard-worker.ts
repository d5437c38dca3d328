// A training thread of the page's data parallelism (web/parallel.ts): a model replica on its own WebAssembly
// instance. The weights arrive in, and the gradients leave through, SharedArrayBuffers (the page is cross-origin
// isolated), so a step's messages carry only the shard's token ids.
import { createModel, IntTensor, loadWasmBackend, localEvaluation, localGradients, replicaSeed, Rng, setBackend, type ReplicaInit, type RNNLMScratch } from '../src/browser.js';

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
let replica: { init: ShardInit; model: RNNLMScratch; rng: Rng } | null = null;

self.onmessage = async (e: MessageEvent<ShardInit | ShardMessage>) => {
  const m = e.data;
  try {
    if (m.type === 'init') {
      const wasm = await loadWasmBackend(m.wasm);
      if (typeof wasm === 'string') throw new Error(wasm);
      setBackend(wasm);
      const rng = new Rng(0); // reseeded for every step: only dropout draws from it
      replica = { init: m, model: createModel(m.config, m.vocabSize, rng, m.fused), rng };
      return reply({ type: 'ready' });
    }
    if (!replica) throw new Error('shard before init');
    const { init, model, rng } = replica;
    model.params.values.set(init.values);
    rng.reseed(replicaSeed(init.config.seed, init.replica, m.step));
    const batch = [new IntTensor(m.X, [m.rows, m.steps]), new IntTensor(m.Y, [m.rows, m.steps])] as const;
    const loss = m.grad ? localGradients(model, batch).loss : localEvaluation(model, batch).loss;
    if (m.grad) init.grads.set(model.params.grads);
    reply({ type: 'done', loss });
  } catch (err) {
    reply({ type: 'failed', error: err instanceof Error ? err.message : String(err) });
  }
};
