// Reading a checkpoint without building its model: format, version, configuration (through the configuration's
// schema), vocabulary, training state, and every tensor's name and shape checked against the configuration's layout
// before anything is allocated from them. What rnnlm/inference needs of checkpoints, so it imports no model code
// (checkpoint.ts builds and writes models). Pure: bytes in, values out.
import { hasControl } from '../../data/tokenizer.js';
import { Vocab } from '../../data/vocab.js';
import type { RNNLMScratch } from '../../models/rnn.js';
import { parameterCount, parameterLayout } from '../../models/layout.js';
import { configFromCheckpoint, LIMITS, tokenizationOf, type TrainConfig } from '../config/config-schema.js';
import { optimizerStateNames, SQUARED_STATE } from '../optim/optimizer.js';
import type { TrainingState } from '../run/run-state.js';
import { decodeTensor, readSafetensorsHeader, type SafetensorsHeader, type TensorEntry } from './safetensors.js';

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

/**
 * Checks a training state read from a file against the run's configuration and returns it typed (training-state.ts:
 * validateTraining). Passed in by the readers that continue runs (Node's loadCheckpoint, decodeCheckpoint), so that
 * rnnlm/inference, which never continues a run, carries none of it: without one, a file's run is not read at all.
 */
export type TrainingCheck = (raw: unknown, config: TrainConfig, storedEpoch: string | undefined) => TrainingState;

/** A checkpoint's settings and where its tensors are, checked against each other before any tensor is read. */
export interface CheckpointPlan extends Omit<CheckpointContents, 'weights' | 'optimizerState'> {
  /** The parameters in the configuration's layout order, with their entries in the header. */
  weights: [string, TensorEntry][];
  /** The optimizer's buffers (with a training state), by buffer name. */
  optimizer: [string, TensorEntry][];
}

/**
 * Checks a checkpoint's header (format, version, configuration, vocabulary, training state, and every tensor's name,
 * shape and size against the configuration's layout) before any tensor is read: a file that claims a model of
 * billions of values is refused from its header, not after its data was read and allocated.
 */
export function planCheckpoint({ metadata: meta, entries }: SafetensorsHeader, what = 'checkpoint', checkTraining?: TrainingCheck): CheckpointPlan {
  const bad = (why: string): Error => new Error(`${what} is not an rnnlm checkpoint: ${why}`);
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
    if (meta['training'] !== undefined && checkTraining) training = checkTraining(JSON.parse(meta['training']), config, meta['epoch']);
  } catch (e) {
    throw bad(e instanceof Error ? e.message : String(e));
  }
  // the configuration must account for exactly the stored floats before a model of its size is allocated
  const floats = entries.reduce((n, e) => n + (e.end - e.begin) / 4, 0);
  const params = parameterCount(config, vocab.length);
  const hasRun = meta['training'] !== undefined; // its optimizer's buffers are stored, whether or not its run is read
  const buffers = hasRun ? optimizerStateNames(config.optimizer) : [];
  const expected = params * (1 + buffers.length);
  if (floats !== expected) {
    throw bad(`its configuration needs ${params} parameters${buffers.length ? ` and ${buffers.length} optimizer buffers of that size` : ''} but the file holds ${floats} values`);
  }
  const stored = new Map(entries.map((e) => [e.name, e]));
  const optimizer: [string, TensorEntry][] = [];
  for (const name of buffers) {
    const e = stored.get(OPTIMIZER_PREFIX + name);
    if (!e || (e.end - e.begin) / 4 !== params) throw bad(`the optimizer buffer ${OPTIMIZER_PREFIX + name} is missing or has the wrong size`);
    if (training) optimizer.push([name, e]);
    stored.delete(OPTIMIZER_PREFIX + name);
  }
  const weights: [string, TensorEntry][] = [];
  for (const [name, shape] of parameterLayout(config, vocab.length)) {
    const e = stored.get(name);
    if (!e) throw bad(`tensor ${name} is missing`);
    if (e.shape.join() !== shape.join()) throw bad(`tensor ${name} has shape [${e.shape.join(', ')}], expected [${shape.join(', ')}]`);
    weights.push([name, e]);
    stored.delete(name);
  }
  if (stored.size > 0) throw bad(`unexpected tensors ${[...stored.keys()].join(', ')}`);
  return { vocab, config, weights, optimizer, ...(training ? { training } : {}) };
}

/** A planned checkpoint's contents, its tensors' values given by tensor (read from memory or a file, one at a time). */
export function checkpointContents({ weights, optimizer, training, ...rest }: CheckpointPlan, tensor: (e: TensorEntry) => Float32Array): CheckpointContents {
  const buffer = (name: string, e: TensorEntry): Float32Array => {
    const values = tensor(e);
    // an average of squared gradients below 0 was not written by training; resuming from it would train to NaN
    const i = SQUARED_STATE.has(name) ? values.findIndex((v) => v < 0) : -1;
    if (i >= 0) throw new Error(`training state: the optimizer buffer ${OPTIMIZER_PREFIX + name} holds ${values[i]} at index ${i}, an average of squares below 0`);
    return values;
  };
  return {
    ...rest,
    weights: new Map(weights.map(([name, e]) => [name, tensor(e)])),
    ...(training ? { training, optimizerState: new Map(optimizer.map(([name, e]) => [name, buffer(name, e)])) } : {}),
  };
}

/**
 * Reads and checks a checkpoint without building its model (rnnlm/inference runs the weights on the kernels
 * directly): the header first (planCheckpoint), then each tensor.
 */
export function readCheckpoint(bytes: Uint8Array, what = 'checkpoint', checkTraining?: TrainingCheck): CheckpointContents {
  const header = readSafetensorsHeader(bytes, what);
  return checkpointContents(planCheckpoint(header, what, checkTraining), (e) => decodeTensor(bytes.subarray(header.dataStart + e.begin, header.dataStart + e.end), e.name, what));
}
