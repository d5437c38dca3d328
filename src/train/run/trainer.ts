// The training loop (D2L 3.4 d2l.Trainer with 9.5's gradient clipping): minibatch SGD over shuffled windows,
// validation after each epoch, perplexity = exp(token-weighted mean cross-entropy) for both.
// The book plots the average of per-batch perplexities instead; with equal-sized batches the two differ by
// Jensen's inequality (the average of exps is >= the exp of the average), by a little once training settles.
// Also: the global gradient norm before clipping, per epoch; training stops on a non-finite loss or gradient, or a
// loss above three times its starting value (char-rnn's rule); with sequential partitioning the hidden state is
// carried from batch to batch, detached (truncated backprop through time).
import type { Batch, TimeMachine } from '../../data/timemachine.js';
import type { RNNLMScratch } from '../../models/rnn.js';
import { Rng } from '../../tensor/random.js';
import type { State } from '../../models/layer.js';
import { localEvaluation, localGradients, type StepResult } from '../../models/batch-step.js';

export { localEvaluation, localGradients, type StepResult } from '../../models/batch-step.js';
import { clipGradients } from '../optim/clip.js';
import type { Optimizer } from '../optim/optimizer.js';
import { sgdStep } from '../optim/sgd.js';
import { nextTask } from '../../util/next-task.js';

export interface EpochStats {
  epoch: number; // 1-based
  trainPpl: number; // exp of the mean training cross-entropy over this epoch's batches (weights as they changed)
  valPpl: number; // exp of the mean validation cross-entropy after the epoch (NaN with no validation windows)
  seconds: number; // wall time of the epoch, training and validation
  tokensPerSecond: number; // training tokens (windows x steps) per second of the training phase
  gradNormMedian: number; // median over the epoch's steps of the global gradient norm before clipping
  gradNormMax: number; // largest such norm
  clippedFraction: number; // share of steps whose norm exceeded the clipping threshold
  trainCurve: [epoch: number, ppl: number][]; // training perplexity over each half of the epoch's batches, at its end
}

/** Computes a batch's loss (and, for training, its gradient into model.params.grads) from an optional start state. */
export type StepFunction = (model: RNNLMScratch, batch: Batch, state?: State) => Promise<StepResult> | StepResult;

export interface TrainerOptions {
  maxEpochs: number; // passes over the training windows (book: max_epochs)
  gradientClipVal?: number; // clip the global gradient norm to this; 0 turns clipping off (book: gradient_clip_val)
  rng?: Rng; // shuffles the training windows each epoch
  onEpoch?: (stats: EpochStats) => void | Promise<void>; // called after each epoch (and awaited)
  /** Training step; the default runs the model on this thread; a data-parallel engine splits the batch. */
  computeGradients?: StepFunction;
  /** Validation step (no gradients); the default runs the model on this thread. */
  computeLoss?: StepFunction;
  /** Stop when a step's loss exceeds this multiple of the first step's loss (default 3). */
  blowUpFactor?: number;
  /** Called after every training batch (progress displays). */
  onBatch?: (progress: BatchProgress) => void;
  /** Aborting stops training between batches with TrainingInterrupted. */
  signal?: AbortSignal;
  /** The update rule (optimizer.ts); without one, the book's SGD at model.lr. */
  optimizer?: Optimizer;
  /** The learning rate of an optimizer step (1-based, over the run) in an epoch (1-based); default model.lr. */
  lrAt?: (epoch: number, step: number) => number;
}

/**
 * The most epochs of curves a run's state keeps (the latest ones): the state is saved after every epoch, so an
 * unbounded history made a run of 360,000 tiny epochs write its whole past at each one (quadratic) and produce a file
 * that could not be read back. fit() still returns every epoch's statistics.
 */
export const MAX_STATE_HISTORY = 1000;

/** Where a run stands after a completed epoch: what fit() needs, with the rng and optimizer, to continue exactly. */
export interface TrainerState {
  epoch: number; // epochs completed
  steps: number; // optimizer steps taken
  firstLoss: number; // the first step's loss (the blow-up rule's reference)
  history: EpochStats[]; // the last min(epoch, MAX_STATE_HISTORY) epochs, in order, ending at epoch
}

export interface BatchProgress {
  epoch: number;
  step: number; // batches done in this epoch
  steps: number; // batches in this epoch
  trainPpl: number; // exp of the token-weighted mean loss of this epoch's batches so far
  tokensPerSecond: number; // this epoch's training tokens per second so far
}

/** Training was stopped from outside (Ctrl-C) during an epoch; completed epochs are in history. */
export class TrainingInterrupted extends Error {
  constructor(readonly epoch: number, readonly history: EpochStats[]) {
    super(`training interrupted during epoch ${epoch}`);
  }
}

/** Training stopped because the loss or gradient stopped being a number, or the loss blew up. */
export class TrainingDiverged extends Error {
  constructor(readonly epoch: number, readonly step: number, reason: string) {
    super(`training diverged at epoch ${epoch}, step ${step}: ${reason}`);
  }
}

/** Token-weighted mean cross-entropy of every validation window, exponentiated. */
export async function validationPerplexity(model: RNNLMScratch, data: TimeMachine, computeLoss: StepFunction = localEvaluation): Promise<number> {
  let sum = 0;
  let count = 0;
  let state: State | undefined;
  for (const batch of data.valDataloader()) {
    const n = batch[1].data.length;
    const r = await computeLoss(model, batch, state);
    if (data.partition === 'sequential') state = r.state;
    sum += r.loss * n;
    count += n;
  }
  return count > 0 ? Math.exp(sum / count) : NaN;
}


function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export class Trainer {
  readonly maxEpochs: number;
  readonly gradientClipVal: number;
  private readonly rng: Rng;
  private readonly onEpoch: (stats: EpochStats) => void | Promise<void>;
  private readonly computeGradients: StepFunction;
  private readonly computeLoss: StepFunction;
  private readonly blowUpFactor: number;
  private readonly onBatch: (progress: BatchProgress) => void;
  private readonly signal: AbortSignal | undefined;
  private readonly optimizer: Optimizer | undefined;
  private readonly lrAt: ((epoch: number, step: number) => number) | undefined;
  private current: TrainerState = { epoch: 0, steps: 0, firstLoss: NaN, history: [] };

  constructor({ maxEpochs, gradientClipVal = 0, rng = new Rng(0), onEpoch = () => {}, computeGradients = localGradients,
    computeLoss = localEvaluation, blowUpFactor = 3, onBatch = () => {}, signal, optimizer, lrAt }: TrainerOptions) {
    if (!Number.isInteger(maxEpochs) || maxEpochs < 0) throw new Error(`maxEpochs must be a non-negative integer, got ${maxEpochs}`);
    this.maxEpochs = maxEpochs;
    this.gradientClipVal = gradientClipVal;
    this.rng = rng;
    this.onEpoch = onEpoch;
    this.computeGradients = computeGradients;
    this.computeLoss = computeLoss;
    this.blowUpFactor = blowUpFactor;
    this.onBatch = onBatch;
    this.signal = signal;
    this.optimizer = optimizer;
    this.lrAt = lrAt;
  }

  /** The state after the last completed epoch (a copy), for a checkpoint that resumes exactly. */
  get state(): TrainerState {
    return { ...this.current, history: [...this.current.history] };
  }

  /**
   * Trains until maxEpochs epochs are complete; returns every epoch's statistics. Throws TrainingDiverged (parameters
   * as of the bad step). Given the state of a completed epoch (and the rng and optimizer as they were then), continues
   * from there exactly as the uninterrupted run would have.
   */
  async fit(model: RNNLMScratch, data: TimeMachine, from?: TrainerState): Promise<EpochStats[]> {
    const history: EpochStats[] = [...(from?.history ?? [])];
    let firstLoss = from?.firstLoss ?? NaN;
    let globalStep = from?.steps ?? 0;
    this.current = { epoch: from?.epoch ?? 0, steps: globalStep, firstLoss, history: history.slice(-MAX_STATE_HISTORY) };
    for (let epoch = (from?.epoch ?? 0) + 1; epoch <= this.maxEpochs; epoch++) {
      const t0 = performance.now();
      let sum = 0;
      let count = 0;
      let step = 0;
      let state: State | undefined;
      const norms: number[] = [];
      const losses: [loss: number, tokens: number][] = [];
      const { steps, batches } = data.trainEpoch(this.rng);
      for (const batch of batches) {
        if (this.signal) await nextTask(); // lets a signal handler (Ctrl-C) run even when every step is synchronous
        if (this.signal?.aborted) throw new TrainingInterrupted(epoch, history);
        step++;
        globalStep++;
        const r = await this.computeGradients(model, batch, state);
        if (data.partition === 'sequential') state = r.state;
        const norm = clipGradients(this.gradientClipVal, model.params);
        if (!Number.isFinite(r.loss)) throw new TrainingDiverged(epoch, step, `the loss is ${r.loss}`);
        if (!Number.isFinite(norm)) throw new TrainingDiverged(epoch, step, `the gradient norm is ${norm}`);
        if (Number.isNaN(firstLoss)) firstLoss = r.loss;
        if (r.loss > this.blowUpFactor * firstLoss) {
          throw new TrainingDiverged(epoch, step, `the loss ${r.loss.toFixed(3)} is above ${this.blowUpFactor} times its starting value ${firstLoss.toFixed(3)}`);
        }
        norms.push(norm);
        const lr = this.lrAt ? this.lrAt(epoch, globalStep) : model.lr;
        if (this.optimizer) this.optimizer.step(model.params, lr);
        else sgdStep(model.params, lr);
        const n = batch[1].data.length;
        sum += r.loss * n;
        count += n;
        losses.push([r.loss, n]);
        this.onBatch({ epoch, step, steps, trainPpl: Math.exp(sum / count), tokensPerSecond: count / ((performance.now() - t0) / 1000) });
      }
      if (this.signal?.aborted) throw new TrainingInterrupted(epoch, history);
      const t1 = performance.now();
      const valPpl = await validationPerplexity(model, data, this.computeLoss);
      const t2 = performance.now();
      // a model whose validation perplexity is not a number, or blew up as the training loss may not, is not an epoch
      // to keep: stop before onEpoch (which saves it)
      if (data.numVal > 0 && !Number.isFinite(valPpl)) throw new TrainingDiverged(epoch, step, `the validation perplexity is ${valPpl}`);
      if (Math.log(valPpl) > this.blowUpFactor * firstLoss) {
        throw new TrainingDiverged(epoch, step, `the validation loss ${Math.log(valPpl).toFixed(3)} is above ${this.blowUpFactor} times the starting training loss ${firstLoss.toFixed(3)}`);
      }
      const theta = this.gradientClipVal;
      const stats: EpochStats = {
        epoch,
        trainPpl: Math.exp(sum / count),
        valPpl,
        seconds: (t2 - t0) / 1000,
        tokensPerSecond: count / ((t1 - t0) / 1000),
        gradNormMedian: median(norms),
        gradNormMax: norms.reduce((m, g) => Math.max(m, g), -Infinity), // not Math.max(...norms): millions of batches overflow the stack
        clippedFraction: theta > 0 ? norms.filter((g) => g > theta).length / norms.length : 0,
        trainCurve: halves(losses, epoch),
      };
      history.push(stats);
      this.current = { epoch, steps: globalStep, firstLoss, history: history.slice(-MAX_STATE_HISTORY) };
      await this.onEpoch(stats);
    }
    return history;
  }
}


/** Token-weighted perplexity of each half of an epoch's batches, placed at the half's end (x = epoch - 0.5, epoch). */
function halves(losses: [number, number][], epoch: number): [number, number][] {
  const mid = Math.ceil(losses.length / 2);
  const parts = losses.length > 1 ? [losses.slice(0, mid), losses.slice(mid)] : [losses];
  return parts.map((part, i) => {
    const tokens = part.reduce((a, [, n]) => a + n, 0);
    const x = parts.length === 1 ? epoch : epoch - 0.5 + 0.5 * i;
    return [x, Math.exp(part.reduce((a, [l, n]) => a + l * n, 0) / tokens)];
  });
}
