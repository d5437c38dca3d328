// What a training configuration builds: its model, optimizer, schedule and way of reading text. The configuration
// itself (fields, defaults, ranges, validation) is declared once in config-schema.ts.
import { scratchCell } from '../../models/cell-factory.js';
import { CONCISE_LAYERS } from '../../models/concise.js';
import { RNNLM, RNNLMScratch } from '../../models/language-model.js';
import { StackedRNNScratch } from '../../models/stacked.js';
import type { Rng } from '../../tensor/random.js';
import type { CorpusOptions } from '../../data/corpus.js';
import { Optimizer } from '../optim/optimizer.js';
import type { LrSchedule } from '../optim/schedule.js';
import type { TrainConfig } from './config-schema.js';

export { BOOK_CONFIG, LIMITS, TRAIN_SCHEMA, TRAIN_RULES, validateConfig, configFromCheckpoint, canonical, tokenizationOf, type TrainConfig, type TrainField } from './config-schema.js';
import { tokenizationOf } from './config-schema.js';

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
    const rnn = new CONCISE_LAYERS[c.cell]({ ...options, ...(c.cell === 'rnn' ? { nonlinearity: c.activation } : {}) });
    return new RNNLM(rnn, lm);
  }
  const options = { numInputs, numHiddens: c.numHiddens, sigma: c.sigma, activation: c.activation, rng };
  const rnn = c.numLayers > 1 ? new StackedRNNScratch({ ...options, numLayers: c.numLayers, cell: c.cell }) : scratchCell(c.cell, options);
  return new RNNLMScratch(rnn, lm);
}

/** The number of parameters createModel(c, vocabSize) holds, computed without building it (checkpoint checks). */
export { parameterCount } from '../../models/layout.js';

/** A short name of the configuration's model: 'rnn', 'lstm x2', 'concise gru x2, dropout 0.2', 'rnn relu'. */
export function modelLabel(c: TrainConfig): string {
  return `${c.concise ? 'concise ' : ''}${c.cell}${c.numLayers > 1 ? ` x${c.numLayers}` : ''}${c.activation === 'relu' ? ' relu' : ''}` +
    `${c.dropout > 0 ? `, dropout ${c.dropout}` : ''}`;
}


/** The corpus options of the configuration (tokenization and vocabulary limits), for building its data. */
export function corpusOptions(c: TrainConfig): CorpusOptions {
  return { tokenization: tokenizationOf(c), ...(c.minFreq > 0 ? { minFreq: c.minFreq } : {}), ...(c.maxTokens > 0 ? { maxTokens: c.maxTokens } : {}) };
}
