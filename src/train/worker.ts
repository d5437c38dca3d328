// A data-parallel training thread: builds a model replica once, then answers shard requests from parallel.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '../backend/select.js';
import { Rng } from '../tensor/random.js';
import { IntTensor } from '../tensor/tensor.js';
import { createModel } from './config.js';
import { replicaSeed, type ShardRequest, type ShardResult } from './data-parallel.js';
import type { WorkerInit } from './parallel.js';
import { localEvaluation, localGradients } from './trainer.js';

const init = workerData as WorkerInit;
await selectBackend(init.backend);
// the weights arrive with every request; the replica's rng only draws its dropout masks, from a stream fixed by the
// seed, the replica and the step, so that a resumed run draws the masks the uninterrupted one would have
const rng = new Rng(0);
const model = createModel(init.config, init.vocabSize, rng, init.fused);

parentPort!.on('message', (req: ShardRequest) => {
  let reply: ShardResult;
  try {
    model.params.values.set(req.values);
    rng.reseed(replicaSeed(init.config.seed, init.replica, req.step));
    const batch = [new IntTensor(req.X, [req.rows, req.steps]), new IntTensor(req.Y, [req.rows, req.steps])] as const;
    if (req.grad) {
      const { loss } = localGradients(model, batch);
      reply = { loss, grads: Float32Array.from(model.params.grads) };
    } else {
      reply = { loss: localEvaluation(model, batch).loss, grads: null };
    }
  } catch (e) {
    reply = { loss: NaN, grads: null, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(reply);
});
