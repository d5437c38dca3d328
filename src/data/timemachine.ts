// The book's language-model data module (D2L 9.3, d2l.TimeMachine): overlapping windows of numSteps+1
// characters, corpus[i : i+numSteps+1] split into inputs X and targets Y shifted by one.
// Splits: 'book' (default) takes the first numTrain windows for training and the next numVal for validation,
// which covers only the first ~numTrain characters; 'full' trains on the first (1 - valFraction) of the text and
// validates on the rest. Partitions: 'random' (default) reshuffles the training windows every epoch and each batch
// starts from a zero state; 'sequential' (D2L 9.3's other iterator) cuts each region into batchSize streams so that
// row b of batch i+1 continues row b of batch i, and the trainer carries the hidden state across batches.
// The last partial batch is kept. Pure: no I/O here, so it runs in the browser too (loading text is in load.ts).
import { IntTensor } from '../tensor/tensor.js';
import type { Rng } from '../tensor/random.js';
import { preprocess, tokenize } from './preprocess.js';
import { Vocab } from './vocab.js';

export type Split = 'book' | 'full';
export type Partition = 'random' | 'sequential';

export interface TimeMachineOptions {
  batchSize: number; // windows per minibatch (or streams, with sequential partitioning)
  numSteps: number; // characters per window (time steps)
  numTrain?: number; // training windows, the first ones (book split; book: 10000)
  numVal?: number; // validation windows, the ones after (book split; book: 5000)
  split?: Split; // 'book' or 'full' (the whole text)
  valFraction?: number; // with the full split: the share of the text, at its end, kept for validation (default 0.1)
  partition?: Partition; // 'random' windows (book) or 'sequential' streams that carry state
  vocab?: Vocab; // an existing vocabulary (a trained model's); built from the text otherwise
}

/** One minibatch: inputs and targets, both (B,T) token indices. */
export type Batch = readonly [X: IntTensor, Y: IntTensor];

/** A half-open range of token positions. */
interface Region {
  lo: number;
  hi: number;
}

export class TimeMachine {
  readonly batchSize: number;
  readonly numSteps: number;
  /** Training windows (random partition) per epoch; for the full split, every window of the training region. */
  readonly numTrain: number;
  readonly numVal: number;
  readonly split: Split;
  readonly partition: Partition;
  readonly vocab: Vocab;
  /** The whole preprocessed text as token indices. */
  readonly corpus: Int32Array;
  /** Token ranges each part of the data reads (windows start in [lo, hi - numSteps - 1]). */
  private readonly trainRegion: Region;
  private readonly valRegion: Region;

  constructor(rawText: string, { batchSize, numSteps, numTrain = 10000, numVal = 5000, split = 'book', valFraction = 0.1,
    partition = 'random', vocab }: TimeMachineOptions) {
    for (const [name, v] of [['batchSize', batchSize], ['numSteps', numSteps], ['numTrain', numTrain]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
    }
    if (!Number.isInteger(numVal) || numVal < 0) throw new Error(`numVal must be a non-negative integer, got ${numVal}`);
    if (!(valFraction >= 0 && valFraction < 1)) throw new Error(`valFraction must be in [0, 1), got ${valFraction}`);
    const text = preprocess(rawText);
    if (!/[a-z]/.test(text)) throw new Error('the text has no letters to learn from (after keeping only A-Z and a-z)');
    const tokens = tokenize(text);
    this.vocab = vocab ?? new Vocab(tokens);
    this.corpus = this.vocab.indices(tokens);
    this.batchSize = batchSize;
    this.numSteps = numSteps;
    this.split = split;
    this.partition = partition;
    const n = this.corpus.length;
    const T = numSteps;
    if (split === 'book') {
      const windows = n - T;
      if (windows < numTrain + numVal) {
        throw new Error(`the text is too short: ${n} characters give ${Math.max(windows, 0)} windows of ` +
          `${T + 1}, but numTrain + numVal = ${numTrain + numVal}; use a longer text or fewer windows (--num-train, --num-val)`);
      }
      this.trainRegion = { lo: 0, hi: numTrain + T };
      this.valRegion = { lo: numTrain, hi: numTrain + numVal + T };
    } else {
      const cut = Math.round(n * (1 - valFraction));
      if (cut - T < 1) throw new Error(`the text is too short: ${n} characters leave no training window of ${T + 1}`);
      this.trainRegion = { lo: 0, hi: cut };
      this.valRegion = { lo: cut, hi: Math.max(cut, n) };
    }
    const windowsIn = (r: Region): number => Math.max(0, r.hi - r.lo - T);
    this.numTrain = windowsIn(this.trainRegion);
    this.numVal = windowsIn(this.valRegion);
    if (partition === 'sequential' && this.streamLength(this.trainRegion, T - 1) < T) {
      throw new Error(`sequential partitioning cuts the training text into ${batchSize} streams of at least ${T} characters, ` +
        `but it has only ${this.trainRegion.hi - this.trainRegion.lo}; use --split full, a smaller --batch-size or fewer --num-steps`);
    }
  }

  /** Batches per training epoch (sequential: at the largest offset, which the first epoch may exceed by one). */
  get trainBatches(): number {
    return this.partition === 'sequential' ? Math.floor(this.streamLength(this.trainRegion, this.numSteps - 1) / this.numSteps)
      : Math.ceil(this.numTrain / this.batchSize);
  }

  /** Minibatches of training data; random windows are reshuffled, sequential streams start at a random offset. */
  *trainDataloader(rng: Rng): Generator<Batch> {
    if (this.partition === 'sequential') {
      yield* this.streams(this.trainRegion, rng.int(this.numSteps));
    } else {
      const order = rng.shuffle(Int32Array.from({ length: this.numTrain }, (_, i) => this.trainRegion.lo + i));
      yield* this.windows(order);
    }
  }

  /** Minibatches of validation data, in order. */
  *valDataloader(): Generator<Batch> {
    if (this.partition === 'sequential') yield* this.streams(this.valRegion, 0);
    else yield* this.windows(Int32Array.from({ length: this.numVal }, (_, i) => this.valRegion.lo + i));
  }

  /** Builds (X, Y) batches from window start positions. */
  private *windows(starts: Int32Array): Generator<Batch> {
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

  /** Tokens per stream when a region, less an offset, is cut into batchSize streams (one token kept for the last target). */
  private streamLength(r: Region, offset: number): number {
    return Math.floor((r.hi - r.lo - offset - 1) / this.batchSize);
  }

  /** Sequential batches: row b reads stream b, batch i its tokens [i*T, (i+1)*T). */
  private *streams(r: Region, offset: number): Generator<Batch> {
    const T = this.numSteps;
    const B = this.batchSize;
    const L = this.streamLength(r, offset);
    for (let i = 0; i + 1 <= Math.floor(L / T); i++) {
      const X = new Int32Array(B * T);
      const Y = new Int32Array(B * T);
      for (let b = 0; b < B; b++) {
        const s = r.lo + offset + b * L + i * T;
        X.set(this.corpus.subarray(s, s + T), b * T);
        Y.set(this.corpus.subarray(s + 1, s + T + 1), b * T);
      }
      yield [new IntTensor(X, [B, T]), new IntTensor(Y, [B, T])];
    }
  }
}
