// A trained model in one file: weights, vocabulary and the run's configuration (with its seed), in the
// safetensors layout so that other tools can read the weights. Pure (bytes in, bytes out); file I/O is in
// checkpoint-file.ts.
import { Vocab } from '../data/vocab.js';
import type { RNNLMScratch } from '../models/rnn.js';
import { Rng } from '../tensor/random.js';
import { BOOK_CONFIG, createModel, parameterCount, tokenizationOf, validateConfig, type TrainConfig } from './config.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

export const CHECKPOINT_FORMAT = 'rnnlm-checkpoint';
/** 2 adds the model description (kind, cell, layers, dropout, direction); version-1 files (the 9.5 model) still load. */
export const CHECKPOINT_VERSION = '2';
const READABLE_VERSIONS = ['1', '2'];

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
}

export function encodeCheckpoint({ model, vocab, config }: Checkpoint): Uint8Array {
  return encodeSafetensors({
    tensors: model.params.entries.map(([name, t]) => ({ name, shape: [...t.shape], data: Float32Array.from(t.data) })),
    metadata: {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      config: JSON.stringify(config),
      model: JSON.stringify(describeModel(config)),
      vocab: JSON.stringify(vocab.idxToToken),
      seed: String(config.seed),
    },
  });
}

export function decodeCheckpoint(bytes: Uint8Array, what = 'checkpoint'): Checkpoint {
  const file = decodeSafetensors(bytes, what);
  const bad = (why: string): Error => new Error(`${what} is not an rnnlm checkpoint: ${why}`);
  const meta = file.metadata;
  if (meta['format'] !== CHECKPOINT_FORMAT) throw bad(`format is ${meta['format'] ?? 'missing'}`);
  const version = meta['version'] ?? 'missing';
  if (!READABLE_VERSIONS.includes(version)) throw bad(`version ${version} (this rnnlm reads ${READABLE_VERSIONS.join(' and ')})`);
  let config: TrainConfig;
  let vocab: Vocab;
  try {
    config = validateConfig({ ...BOOK_CONFIG, ...(JSON.parse(meta['config'] ?? '') as Partial<TrainConfig>) });
    const tokens: unknown = JSON.parse(meta['vocab'] ?? '');
    if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string')) throw new Error('vocab is not a list of strings');
    vocab = Vocab.fromTokens(tokens as string[], tokenizationOf(config));
    if (version !== '1') {
      const stated: unknown = JSON.parse(meta['model'] ?? '');
      if (JSON.stringify(stated) !== JSON.stringify(describeModel(config))) {
        throw new Error(`the model metadata ${meta['model']} disagrees with the configuration (${JSON.stringify(describeModel(config))})`);
      }
    }
  } catch (e) {
    throw bad(e instanceof Error ? e.message : String(e));
  }
  // the configuration must account for exactly the stored floats before a model of its size is allocated
  const floats = file.tensors.reduce((n, t) => n + t.data.length, 0);
  const expected = parameterCount(config, vocab.length);
  if (floats !== expected) throw bad(`its configuration needs ${expected} parameters but the file holds ${floats}`);
  const model = createModel(config, vocab.length, new Rng(config.seed));
  const stored = new Map(file.tensors.map((t) => [t.name, t]));
  for (const [name, t] of model.params.entries) {
    const s = stored.get(name);
    if (!s) throw bad(`tensor ${name} is missing`);
    if (s.shape.join() !== t.shape.join()) throw bad(`tensor ${name} has shape [${s.shape.join(', ')}], expected [${t.shape.join(', ')}]`);
    t.data.set(s.data);
    stored.delete(name);
  }
  if (stored.size > 0) throw bad(`unexpected tensors ${[...stored.keys()].join(', ')}`);
  return { model, vocab, config };
}
