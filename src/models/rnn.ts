// RNNScratch and RNNLMScratch: D2L 9.5 "Recurrent Neural Network Implementation from Scratch",
// written with tensor ops as the book writes them. The language model also has a fused path
// (the same parameters through the fused RNN-layer and output+cross-entropy ops); tests hold the two together.
// Dimension letters: B = batch, T = time steps, I = inputs, H = hidden units, V = vocabulary.
import type { Activation } from '../backend/backend.js';
import type { Batch } from '../data/timemachine.js';
import type { Vocab } from '../data/vocab.js';
import { noGrad } from '../tensor/autograd.js';
import * as F from '../tensor/ops.js';
import { ParameterSet } from '../tensor/parameters.js';
import { argmax } from '../generate/sampling.js';
import { Rng } from '../tensor/random.js';
import { IntTensor, Tensor, zeros, type DType } from '../tensor/tensor.js';

export interface RNNScratchOptions {
  numInputs: number; // I: size of each input vector (the vocabulary size for one-hot inputs)
  numHiddens: number; // H: hidden units
  sigma?: number; // initial weights ~ N(0, 1) * sigma (book: 0.01)
  activation?: Activation; // tanh as in the book; relu is an exercise
  rng?: Rng; // where initial weights come from (default: seed 0)
  dtype?: DType; // float32; float64 for gradient checks
}

/** The RNN layer of D2L 9.5: H_t = phi(X_t W_xh + H_{t-1} W_hh + b_h). */
export class RNNScratch {
  readonly numInputs: number;
  readonly numHiddens: number;
  readonly sigma: number;
  readonly activation: Activation;
  readonly dtype: DType;
  readonly W_xh: Tensor; // (I, H)
  readonly W_hh: Tensor; // (H, H)
  readonly b_h: Tensor; // (H)

  constructor({ numInputs, numHiddens, sigma = 0.01, activation = 'tanh', rng = new Rng(0), dtype = 'float32' }: RNNScratchOptions) {
    this.numInputs = numInputs;
    this.numHiddens = numHiddens;
    this.sigma = sigma;
    this.activation = activation;
    this.dtype = dtype;
    this.W_xh = rng.randn([numInputs, numHiddens], sigma, dtype);
    this.W_hh = rng.randn([numHiddens, numHiddens], sigma, dtype);
    this.b_h = zeros([numHiddens], dtype);
  }

  /** inputs (T,B,I), state (B,H) or none (zeros) -> [T outputs of (B,H), last state (B,H)]. */
  forward(inputs: Tensor, state?: Tensor): [Tensor[], Tensor] {
    let h = state ?? zeros([inputs.shape[1]!, this.numHiddens], this.dtype);
    const outputs: Tensor[] = [];
    for (const X of F.unstack(inputs)) {
      const z = X.matmul(this.W_xh).add(h.matmul(this.W_hh)).add(this.b_h);
      h = this.activation === 'tanh' ? z.tanh() : z.relu();
      outputs.push(h);
    }
    return [outputs, h];
  }

  namedParameters(): [string, Tensor][] {
    return [['W_xh', this.W_xh], ['W_hh', this.W_hh], ['b_h', this.b_h]];
  }
}

export interface RNNLMScratchOptions {
  vocabSize: number; // V
  lr?: number; // SGD learning rate (book: 1 for this run; class default 0.01)
  embedding?: number; // 0 (default): one-hot inputs, as the book; N > 0: a learnable (V, N) embedding, rnn.numInputs = N
  fused?: boolean; // compute loss and gradients with the fused ops (default); false runs the book's op-by-op code
  rng?: Rng; // where W_hq (and the embedding) come from; pass the rnn's rng to continue its stream
}

/** A batch's mean loss and the final hidden state (B,H), detached from the graph, for the next batch to start from. */
export interface BatchResult {
  loss: Tensor;
  state: Tensor;
}

/** The character language model of D2L 9.5: one-hot (or embedded) inputs, an RNN, and a linear output layer. */
export class RNNLMScratch {
  readonly rnn: RNNScratch;
  readonly vocabSize: number;
  readonly lr: number;
  readonly fused: boolean;
  readonly E: Tensor | null; // (V, N) learnable embedding, or null for one-hot inputs
  readonly W_hq: Tensor; // (H, V)
  readonly b_q: Tensor; // (V)
  /** Every parameter in one flat buffer: [embedding,] W_xh, W_hh, b_h, W_hq, b_q. */
  readonly params: ParameterSet;

  constructor(rnn: RNNScratch, { vocabSize, lr = 0.01, embedding = 0, fused = true, rng = new Rng(1) }: RNNLMScratchOptions) {
    const inputs = embedding > 0 ? embedding : vocabSize;
    if (rnn.numInputs !== inputs) {
      throw new Error(embedding > 0 ? `an embedding of size ${embedding} needs numInputs (${rnn.numInputs}) == ${embedding}`
        : `one-hot inputs need numInputs (${rnn.numInputs}) == vocabSize (${vocabSize})`);
    }
    this.rnn = rnn;
    this.vocabSize = vocabSize;
    this.lr = lr;
    this.fused = fused;
    this.W_hq = rng.randn([rnn.numHiddens, vocabSize], rnn.sigma, rnn.dtype);
    this.b_q = zeros([vocabSize], rnn.dtype);
    // an embedding starts as N(0, 1), as torch.nn.Embedding
    this.E = embedding > 0 ? rng.randn([vocabSize, embedding], 1, rnn.dtype) : null;
    this.params = new ParameterSet([...(this.E ? [['embedding', this.E] as [string, Tensor]] : []),
      ...rnn.namedParameters(), ['W_hq', this.W_hq], ['b_q', this.b_q]]);
  }

  /** X (B,T) -> one-hot (T,B,V). */
  oneHot(X: IntTensor): Tensor {
    return F.oneHot(X.T, this.vocabSize, this.rnn.dtype);
  }

  /** X (B,T) -> the RNN's inputs (T,B,I): one-hot vectors, or embedding rows (an exercise of 9.5). */
  embed(X: IntTensor): Tensor {
    return this.E ? F.gather(this.E, X.T) : this.oneHot(X);
  }

  /** T outputs of (B,H) -> logits (B,T,V). */
  outputLayer(rnnOutputs: Tensor[]): Tensor {
    const outputs = rnnOutputs.map((H) => H.matmul(this.W_hq).add(this.b_q));
    return F.stack(outputs, 1);
  }

  /** X (B,T) -> logits (B,T,V), the book's op-by-op forward. */
  forward(X: IntTensor, state?: Tensor): Tensor {
    const [rnnOutputs] = this.rnn.forward(this.embed(X), state);
    return this.outputLayer(rnnOutputs);
  }

  /** Mean cross-entropy of logits (B,T,V) against targets (B,T). */
  loss(Yhat: Tensor, Y: IntTensor): Tensor {
    return F.crossEntropy(Yhat.reshape(-1, this.vocabSize), Y);
  }

  /** The mean cross-entropy of a batch, starting from state (B,H) or zeros, by the fused ops or the book's forward. */
  batchLoss([X, Y]: Batch, state?: Tensor): BatchResult {
    if (!this.fused) {
      const [rnnOutputs, h] = this.rnn.forward(this.embed(X), state);
      return { loss: this.loss(this.outputLayer(rnnOutputs), Y), state: detach(h) };
    }
    const hs = this.fusedHiddens(X, state); // (T,B,H)
    const loss = F.linearCrossEntropy(hs, this.W_hq, this.b_q, Y.T);
    return { loss, state: lastStep(hs) };
  }

  trainingStep(batch: Batch, state?: Tensor): Tensor {
    return this.batchLoss(batch, state).loss;
  }

  validationStep(batch: Batch, state?: Tensor): Tensor {
    return noGrad(() => this.batchLoss(batch, state).loss);
  }

  /** The input table of the fused layer (V,H): W_xh for one-hot inputs, E W_xh for an embedding. */
  inputTable(): Tensor {
    return this.E ? this.E.matmul(this.rnn.W_xh) : this.rnn.W_xh;
  }

  /** Hidden states (T,B,H) of the fused RNN layer, from state (B,H) or zeros. */
  fusedHiddens(X: IntTensor, state?: Tensor): Tensor {
    const h0 = state ?? zeros([X.shape[0]!, this.rnn.numHiddens], this.rnn.dtype);
    const xw = F.gather(this.inputTable(), X.T); // (T,B,H): the one-hot input product as a row gather
    return F.recurrence(xw, this.rnn.W_hh, this.rnn.b_h, [h0], this.rnn.activation === 'tanh' ? 'rnn-tanh' : 'rnn-relu')[0];
  }

  /** One step for generation: token indices (B,1) and state -> [logits (B,V), new state (B,H)]. */
  step(X: IntTensor, state?: Tensor): [Tensor, Tensor] {
    let h: Tensor;
    if (this.fused) {
      h = F.unstack(this.fusedHiddens(X, state))[0]!;
    } else {
      [, h] = this.rnn.forward(this.embed(X), state);
    }
    return [h.matmul(this.W_hq).add(this.b_q), h];
  }

  /**
   * Warms up on the prefix (carrying the state), then generates numPreds tokens; by default greedily (argmax),
   * as the book; pick chooses the next index from a row of logits otherwise (see generate/sampling.ts).
   */
  predict(prefix: string, numPreds: number, vocab: Vocab, pick: (logits: ArrayLike<number>) => number = argmax): string {
    const chars = [...prefix];
    if (chars.length === 0) throw new Error('predict: the prefix is empty');
    return noGrad(() => {
      let state: Tensor | undefined;
      const outputs = [vocab.index(chars[0]!)];
      for (let i = 0; i < chars.length + numPreds - 1; i++) {
        const X = new IntTensor(Int32Array.of(outputs[outputs.length - 1]!), [1, 1]);
        const [logits, h] = this.step(X, state);
        state = h;
        if (i < chars.length - 1) outputs.push(vocab.index(chars[i + 1]!)); // warm-up period
        else outputs.push(pick(logits.data));
      }
      return vocab.toTokens(outputs).join('');
    });
  }
}

/** A copy of t's values that is not part of any graph (truncated backprop through time starts from it). */
export function detach(t: Tensor): Tensor {
  return new Tensor(t.data.slice(), t.shape);
}

/** The last time step (B,H) of states (T,B,H), detached. */
function lastStep(hs: Tensor): Tensor {
  const [T, B, H] = hs.shape as [number, number, number];
  return new Tensor(hs.data.slice((T - 1) * B * H, T * B * H), [B, H]);
}
