// The seam between a language model and its recurrent layer (D2L passes RNNScratch, LSTMScratch, GRUScratch,
// a stacked or a bidirectional layer into the same RNNLMScratch): what every recurrent layer offers, its state,
// and the input projection that the fused path shares.
// Letters: B batch, T steps, I inputs, H hidden units, G gate blocks (src/backend/cells.ts), V vocabulary.
import * as F from '../tensor/ops.js';
import { IntTensor, Tensor, zeros, type DType } from '../tensor/tensor.js';

/**
 * A layer's state: one tensor (B,H) for a vanilla RNN or GRU, [H, C] for an LSTM (the book's tuple), one state
 * per layer for a stacked layer, [forward, backward] for a bidirectional one.
 */
export type State = Tensor | readonly State[];

/**
 * What the fused path feeds a layer: token ids (B,T) at the first layer, with the model's embedding table (V,E) when
 * it has one (the input product is then a row gather, exactly the one-hot product), or dense inputs (T,B,I).
 */
export type LayerInput = { tokens: IntTensor; embedding: Tensor | null } | Tensor;

export interface RecurrentLayer {
  readonly numInputs: number; // I: the width of each input step (the vocabulary for one-hot inputs)
  readonly numHiddens: number; // the width of each output step (both directions' for a bidirectional layer)
  readonly sigma: number; // the scale the book's output layer is drawn with
  readonly dtype: DType;
  /** The book's path, op by op: inputs (T,B,I), state or none (zeros) -> [T outputs of (B,numHiddens), last state]. */
  forward(inputs: Tensor, state?: State): [Tensor[], State];
  /** The same function through the fused recurrence: -> [outputs (T,B,numHiddens), last state, detached]. */
  fusedForward(inputs: LayerInput, state?: State): [Tensor, State];
  /** Every parameter with its name, in a fixed order (checkpoints and the flat parameter buffer follow it). */
  namedParameters(): [string, Tensor][];
}

/** Steps T and batch rows B of a layer input. */
export function inputSize(inputs: LayerInput): { T: number; B: number } {
  if (inputs instanceof Tensor) return { T: inputs.shape[0]!, B: inputs.shape[1]! };
  return { T: inputs.tokens.shape[1]!, B: inputs.tokens.shape[0]! };
}

/**
 * The input product of every step at once, XW (T,B,G*H) = X W_x (+ bias): a row gather of W_x (or of E W_x
 * with an embedding) for token ids, one matrix product for dense inputs. wx (I,G*H); bias (G*H) or null.
 */
export function projectInputs(inputs: LayerInput, wx: Tensor, bias: Tensor | null): Tensor {
  if (inputs instanceof Tensor) {
    return bias ? F.linear(inputs, wx, bias) : inputs.matmul(wx);
  }
  // gather(table + bias) = gather(table) + bias: each row picks exactly one table row
  let table = inputs.embedding ? inputs.embedding.matmul(wx) : wx;
  if (bias) table = table.add(bias);
  return F.gather(table, inputs.tokens.T);
}

/** Joins gate blocks along an axis (no op for a single block). */
export function joinGates(blocks: readonly Tensor[], axis: number): Tensor {
  return blocks.length === 1 ? blocks[0]! : F.concat(blocks, axis);
}

/** The state's tensors as the recurrence takes them: [H] or [H, C]; zeros (B,H) when there is no state. */
export function cellState(state: State | undefined, lstm: boolean, B: number, H: number, dtype: DType): Tensor[] {
  if (state === undefined) return lstm ? [zeros([B, H], dtype), zeros([B, H], dtype)] : [zeros([B, H], dtype)];
  if (state instanceof Tensor) {
    if (lstm) throw new Error('an LSTM state is a pair [H, C]');
    return [state];
  }
  if (!lstm || state.length !== 2 || !(state[0] instanceof Tensor) || !(state[1] instanceof Tensor)) {
    throw new Error(lstm ? 'an LSTM state is a pair [H, C]' : 'this layer\'s state is one tensor (B, H)');
  }
  return [state[0], state[1]];
}

/** A copy of a state's values outside any graph (truncated backprop through time starts from it). */
export function detachState(state: State): State {
  return state instanceof Tensor ? new Tensor(state.data.slice(), state.shape) : state.map(detachState);
}

/** The i-th part of a composite state, or undefined when there is no state. */
export function statePart(state: State | undefined, i: number, parts: number): State | undefined {
  if (state === undefined) return undefined;
  if (state instanceof Tensor || state.length !== parts) throw new Error(`expected a state of ${parts} parts`);
  return state[i];
}

/** The same inputs with the steps of each sequence in reverse order (a backward direction's inputs). */
export function reverseSteps(inputs: LayerInput): LayerInput {
  if (inputs instanceof Tensor) return F.flip(inputs, 0);
  const [B, T] = inputs.tokens.shape as [number, number];
  const out = new Int32Array(B * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out[b * T + t] = inputs.tokens.data[b * T + T - 1 - t]!;
  return { tokens: new IntTensor(out, [B, T]), embedding: inputs.embedding };
}

/** Named parameters under a prefix (a layer's inside a stacked, bidirectional or language model). */
export function prefixed(prefix: string, named: readonly [string, Tensor][]): [string, Tensor][] {
  return named.map(([n, t]) => [`${prefix}${n}`, t]);
}
