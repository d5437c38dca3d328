// A data-parallel training thread: builds a model replica once, then answers shard requests from parallel.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from './select-backend.js';
import { Replica, type ShardRequest, type ShardResult } from '../train/run/data-parallel.js';
import type { WorkerInit } from './parallel.js';

const init = workerData as WorkerInit;
await selectBackend(init.backend);
const replica = new Replica(init);

parentPort!.on('message', (req: ShardRequest) => {
  let reply: ShardResult;
  try {
    const loss = replica.run(req.values, req);
    reply = { loss, grads: req.grad ? Float32Array.from(replica.model.params.grads) : null };
  } catch (e) {
    reply = { loss: NaN, grads: null, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(reply);
});
