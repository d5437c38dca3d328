// Reading a checkpoint without building its model: format, version, configuration (through the configuration's
// schema), vocabulary, training state, and every tensor's name and shape checked against the configuration's layout
// before anything is allocated from them. What rnnlm/inference needs of checkpoints, so it imports no model code
// (checkpoint.ts builds and writes models). Pure: bytes in, values out.
import { hasControl } from '../../data/tokenizer.js';
import { Vocab } from '../../data/vocab.js';
import type { RNNLMScratch } from '../../models/rnn.js';
import { Rng } from '../../tensor/random.js';
import { parameterCount, parameterLayout } from '../../models/layout.js';
import { configFromCheckpoint, LIMITS, tokenizationOf, type TrainConfig } from '../config/config-schema.js';
import { optimizerStateNames } from '../optim/optimizer.js';
import type { TrainingState } from '../run/run-state.js';
import { decodeSafetensors } from './safetensors.js';

export const CHECKPOINT_FORMAT = 'rnnlm-checkpoint';
/**
 * 2 adds the model description (kind, cell, layers, dropout, direction); 3 the training state (epochs and steps done,
 * the random generator, the curves) and the optimizer's buffers, so that a run continues exactly. Versions 1 and 2
 * still load (as models; they cannot be resumed).
 */
export const CHECKPOINT_VERSION = '3';
export const READABLE_VERSIONS = ['1', '2', '3'];
/** Optimizer buffers are stored as tensors named optimizer.NAME, beside the parameters. */
export const OPTIMIZER_PREFIX = 'optimizer.';

/** What a version-2 checkpoint says of its model, beside the configuration (readable without rnnlm's code). */
export interface ModelDescription {
  kind: 'scratch' | 'concise'; // the book's scratch classes or the concise (PyTorch-layout) layers
  cell: TrainConfig['cell'];
  layers: number;
  dropout: number;
  bidirectional: false; // language models read left to right
}

export function describeModel(c: TrainConfig): ModelDescription {
  return { kind: c.concise ? 'concise' : 'scratch', cell: c.cell, layers: c.numLayers, dropout: c.dropout, bidirectional: false };
}

export interface Checkpoint {
  model: RNNLMScratch;
  vocab: Vocab;
  config: TrainConfig;
  /** Where the run stood, to continue it (absent for a model saved without its run, and in version 1 and 2 files). */
  training?: TrainingState;
  /** The optimizer's buffers by name (with training). */
  optimizerState?: ReadonlyMap<string, Float32Array>;
}

/** A checkpoint as read, before any model is built: the parameters by name, checked against the configuration's layout. */
export interface CheckpointContents extends Omit<Checkpoint, 'model'> {
  /** Every parameter of the configuration's model (models/layout.ts), by name, shapes checked. */
  weights: ReadonlyMap<string, Float32Array>;
}

/** Checks a training state read from a file against the configuration; returns it typed. */
function validateTraining(raw: unknown, config: TrainConfig): TrainingState {
  const t = raw as TrainingState;
  const int = (v: unknown, max: number): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;
  if (typeof t !== 'object' || t === null) throw new Error('training state is not an object');
  if (!int(t.epoch, config.epochs)) throw new Error(`training state: epoch ${String(t.epoch)} is not a whole number from 0 to the run's ${config.epochs} epochs`);
  if (!int(t.steps, Number.MAX_SAFE_INTEGER) || !int(t.optimizerSteps, t.steps)) throw new Error('training state: bad step counts');
  if (typeof t.firstLoss !== 'number' && t.firstLoss !== null) throw new Error('training state: bad first loss');
  if (t.firstLoss === null) t.firstLoss = NaN; // JSON has no NaN (a run saved before its first step)
  if (!Array.isArray(t.history) || t.history.length !== t.epoch) throw new Error(`training state: ${t.epoch} epochs done but ${Array.isArray(t.history) ? t.history.length : 'no'} curves`);
  for (const e of t.history) {
    if (typeof e !== 'object' || e === null || !['epoch', 'trainPpl', 'valPpl', 'seconds', 'tokensPerSecond'].every((k) => typeof (e as unknown as Record<string, unknown>)[k] === 'number' || (e as unknown as Record<string, unknown>)[k] === null)) {
      throw new Error('training state: a curve entry is not an epoch\'s statistics');
    }
  }
  if (t.data !== undefined && typeof t.data !== 'string') throw new Error('training state: the data path is not a string');
  for (const k of ['dataSha1', 'textSha1'] as const) {
    if (t[k] !== undefined && !(typeof t[k] === 'string' && /^[0-9a-f]{40}$/.test(t[k]))) throw new Error(`training state: bad ${k}`);
  }
  new Rng(0).setState(t.rng); // throws for a malformed generator state
  return t;
}

/**
 * Reads and checks a checkpoint without building its model (rnnlm/inference runs the weights on the kernels
 * directly): format, version, configuration, vocabulary, training state, and every tensor's name and shape.
 */
export function readCheckpoint(bytes: Uint8Array, what = 'checkpoint'): CheckpointContents {
  const file = decodeSafetensors(bytes, what);
  const bad = (why: string): Error => new Error(`${what} is not an rnnlm checkpoint: ${why}`);
  const meta = file.metadata;
  if (meta['format'] !== CHECKPOINT_FORMAT) throw bad(`format is ${meta['format'] ?? 'missing'}`);
  const version = meta['version'] ?? 'missing';
  if (!READABLE_VERSIONS.includes(version)) throw bad(`version ${version} (this rnnlm reads ${READABLE_VERSIONS.join(' and ')})`);
  let config: TrainConfig;
  let vocab: Vocab;
  let training: TrainingState | undefined;
  try {
    if (meta['config'] === undefined) throw new Error('config is missing');
    config = configFromCheckpoint(JSON.parse(meta['config']), Number(version));
    const tokens: unknown = JSON.parse(meta['vocab'] ?? '');
    if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string')) throw new Error('vocab is not a list of strings');
    if (tokens.length > LIMITS.maxTokens) throw new Error(`vocab has ${tokens.length} tokens, more than ${LIMITS.maxTokens}`);
    // tokens reach terminals and pages: none that text reading cannot produce (control characters, huge strings)
    const bad = (tokens as string[]).findIndex((t) => t.length === 0 || t.length > 1024 || hasControl(t));
    if (bad >= 0) throw new Error(`vocab token ${bad} is empty, longer than 1024 characters or holds a control character`);
    vocab = Vocab.fromTokens(tokens as string[], tokenizationOf(config));
    if (version !== '1') {
      const stated: unknown = JSON.parse(meta['model'] ?? '');
      if (JSON.stringify(stated) !== JSON.stringify(describeModel(config))) {
        throw new Error(`the model metadata ${meta['model']} disagrees with the configuration (${JSON.stringify(describeModel(config))})`);
      }
    }
    if (meta['training'] !== undefined) training = validateTraining(JSON.parse(meta['training']), config);
  } catch (e) {
    throw bad(e instanceof Error ? e.message : String(e));
  }
  // the configuration must account for exactly the stored floats before a model of its size is allocated
  const floats = file.tensors.reduce((n, t) => n + t.data.length, 0);
  const params = parameterCount(config, vocab.length);
  const buffers = training ? optimizerStateNames(config.optimizer) : [];
  const expected = params * (1 + buffers.length);
  if (floats !== expected) {
    throw bad(`its configuration needs ${params} parameters${buffers.length ? ` and ${buffers.length} optimizer buffers of that size` : ''} but the file holds ${floats} values`);
  }
  const stored = new Map(file.tensors.map((t) => [t.name, t]));
  let optimizerState: Map<string, Float32Array> | undefined;
  if (training) {
    optimizerState = new Map();
    for (const name of buffers) {
      const t = stored.get(OPTIMIZER_PREFIX + name);
      if (!t || t.data.length !== params) throw bad(`the optimizer buffer ${OPTIMIZER_PREFIX + name} is missing or has the wrong size`);
      optimizerState.set(name, t.data);
      stored.delete(OPTIMIZER_PREFIX + name);
    }
  }
  const weights = new Map<string, Float32Array>();
  for (const [name, shape] of parameterLayout(config, vocab.length)) {
    const s = stored.get(name);
    if (!s) throw bad(`tensor ${name} is missing`);
    if (s.shape.join() !== shape.join()) throw bad(`tensor ${name} has shape [${s.shape.join(', ')}], expected [${shape.join(', ')}]`);
    weights.set(name, s.data);
    stored.delete(name);
  }
  if (stored.size > 0) throw bad(`unexpected tensors ${[...stored.keys()].join(', ')}`);
  return { weights, vocab, config, ...(training && optimizerState ? { training, optimizerState } : {}) };
}

