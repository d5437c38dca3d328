// The book's language-model data module (D2L 9.3, d2l.TimeMachine): windows of numSteps+1 tokens,
// corpus[i : i+numSteps+1] split into inputs X and targets Y shifted by one.
// Splits: 'book' (default) takes the first numTrain overlapping windows (starting at every token) for training and the
// next numVal for validation, so it reads only the first numTrain + numVal + numSteps tokens of the text; 'full' trains
// on the first (1 - valFraction) of the text and validates on the rest, in non-overlapping windows: one epoch is one
// pass over the training text from a random offset in [0, numSteps) (D2L 9.3's random sampling), not every
// overlapping window (which would read each token numSteps times). Partitions: 'random' (default) reshuffles the
// training windows every epoch and each batch starts from a zero state; 'sequential' (D2L 9.3's other iterator) cuts
// each region into batchSize streams so that row b of batch i+1 continues row b of batch i, and the trainer carries
// the hidden state across batches. The last partial batch is kept. Pure: no I/O here, so it runs in the browser too
// (reading files is in text-file.ts; a file's corpus is built by streaming, corpus.ts).
import { IntTensor } from '../tensor/tensor.js';
import type { Rng } from '../tensor/random.js';
import { corpusFromText, type Corpus, type TokenIds } from './corpus.js';
import { BOOK_TOKENIZATION, type Tokenization } from './tokenizer.js';
import { UNK, type Vocab } from './vocab.js';

import type { Partition, Split } from './split.js';

export type { Partition, Split } from './split.js';

export interface TimeMachineOptions {
  batchSize: number; // windows per minibatch (or streams, with sequential partitioning)
  numSteps: number; // characters per window (time steps)
  numTrain?: number; // training windows, the first ones (book split; book: 10000)
  numVal?: number; // validation windows, the ones after (book split; book: 5000)
  split?: Split; // 'book' or 'full' (the whole text)
  valFraction?: number; // with the full split: the share of the text, at its end, kept for validation (default 0.1)
  partition?: Partition; // 'random' windows (book) or 'sequential' streams that carry state
  vocab?: Vocab; // an existing vocabulary (a trained model's); built from the text otherwise
  tokenization?: Tokenization; // how the text is read (default: the book's letters-only characters)
  minFreq?: number; // the book's min_freq: tokens seen fewer times become <unk>
  maxTokens?: number; // at most this many vocabulary entries (the most frequent tokens); 0 or absent: no cap
}

/** The batches of one training epoch and how many there are. */
export interface Epoch {
  steps: number;
  batches: Iterable<Batch>;
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
  /** Training windows per epoch (full split, random partition: at offset 0; an epoch may have one fewer). */
  readonly numTrain: number;
  readonly numVal: number;
  readonly split: Split;
  readonly partition: Partition;
  readonly vocab: Vocab;
  /** The text as token indices (the part the split reads: the book split reads only its windows' tokens). */
  readonly corpus: TokenIds;
  /** Characters of the text read, and how many of them the book's preprocessing dropped. */
  readonly chars: number;
  readonly dropped: number;
  /** Token ranges each part of the data reads. */
  private readonly trainRegion: Region;
  private readonly valRegion: Region;

  /** Tokens of the text the split reads: the book split's windows, or all of it (Infinity). */
  static tokensNeeded({ numSteps, numTrain = 10000, numVal = 5000, split = 'book' }: TimeMachineOptions): number {
    return split === 'book' ? numTrain + numVal + numSteps : Infinity;
  }

  /** From a text (read here, only as far as the split needs) or a corpus built from a file (corpus.ts). */
  constructor(source: string | Corpus, options: TimeMachineOptions) {
    const { batchSize, numSteps, numTrain = 10000, numVal = 5000, split = 'book', valFraction = 0.1, partition = 'random',
      vocab, tokenization = BOOK_TOKENIZATION, minFreq, maxTokens } = options;
    for (const [name, v] of [['batchSize', batchSize], ['numSteps', numSteps], ['numTrain', numTrain]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
    }
    if (!Number.isInteger(numVal) || numVal < 0) throw new Error(`numVal must be a non-negative integer, got ${numVal}`);
    if (!(valFraction >= 0 && valFraction < 1)) throw new Error(`valFraction must be in [0, 1), got ${valFraction}`);
    const corpus = typeof source === 'string'
      ? corpusFromText(source, { tokenization, limit: TimeMachine.tokensNeeded(options),
        ...(vocab ? { vocab } : {}), ...(minFreq ? { minFreq } : {}), ...(maxTokens ? { maxTokens } : {}) })
      : source;
    this.vocab = corpus.vocab;
    this.corpus = corpus.ids;
    this.chars = corpus.chars;
    this.dropped = corpus.dropped;
    if (this.vocab.tokenization.text === 'book' && !this.vocab.idxToToken.some((t) => t !== UNK && /[a-z]/.test(t))) {
      throw new Error(maxTokens || minFreq
        ? `the vocabulary keeps no letter: ${maxTokens ? `maxTokens ${maxTokens}` : `minFreq ${minFreq}`} leaves ${this.vocab.idxToToken.map((t) => JSON.stringify(t)).join(', ')}; allow more tokens`
        : "the text has no letters to learn from (the book's preprocessing keeps only A-Z and a-z; raw text keeps every character)");
    }
    this.batchSize = batchSize;
    this.numSteps = numSteps;
    this.split = split;
    this.partition = partition;
    const n = this.corpus.length;
    const T = numSteps;
    const unit = this.vocab.tokenization.tokens === 'word' ? 'words' : 'characters';
    if (split === 'book') {
      const windows = n - T;
      if (windows < numTrain + numVal) {
        throw new Error(`the text is too short: ${n} ${unit} give ${Math.max(windows, 0)} windows of ` +
          `${T + 1}, but numTrain + numVal = ${numTrain + numVal}; use a longer text, fewer windows or the full split`);
      }
      this.trainRegion = { lo: 0, hi: numTrain + T };
      this.valRegion = { lo: numTrain, hi: numTrain + numVal + T };
      this.numTrain = numTrain;
      this.numVal = numVal;
    } else {
      const cut = Math.round(n * (1 - valFraction));
      if (cut - T < 1) throw new Error(`the text is too short: ${n} ${unit} leave no training window of ${T + 1}`);
      this.trainRegion = { lo: 0, hi: cut };
      this.valRegion = { lo: cut, hi: Math.max(cut, n) };
      this.numTrain = this.tiledWindows(this.trainRegion, 0);
      this.numVal = this.tiledWindows(this.valRegion, 0);
      // validation was asked for (valFraction > 0) but the text's end holds no window: the run would end with no
      // validation perplexity and say nothing (valFraction 0 is the way to train without validation)
      if (valFraction > 0 && this.numVal === 0) {
        throw new Error(`the text is too short: its last ${Math.round(valFraction * 100 * 1000) / 1000}% (${n - cut} ${unit}) holds no validation window ` +
          `of ${T + 1}; use a longer text, a larger valFraction, fewer steps, or valFraction 0 to train without validation`);
      }
    }
    if (partition === 'sequential' && this.streamLength(this.trainRegion, T - 1) < T) {
      throw new Error(`sequential partitioning cuts the training text into ${batchSize} streams of at least ${T} tokens, ` +
        `but it has only ${this.trainRegion.hi - this.trainRegion.lo}; use the full split, a smaller batch size or fewer steps`);
    }
  }

  /** One epoch: its random choices are made now (the offset, the order); batches are built as they are read. */
  trainEpoch(rng: Rng): Epoch {
    const T = this.numSteps;
    if (this.partition === 'sequential') {
      const offset = rng.int(T);
      return { steps: Math.floor(this.streamLength(this.trainRegion, offset) / T), batches: this.streams(this.trainRegion, offset) };
    }
    let starts: Int32Array;
    if (this.split === 'book') {
      starts = Int32Array.from({ length: this.numTrain }, (_, i) => this.trainRegion.lo + i);
    } else {
      const offset = rng.int(T);
      starts = Int32Array.from({ length: this.tiledWindows(this.trainRegion, offset) }, (_, i) => this.trainRegion.lo + offset + i * T);
    }
    rng.shuffle(starts);
    return { steps: Math.ceil(starts.length / this.batchSize), batches: this.windows(starts) };
  }

  /** Minibatches of training data (the book's train_dataloader): trainEpoch's batches. */
  trainDataloader(rng: Rng): Iterable<Batch> {
    return this.trainEpoch(rng).batches;
  }

  /** Minibatches of validation data, in order. */
  *valDataloader(): Generator<Batch> {
    const T = this.numSteps;
    const r = this.valRegion;
    if (this.partition === 'sequential') yield* this.streams(r, 0);
    else if (this.split === 'book') yield* this.windows(Int32Array.from({ length: this.numVal }, (_, i) => r.lo + i));
    else yield* this.windows(Int32Array.from({ length: this.numVal }, (_, i) => r.lo + i * T));
  }

  /** Non-overlapping windows of numSteps + 1 tokens that fit in a region from an offset. */
  private tiledWindows(r: Region, offset: number): number {
    return Math.max(0, Math.floor((r.hi - r.lo - offset - 1) / this.numSteps));
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
