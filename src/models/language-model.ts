// The character language models: RNNLMScratch (D2L 9.5) around any recurrent layer, as the book passes RNNScratch,
// LSTMScratch, GRUScratch or a deep or concise layer into it, and RNNLM (D2L 9.6), the same model with the concise
// linear output layer (PyTorch's nn.Linear layout: weight (V,H), bias (V)).
// Two paths compute the same function: the book's, op by op (one-hot inputs, a loop over steps, autograd through
// every op), and the fused one (one input gather and one fused recurrence per layer, the output layer fused with the
// loss); tests hold them together.
// Dimension letters: B = batch, T = time steps, H = the layer's output width, V = vocabulary.
import type { Batch } from '../data/timemachine.js';
import type { Vocab } from '../data/vocab.js';
import { argmax, continuation, withPrefix } from './predict.js';
import { noGrad } from '../tensor/autograd.js';
import * as F from '../tensor/ops.js';
import { ParameterSet } from '../tensor/parameters.js';
import { Rng } from '../tensor/random.js';
import { IntTensor, rand, randn, Tensor, zeros } from '../tensor/tensor.js';
import { detachState, prefixed, type RecurrentLayer, type State } from './layer.js';

export interface RNNLMScratchOptions {
  vocabSize: number; // V
  lr?: number; // SGD learning rate (book: 1 for 9.5's run; class default 0.01)
  embedding?: number; // 0 (default): one-hot inputs, as the book; N > 0: a learnable (V, N) embedding, rnn.numInputs = N
  fused?: boolean; // compute loss and gradients with the fused ops (default); false runs the book's op-by-op code
  rng?: Rng; // where the output layer (and the embedding) come from; pass the rnn's rng to continue its stream
}

/** A batch's mean loss and the final state, detached from the graph, for the next batch to start from. */
export interface BatchResult {
  loss: Tensor;
  state: State;
}

/** The character language model of D2L 9.5: one-hot (or embedded) inputs, a recurrent layer, a linear output layer. */
export class RNNLMScratch {
  readonly rnn: RecurrentLayer;
  readonly vocabSize: number;
  readonly lr: number;
  readonly fused: boolean;
  readonly E: Tensor | null; // (V, N) learnable embedding, or null for one-hot inputs
  /** Every parameter in one flat buffer: [embedding,] the layer's, then the output layer's. */
  readonly params: ParameterSet;
  /** The output layer's named parameters (W_hq, b_q; or linear.weight, linear.bias). */
  protected readonly output: [string, Tensor][];

  constructor(rnn: RecurrentLayer, { vocabSize, lr = 0.01, embedding = 0, fused = true, rng = new Rng(1) }: RNNLMScratchOptions) {
    const inputs = embedding > 0 ? embedding : vocabSize;
    if (rnn.numInputs !== inputs) {
      throw new Error(embedding > 0 ? `an embedding of size ${embedding} needs numInputs (${rnn.numInputs}) == ${embedding}`
        : `one-hot inputs need numInputs (${rnn.numInputs}) == vocabSize (${vocabSize})`);
    }
    this.rnn = rnn;
    this.vocabSize = vocabSize;
    this.lr = lr;
    this.fused = fused;
    this.output = this.initOutput(rng);
    // an embedding starts as N(0, 1), as torch.nn.Embedding
    this.E = embedding > 0 ? randn(rng, [vocabSize, embedding], 1, rnn.dtype) : null;
    this.params = new ParameterSet([...(this.E ? [['embedding', this.E] as [string, Tensor]] : []),
      ...this.layerParameters(), ...this.output]);
  }

  /** The book's output layer: W_hq ~ N(0,1) sigma (H,V) and b_q = 0 (V). */
  protected initOutput(rng: Rng): [string, Tensor][] {
    return [['W_hq', randn(rng, [this.rnn.numHiddens, this.vocabSize], this.rnn.sigma, this.rnn.dtype)], ['b_q', zeros([this.vocabSize], this.rnn.dtype)]];
  }

  /** The recurrent layer's parameters under the names checkpoints use. */
  protected layerParameters(): [string, Tensor][] {
    return this.rnn.namedParameters();
  }

  /** The output layer as a product: [W (H,V), b (V)]. */
  protected outputWeights(): [Tensor, Tensor] {
    return [this.output[0]![1], this.output[1]![1]];
  }

  /** The book's W_hq (H,V). */
  get W_hq(): Tensor {
    return this.outputWeights()[0];
  }
  /** The book's b_q (V). */
  get b_q(): Tensor {
    return this.outputWeights()[1];
  }

  /** X (B,T) -> one-hot (T,B,V). */
  oneHot(X: IntTensor): Tensor {
    return F.oneHot(X.T, this.vocabSize, this.rnn.dtype);
  }

  /** X (B,T) -> the layer's inputs (T,B,I): one-hot vectors, or embedding rows (an exercise of 9.5). */
  embed(X: IntTensor): Tensor {
    return this.E ? F.gather(this.E, X.T) : this.oneHot(X);
  }

  /** T outputs of (B,H) -> logits (B,T,V). */
  outputLayer(rnnOutputs: Tensor[]): Tensor {
    const [W, b] = this.outputWeights();
    return F.stack(rnnOutputs.map((H) => H.matmul(W).add(b)), 1);
  }

  /** X (B,T) -> logits (B,T,V), the book's op-by-op forward. */
  forward(X: IntTensor, state?: State): Tensor {
    const [rnnOutputs] = this.rnn.forward(this.embed(X), state);
    return this.outputLayer(rnnOutputs);
  }

  /** Mean cross-entropy of logits (B,T,V) against targets (B,T). */
  loss(Yhat: Tensor, Y: IntTensor): Tensor {
    return F.crossEntropy(Yhat.reshape(-1, this.vocabSize), Y);
  }

  /** The mean cross-entropy of a batch, starting from a state or zeros, by the fused ops or the book's forward. */
  batchLoss([X, Y]: Batch, state?: State): BatchResult {
    if (!this.fused) {
      const [rnnOutputs, last] = this.rnn.forward(this.embed(X), state);
      return { loss: this.loss(this.outputLayer(rnnOutputs), Y), state: detachState(last) };
    }
    const [hs, last] = this.rnn.fusedForward({ tokens: X, embedding: this.E }, state); // (T,B,H)
    const [W, b] = this.outputWeights();
    return { loss: F.linearCrossEntropy(hs, W, b, Y.T), state: detachState(last) };
  }

  trainingStep(batch: Batch, state?: State): Tensor {
    return this.batchLoss(batch, state).loss;
  }

  validationStep(batch: Batch, state?: State): Tensor {
    return noGrad(() => this.batchLoss(batch, state).loss);
  }

  /** One step for generation: token indices (B,1) and state -> [logits (B,V), new state]. */
  step(X: IntTensor, state?: State): [Tensor, State] {
    let h: Tensor;
    let next: State;
    if (this.fused) {
      const [hs, last] = this.rnn.fusedForward({ tokens: X, embedding: this.E }, state);
      [h, next] = [hs.reshape(X.shape[0]!, this.rnn.numHiddens), last];
    } else {
      const [outputs, last] = this.rnn.forward(this.embed(X), state);
      [h, next] = [outputs[0]!, last];
    }
    const [W, b] = this.outputWeights();
    return [h.matmul(W).add(b), next];
  }

  /** step for one token (B = 1), without gradients: generation's TokenStepper (generate.ts). */
  stepToken(token: number, state: State | undefined): { logits: Float32Array | Float64Array; state: State } {
    return noGrad(() => {
      const [logits, next] = this.step(new IntTensor(Int32Array.of(token), [1, 1]), state);
      return { logits: logits.data, state: next };
    });
  }

  /**
   * Warms up on the prefix (read as the vocabulary's training text was, carrying the state), then generates numPreds
   * tokens; by default greedily (argmax), as the book; pick chooses the next index from a row of logits otherwise
   * (generate/sampling.ts). <unk> is never generated. Returns the prefix as read and the continuation.
   */
  predict(prefix: string, numPreds: number, vocab: Vocab, pick: (logits: ArrayLike<number>) => number = argmax): string {
    return withPrefix(vocab, prefix, [...continuation(this, vocab, prefix, numPreds, pick)]);
  }
}

/**
 * The concise language model of D2L 9.6: RNNLMScratch with nn.Linear's output layer, weight (V,H) and bias (V),
 * both ~ U(+-1/sqrt(H)) as PyTorch initialises them. Its layer's parameters are named rnn.weight_ih_l0, ... and the
 * output linear.weight, linear.bias, so that the rnn.* tensors load into torch.nn.RNN/GRU/LSTM as they are.
 */
export class RNNLM extends RNNLMScratch {
  protected override initOutput(rng: Rng): [string, Tensor][] {
    const [H, V] = [this.rnn.numHiddens, this.vocabSize];
    const bound = 1 / Math.sqrt(H);
    return [['linear.weight', rand(rng, [V, H], bound, this.rnn.dtype)], ['linear.bias', rand(rng, [V], bound, this.rnn.dtype)]];
  }

  protected override layerParameters(): [string, Tensor][] {
    return prefixed('rnn.', this.rnn.namedParameters());
  }

  protected override outputWeights(): [Tensor, Tensor] {
    return [this.output[0]![1].T, this.output[1]![1]];
  }
}
