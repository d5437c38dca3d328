// One typed configuration for a training run: every field has the book's default and a comment.
// It is saved in every checkpoint, so a model can be rebuilt and its run repeated.
import type { Activation } from '../backend/backend.js';
import type { Partition, Split } from '../data/timemachine.js';
import { scratchCell } from '../models/cell-factory.js';
import { CELL_KINDS, type CellKind } from '../models/layout.js';
import { GRU, LSTM, RNN } from '../models/concise.js';
import { RNNLM, RNNLMScratch } from '../models/language-model.js';
import { StackedRNNScratch } from '../models/stacked.js';
import type { Rng } from '../tensor/random.js';
import type { CorpusOptions } from '../data/corpus.js';
import { Optimizer, OPTIMIZERS, type OptimizerName } from './optimizer.js';
import { LR_SCHEDULES, type LrSchedule, type LrScheduleName } from './schedule.js';
import { TEXT_MODES, TOKEN_MODES, type TextMode, type TokenMode, type Tokenization } from '../data/tokenizer.js';

export interface TrainConfig {
  epochs: number; // passes over the training windows (book: max_epochs = 100)
  batchSize: number; // windows per minibatch (book: 1024)
  numSteps: number; // time steps per window (book: 32)
  numHiddens: number; // hidden units (book: 32)
  lr: number; // learning rate (book: 1, for SGD)
  clip: number; // clip the global gradient norm to this; 0 trains without clipping (book: gradient_clip_val = 1)
  sigma: number; // initial weights ~ N(0,1) * sigma (book: 0.01)
  numTrain: number; // training windows, the first ones of the text (book: 10000)
  numVal: number; // validation windows, right after them (book: 5000)
  activation: Activation; // tanh (book) or relu, for rnn cells
  cell: CellKind; // rnn (9.5), gru (10.2) or lstm (10.1)
  numLayers: number; // stacked layers (10.3); 1 is the book's single layer
  dropout: number; // concise models: dropout between layers while training (torch.nn's dropout); 0 is off
  concise: boolean; // false: the book's scratch classes (RNNScratch, GRUScratch, ...); true: the concise layers (9.6, RNN/GRU/LSTM, PyTorch's layout)
  embedding: number; // 0: one-hot inputs (book); N > 0: a learnable embedding of size N
  split: Split; // 'book': the first numTrain windows train, the next numVal validate; 'full': the whole text
  valFraction: number; // with the full split, the share of the text (at its end) that validates
  partition: Partition; // 'random' windows, zero state per batch (book); 'sequential' streams carrying state
  seed: number; // drives initialisation and shuffling
  text: TextMode; // 'book': letters only, lower case (D2L 9.2); 'raw': every character kept (NFC, CRLF as LF)
  tokens: TokenMode; // 'char' (D2L 9.2's characters) or 'word' (its word tokens; raw text keeps punctuation and spaces as tokens)
  minFreq: number; // the book's min_freq: tokens seen fewer times become <unk> (0 keeps all)
  maxTokens: number; // at most this many vocabulary entries, the most frequent tokens; 0 = no cap
  optimizer: OptimizerName; // sgd (the book's), momentum, adam or rmsprop (optimizer.ts: PyTorch's formulas)
  momentum: number; // momentum's mu
  betas: [number, number]; // Adam's b1, b2
  rmsDecay: number; // RMSprop's decay of the squared-gradient average (PyTorch's alpha)
  weightDecay: number; // L2 coefficient added to every gradient (0: none)
  lrSchedule: LrScheduleName; // constant (the book's), step or cosine (schedule.ts)
  lrGamma: number; // step schedule: the factor per decay
  lrEvery: number; // step schedule: epochs between decays
  lrStart: number; // step schedule: the last epoch at the full rate (char-rnn: decay 0.97 per epoch after epoch 10)
  warmup: number; // optimizer steps of linear warmup (0: none)
}

/** The book's run: d2l 9.5 with batch 1024, 32 steps, 32 hidden units, lr 1, clip 1, 100 epochs. */
export const BOOK_CONFIG: Readonly<TrainConfig> = Object.freeze({
  epochs: 100,
  batchSize: 1024,
  numSteps: 32,
  numHiddens: 32,
  lr: 1,
  clip: 1,
  sigma: 0.01,
  numTrain: 10000,
  numVal: 5000,
  activation: 'tanh',
  cell: 'rnn',
  numLayers: 1,
  dropout: 0,
  concise: false,
  embedding: 0,
  split: 'book',
  valFraction: 0.1,
  partition: 'random',
  seed: 0,
  text: 'book',
  tokens: 'char',
  minFreq: 0,
  maxTokens: 0,
  optimizer: 'sgd',
  momentum: 0.9,
  betas: [0.9, 0.999] as [number, number],
  rmsDecay: 0.99,
  weightDecay: 0,
  lrSchedule: 'constant',
  lrGamma: 0.97,
  lrEvery: 1,
  lrStart: 10,
  warmup: 0,
});

/** Upper bounds of the sizes (a model of 16,384 hidden units already holds billions of weights per layer). */
export const LIMITS = { epochs: 1_000_000, batchSize: 1_000_000, numSteps: 100_000, numHiddens: 16_384, numTrain: 1_000_000_000,
  numVal: 1_000_000_000, embedding: 16_384, maxTokens: 10_000_000, minFreq: 1_000_000_000, warmup: 1_000_000_000, lrStart: 1_000_000, lrEvery: 1_000_000 } as const;

/** Checks a configuration's values; throws one readable line for the first bad field. */
export function validateConfig(c: TrainConfig): TrainConfig {
  const positiveInts = ['batchSize', 'numSteps', 'numHiddens', 'numTrain'] as const;
  for (const k of positiveInts) if (!Number.isInteger(c[k]) || c[k] < 1) throw new Error(`${k} must be a positive integer, got ${c[k]}`);
  // limits far above any run this machine could train, so that a file or a flag cannot ask for terabytes
  for (const [k, max] of Object.entries(LIMITS) as [keyof typeof LIMITS, number][]) {
    if (c[k] > max) throw new Error(`${k} must be at most ${max}, got ${c[k]}`);
  }
  for (const k of ['epochs', 'numVal', 'seed', 'embedding'] as const) if (!Number.isInteger(c[k]) || c[k] < 0) throw new Error(`${k} must be a non-negative integer, got ${c[k]}`);
  if (c.seed >= 2 ** 32) throw new Error(`seed must be below 2^32, got ${c.seed}`);
  if (!(c.lr > 0) || !Number.isFinite(c.lr)) throw new Error(`lr must be a positive number, got ${c.lr}`);
  if (!(c.clip >= 0) || !Number.isFinite(c.clip)) throw new Error(`clip must be zero (off) or a positive number, got ${c.clip}`);
  if (!(c.sigma > 0) || !Number.isFinite(c.sigma)) throw new Error(`sigma must be a positive number, got ${c.sigma}`);
  if (c.activation !== 'tanh' && c.activation !== 'relu') throw new Error(`activation must be tanh or relu, got ${String(c.activation)}`);
  if (!CELL_KINDS.includes(c.cell)) throw new Error(`cell must be one of ${CELL_KINDS.join(', ')}, got ${String(c.cell)}`);
  if (c.activation === 'relu' && c.cell !== 'rnn') throw new Error(`activation relu is for rnn cells; ${c.cell} has its own gates`);
  if (!Number.isInteger(c.numLayers) || c.numLayers < 1 || c.numLayers > 64) throw new Error(`numLayers must be an integer from 1 to 64, got ${c.numLayers}`);
  if (typeof c.concise !== 'boolean') throw new Error(`concise must be true or false, got ${String(c.concise)}`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new Error(`dropout must be at least 0 and below 1, got ${c.dropout}`);
  if (c.dropout > 0 && c.numLayers === 1) throw new Error('dropout acts between layers: it needs numLayers > 1');
  if (c.dropout > 0 && !c.concise) throw new Error('dropout is an option of the concise layers (use concise)');
  if (c.split !== 'book' && c.split !== 'full') throw new Error(`split must be book or full, got ${String(c.split)}`);
  if (c.partition !== 'random' && c.partition !== 'sequential') throw new Error(`partition must be random or sequential, got ${String(c.partition)}`);
  if (!TEXT_MODES.includes(c.text)) throw new Error(`text must be ${TEXT_MODES.join(' or ')}, got ${String(c.text)}`);
  if (!TOKEN_MODES.includes(c.tokens)) throw new Error(`tokens must be ${TOKEN_MODES.join(' or ')}, got ${String(c.tokens)}`);
  if (!Number.isInteger(c.minFreq) || c.minFreq < 0) throw new Error(`minFreq must be a non-negative integer, got ${c.minFreq}`);
  if (!Number.isInteger(c.maxTokens) || c.maxTokens < 0 || c.maxTokens === 1) {
    throw new Error(`maxTokens must be 0 (no cap) or an integer of at least 2 (<unk> and one token), got ${c.maxTokens}`);
  }
  if (!(c.valFraction >= 0 && c.valFraction < 1)) throw new Error(`valFraction must be at least 0 and below 1, got ${c.valFraction}`);
  validateTraining(c);
  return c;
}

/** Checks the optimizer and schedule fields. */
function validateTraining(c: TrainConfig): void {
  const inUnit = (k: string, v: number): void => {
    if (!(v >= 0 && v < 1)) throw new Error(`${k} must be at least 0 and below 1, got ${v}`);
  };
  if (!OPTIMIZERS.includes(c.optimizer)) throw new Error(`optimizer must be one of ${OPTIMIZERS.join(', ')}, got ${String(c.optimizer)}`);
  inUnit('momentum', c.momentum);
  if (!Array.isArray(c.betas) || c.betas.length !== 2) throw new Error(`betas must be two numbers, got ${JSON.stringify(c.betas)}`);
  c.betas.forEach((b, i) => inUnit(`beta${i + 1}`, b));
  inUnit('rmsDecay', c.rmsDecay);
  if (!(c.weightDecay >= 0 && c.weightDecay <= 1)) throw new Error(`weightDecay must be from 0 to 1, got ${c.weightDecay}`);
  if (!LR_SCHEDULES.includes(c.lrSchedule)) throw new Error(`lrSchedule must be one of ${LR_SCHEDULES.join(', ')}, got ${String(c.lrSchedule)}`);
  if (!(c.lrGamma > 0 && c.lrGamma <= 1)) throw new Error(`lrGamma must be above 0 and at most 1, got ${c.lrGamma}`);
  for (const k of ['lrEvery'] as const) if (!Number.isInteger(c[k]) || c[k] < 1) throw new Error(`${k} must be a positive integer, got ${c[k]}`);
  for (const k of ['lrStart', 'warmup'] as const) if (!Number.isInteger(c[k]) || c[k] < 0) throw new Error(`${k} must be a non-negative integer, got ${c[k]}`);
}

/** The configuration's optimizer for a model of `size` parameters. */
export function createOptimizer(c: TrainConfig, size: number): Optimizer {
  return new Optimizer(c.optimizer, size, { momentum: c.momentum, betas: c.betas, rmsDecay: c.rmsDecay, weightDecay: c.weightDecay });
}

/** The configuration's learning-rate schedule. */
export function lrScheduleOf(c: TrainConfig): LrSchedule {
  return { schedule: c.lrSchedule, lr: c.lr, gamma: c.lrGamma, every: c.lrEvery, start: c.lrStart, warmup: c.warmup, epochs: c.epochs };
}

/**
 * The language model for this configuration, weights drawn from rng: the book's scratch classes (RNNScratch,
 * GRUScratch, LSTMScratch, StackedRNNScratch for several layers) inside RNNLMScratch, or a concise layer
 * (RNN, GRU, LSTM) inside RNNLM.
 */
export function createModel(c: TrainConfig, vocabSize: number, rng: Rng, fused = true): RNNLMScratch {
  const numInputs = c.embedding > 0 ? c.embedding : vocabSize;
  const lm = { vocabSize, lr: c.lr, embedding: c.embedding, rng, fused };
  if (c.concise) {
    const options = { numInputs, numHiddens: c.numHiddens, numLayers: c.numLayers, dropout: c.dropout, rng };
    const rnn = c.cell === 'lstm' ? new LSTM(options) : c.cell === 'gru' ? new GRU(options) : new RNN({ ...options, nonlinearity: c.activation });
    return new RNNLM(rnn, lm);
  }
  const options = { numInputs, numHiddens: c.numHiddens, sigma: c.sigma, activation: c.activation, rng };
  const rnn = c.numLayers > 1 ? new StackedRNNScratch({ ...options, numLayers: c.numLayers, cell: c.cell }) : scratchCell(c.cell, options);
  return new RNNLMScratch(rnn, lm);
}

/** The number of parameters createModel(c, vocabSize) holds, computed without building it (checkpoint checks). */
export { parameterCount } from '../models/layout.js';

/** A short name of the configuration's model: 'rnn', 'lstm x2', 'concise gru x2, dropout 0.2', 'rnn relu'. */
export function modelLabel(c: TrainConfig): string {
  return `${c.concise ? 'concise ' : ''}${c.cell}${c.numLayers > 1 ? ` x${c.numLayers}` : ''}${c.activation === 'relu' ? ' relu' : ''}` +
    `${c.dropout > 0 ? `, dropout ${c.dropout}` : ''}`;
}

/** How the configuration reads text. */
export function tokenizationOf(c: Pick<TrainConfig, 'text' | 'tokens'>): Tokenization {
  return { text: c.text, tokens: c.tokens };
}

/** The corpus options of the configuration (tokenization and vocabulary limits), for building its data. */
export function corpusOptions(c: TrainConfig): CorpusOptions {
  return { tokenization: tokenizationOf(c), ...(c.minFreq > 0 ? { minFreq: c.minFreq } : {}), ...(c.maxTokens > 0 ? { maxTokens: c.maxTokens } : {}) };
}
