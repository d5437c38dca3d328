// The training loop (D2L 3.4 d2l.Trainer with 9.5's gradient clipping): minibatch SGD over shuffled windows,
// validation after each epoch, perplexity = exp(token-weighted mean cross-entropy) for both.
// The book plots the average of per-batch perplexities instead; with equal-sized batches the two differ by
// Jensen's inequality (the average of exps is >= the exp of the average), by a little once training settles.
import type { Batch, TimeMachine } from '../data/timemachine.js';
import type { RNNLMScratch } from '../models/rnn.js';
import { Rng } from '../tensor/random.js';
import { clipGradients } from './clip.js';
import { sgdStep } from './sgd.js';

export interface EpochStats {
  epoch: number; // 1-based
  trainPpl: number; // exp of the mean training cross-entropy over this epoch's batches (weights as they changed)
  valPpl: number; // exp of the mean validation cross-entropy after the epoch (NaN with no validation windows)
  seconds: number; // wall time of the epoch, training and validation
  tokensPerSecond: number; // training tokens (windows x steps) per second of the training phase
}

export interface TrainerOptions {
  maxEpochs: number; // passes over the training windows (book: max_epochs)
  gradientClipVal?: number; // clip the global gradient norm to this; 0 turns clipping off (book: gradient_clip_val)
  rng?: Rng; // shuffles the training windows each epoch
  onEpoch?: (stats: EpochStats) => void; // called after each epoch
  /**
   * Computes the mean loss of a batch and leaves its gradient in model.params.grads. The default runs the model
   * on this thread; a data-parallel engine splits the batch across workers.
   */
  computeGradients?: (model: RNNLMScratch, batch: Batch) => Promise<number> | number;
  /** Computes the mean loss of a validation batch; the default runs the model on this thread without gradients. */
  computeLoss?: (model: RNNLMScratch, batch: Batch) => Promise<number> | number;
}

/** Loss and gradients of one batch on this thread. */
export function localGradients(model: RNNLMScratch, batch: Batch): number {
  model.params.zeroGrad();
  const loss = model.trainingStep(batch);
  loss.backward();
  return loss.item();
}

/** Mean loss of a batch on this thread, without gradients. */
export function localLoss(model: RNNLMScratch, batch: Batch): number {
  return model.validationStep(batch).item();
}

/** Token-weighted mean cross-entropy of every validation window, exponentiated. */
export async function validationPerplexity(model: RNNLMScratch, data: TimeMachine,
  computeLoss: (model: RNNLMScratch, batch: Batch) => Promise<number> | number = localLoss): Promise<number> {
  let sum = 0;
  let count = 0;
  for (const batch of data.valDataloader()) {
    const n = batch[1].data.length;
    sum += (await computeLoss(model, batch)) * n;
    count += n;
  }
  return count > 0 ? Math.exp(sum / count) : NaN;
}

export class Trainer {
  readonly maxEpochs: number;
  readonly gradientClipVal: number;
  private readonly rng: Rng;
  private readonly onEpoch: (stats: EpochStats) => void;
  private readonly computeGradients: (model: RNNLMScratch, batch: Batch) => Promise<number> | number;
  private readonly computeLoss: (model: RNNLMScratch, batch: Batch) => Promise<number> | number;

  constructor({ maxEpochs, gradientClipVal = 0, rng = new Rng(0), onEpoch = () => {}, computeGradients = localGradients, computeLoss = localLoss }: TrainerOptions) {
    if (!Number.isInteger(maxEpochs) || maxEpochs < 0) throw new Error(`maxEpochs must be a non-negative integer, got ${maxEpochs}`);
    this.maxEpochs = maxEpochs;
    this.gradientClipVal = gradientClipVal;
    this.rng = rng;
    this.onEpoch = onEpoch;
    this.computeGradients = computeGradients;
    this.computeLoss = computeLoss;
  }

  /** Trains for maxEpochs; returns each epoch's statistics. */
  async fit(model: RNNLMScratch, data: TimeMachine): Promise<EpochStats[]> {
    const history: EpochStats[] = [];
    for (let epoch = 1; epoch <= this.maxEpochs; epoch++) {
      const t0 = performance.now();
      let sum = 0;
      let count = 0;
      for (const batch of data.trainDataloader(this.rng)) {
        const loss = await this.computeGradients(model, batch);
        clipGradients(this.gradientClipVal, model.params);
        sgdStep(model.params, model.lr);
        const n = batch[1].data.length;
        sum += loss * n;
        count += n;
      }
      const t1 = performance.now();
      const valPpl = await validationPerplexity(model, data, this.computeLoss);
      const t2 = performance.now();
      const stats: EpochStats = {
        epoch,
        trainPpl: Math.exp(sum / count),
        valPpl,
        seconds: (t2 - t0) / 1000,
        tokensPerSecond: count / ((t1 - t0) / 1000),
      };
      history.push(stats);
      this.onEpoch(stats);
    }
    return history;
  }
}
