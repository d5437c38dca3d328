// One batch's loss on this thread, with its gradients (training) or without (evaluation): the step the trainer,
// the data-parallel replicas and text scoring all take. The step's large intermediates are reused by the next step
// (tensor/buffer-pool.ts); loss and state are copies.
import type { Batch } from '../data/timemachine.js';
import { noGrad } from '../tensor/autograd.js';
import { reusingBuffers } from '../tensor/buffer-pool.js';
import type { State } from './layer.js';
import type { RNNLMScratch } from './language-model.js';

/** A batch's mean loss, and the final hidden state when the caller carries state (sequential partitioning). */
export interface StepResult {
  loss: number;
  state?: State;
}

/** Loss and gradients of one batch on this thread. */
export function localGradients(model: RNNLMScratch, batch: Batch, state?: State): StepResult {
  return reusingBuffers(() => {
    model.params.zeroGrad();
    const r = model.batchLoss(batch, state);
    r.loss.backward();
    return { loss: r.loss.item(), state: r.state };
  });
}

/** Loss and final state of one batch on this thread, without gradients. */
export function localEvaluation(model: RNNLMScratch, batch: Batch, state?: State): StepResult {
  return reusingBuffers(() => {
    const r = noGrad(() => model.batchLoss(batch, state));
    return { loss: r.loss.item(), state: r.state };
  });
}
