// A trained model in one file: weights, vocabulary and the run's configuration (with its seed), in the
// safetensors layout so that other tools can read the weights. Pure (bytes in, bytes out); file I/O is in
// checkpoint-file.ts.
import { Vocab } from '../data/vocab.js';
import type { RNNLMScratch } from '../models/rnn.js';
import { Rng } from '../tensor/random.js';
import { BOOK_CONFIG, createModel, validateConfig, type TrainConfig } from './config.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

export const CHECKPOINT_FORMAT = 'rnnlm-checkpoint';
export const CHECKPOINT_VERSION = '1';

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
  if (meta['version'] !== CHECKPOINT_VERSION) throw bad(`version ${meta['version'] ?? 'missing'} (this rnnlm reads ${CHECKPOINT_VERSION})`);
  let config: TrainConfig;
  let vocab: Vocab;
  try {
    config = validateConfig({ ...BOOK_CONFIG, ...(JSON.parse(meta['config'] ?? '') as Partial<TrainConfig>) });
    const tokens: unknown = JSON.parse(meta['vocab'] ?? '');
    if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string')) throw new Error('vocab is not a list of strings');
    vocab = Vocab.fromTokens(tokens as string[]);
  } catch (e) {
    throw bad(e instanceof Error ? e.message : String(e));
  }
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
