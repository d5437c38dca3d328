// A trained model in one file: weights, vocabulary and the run's configuration (with its seed), in the
// safetensors layout so that other tools can read the weights. Pure (bytes in, bytes out); file I/O is in
// node/checkpoint-file.ts, and reading without a model in read.ts.
import { Rng } from '../../tensor/random.js';
import { canonical, createModel } from '../config/config.js';
import type { RunState } from '../run/run-state.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, describeModel, OPTIMIZER_PREFIX, readCheckpoint } from './read.js';
import { encodeSafetensors } from './safetensors.js';
import { validateTraining } from './training-state.js';

export { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, describeModel, readCheckpoint, type Checkpoint, type CheckpointContents, type ModelDescription } from './read.js';
import type { Checkpoint, CheckpointContents } from './read.js';

export function encodeCheckpoint({ model, vocab, config, training, optimizerState }: Checkpoint): Uint8Array {
  const optimizerTensors = training && optimizerState
    ? [...optimizerState].map(([name, data]) => ({ name: OPTIMIZER_PREFIX + name, shape: [data.length], data: Float32Array.from(data) })) : [];
  return encodeSafetensors({
    tensors: [...model.params.entries.map(([name, t]) => ({ name, shape: [...t.shape], data: Float32Array.from(t.data) })), ...optimizerTensors],
    metadata: {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      config: JSON.stringify(canonical(config)),
      model: JSON.stringify(describeModel(config)),
      vocab: JSON.stringify(vocab.idxToToken),
      seed: String(config.seed),
      ...(training ? { epoch: String(training.epoch), training: JSON.stringify(training) } : {}),
    },
  });
}

/** Reads a checkpoint (readCheckpoint's checks) into a model of its configuration. */
export function decodeCheckpoint(bytes: Uint8Array, what = 'checkpoint'): Checkpoint {
  return checkpointFromContents(readCheckpoint(bytes, what, validateTraining));
}

/** A checkpoint's contents put into a model of its configuration. */
export function checkpointFromContents({ weights, ...rest }: CheckpointContents): Checkpoint {
  const model = createModel(rest.config, rest.vocab.length, new Rng(rest.config.seed));
  for (const [name, t] of model.params.entries) t.data.set(weights.get(name)!);
  return { model, ...rest };
}

/** A run's state as a checkpoint file (the weights put into a model of its configuration). */
export function encodeRun(state: RunState): Uint8Array {
  const model = createModel(state.config, state.vocab.length, new Rng(state.config.seed));
  model.params.values.set(state.values);
  return encodeCheckpoint({ model, vocab: state.vocab, config: state.config, training: state.training, optimizerState: state.optimizerState });
}

/** The run a checkpoint holds, or null for a model saved without its run (and version 1 and 2 files). */
export function runOf(cp: Checkpoint): RunState | null {
  if (!cp.training || !cp.optimizerState) return null;
  return { config: cp.config, vocab: cp.vocab, values: Float32Array.from(cp.model.params.values), optimizerState: cp.optimizerState, training: cp.training };
}
