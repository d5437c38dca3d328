// The book's language-model data module (D2L 9.3, d2l.TimeMachine): overlapping windows of numSteps+1
// characters, corpus[i : i+numSteps+1] split into inputs X and targets Y shifted by one; the first numTrain
// windows train (reshuffled each epoch), the next numVal validate (in order); the last partial batch is kept.
// Pure: no I/O here, so it runs in the browser too (loading text is in load.ts).
import { IntTensor } from '../tensor/tensor.js';
import type { Rng } from '../tensor/random.js';
import { preprocess, tokenize } from './preprocess.js';
import { Vocab } from './vocab.js';

export interface TimeMachineOptions {
  batchSize: number; // windows per minibatch
  numSteps: number; // characters per window (time steps)
  numTrain?: number; // training windows, the first ones (book: 10000)
  numVal?: number; // validation windows, the ones after (book: 5000)
  vocab?: Vocab; // an existing vocabulary (a trained model's); built from the text otherwise
}

/** One minibatch: inputs and targets, both (B,T) token indices. */
export type Batch = readonly [X: IntTensor, Y: IntTensor];

export class TimeMachine {
  readonly batchSize: number;
  readonly numSteps: number;
  readonly numTrain: number;
  readonly numVal: number;
  readonly vocab: Vocab;
  /** The whole preprocessed text as token indices. */
  readonly corpus: Int32Array;

  constructor(rawText: string, { batchSize, numSteps, numTrain = 10000, numVal = 5000, vocab }: TimeMachineOptions) {
    for (const [name, v] of [['batchSize', batchSize], ['numSteps', numSteps], ['numTrain', numTrain]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
    }
    if (!Number.isInteger(numVal) || numVal < 0) throw new Error(`numVal must be a non-negative integer, got ${numVal}`);
    const text = preprocess(rawText);
    if (!/[a-z]/.test(text)) throw new Error('the text has no letters to learn from (after keeping only A-Z and a-z)');
    const tokens = tokenize(text);
    this.vocab = vocab ?? new Vocab(tokens);
    this.corpus = this.vocab.indices(tokens);
    const windows = this.corpus.length - numSteps;
    if (windows < numTrain + numVal) {
      throw new Error(`the text is too short: ${this.corpus.length} characters give ${Math.max(windows, 0)} windows of ` +
        `${numSteps + 1}, but numTrain + numVal = ${numTrain + numVal}; use a longer text or fewer windows (--num-train, --num-val)`);
    }
    this.batchSize = batchSize;
    this.numSteps = numSteps;
    this.numTrain = numTrain;
    this.numVal = numVal;
  }

  /** Minibatches of training windows in an order drawn from rng (a fresh shuffle per call). */
  *trainDataloader(rng: Rng): Generator<Batch> {
    const order = rng.shuffle(Int32Array.from({ length: this.numTrain }, (_, i) => i));
    yield* this.batches(order);
  }

  /** Minibatches of validation windows, in order. */
  *valDataloader(): Generator<Batch> {
    yield* this.batches(Int32Array.from({ length: this.numVal }, (_, i) => this.numTrain + i));
  }

  get numTrainBatches(): number {
    return Math.ceil(this.numTrain / this.batchSize);
  }

  /** Builds (X, Y) batches from window start positions. */
  private *batches(starts: Int32Array): Generator<Batch> {
    const T = this.numSteps;
    for (let lo = 0; lo < starts.length; lo += this.batchSize) {
      const rows = starts.subarray(lo, Math.min(lo + this.batchSize, starts.length));
      const X = new Int32Array(rows.length * T);
      const Y = new Int32Array(rows.length * T);
      rows.forEach((s, b) => {
        X.set(this.corpus.subarray(s, s + T), b * T);
        Y.set(this.corpus.subarray(s + 1, s + T + 1), b * T);
      });
      yield [new IntTensor(X, [rows.length, T]), new IntTensor(Y, [rows.length, T])];
    }
  }
}
