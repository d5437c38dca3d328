// The book's shape checks, the language model's gradient against finite differences, and the fused path
// held to the book's op-by-op path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradCheck, maxAbsDiff } from '../helpers.js';
import { Vocab } from '../../src/data/vocab.js';
import { RNNLMScratch, RNNScratch } from '../../src/models/rnn.js';
import { checkLen, checkShape } from '../../src/tensor/check.js';
import { Rng } from '../../src/tensor/random.js';
import { IntTensor, randn, Tensor } from '../../src/tensor/tensor.js';
import type { Activation } from '../../src/backend/backend.js';

describe('the book\'s shape checks (D2L 9.5)', () => {
  const [batchSize, numInputs, numHiddens, numSteps] = [2, 16, 32, 100];
  it('RNNScratch: 100 outputs of (2, 32) and a state of (2, 32)', () => {
    const rnn = new RNNScratch({ numInputs, numHiddens });
    const X = new Tensor(new Float32Array(numSteps * batchSize * numInputs).fill(1), [numSteps, batchSize, numInputs]);
    const [outputs, state] = rnn.forward(X);
    checkLen(outputs, numSteps);
    checkShape(outputs[0]!, [batchSize, numHiddens]);
    checkShape(state, [batchSize, numHiddens]);
  });
  it('RNNLMScratch: logits of (2, 100, 16)', () => {
    const model = new RNNLMScratch(new RNNScratch({ numInputs, numHiddens }), { vocabSize: numInputs });
    const outputs = model.forward(new IntTensor(new Int32Array(batchSize * numSteps).fill(1), [batchSize, numSteps]));
    checkShape(outputs, [batchSize, numSteps, numInputs]);
  });
});

function tinyModel(activation: Activation, fused: boolean, dtype: 'float32' | 'float64', [V, H] = [7, 13], embedding = 0): RNNLMScratch {
  const rng = new Rng(3);
  // sigma 0.5 so that the hidden states are far from zero and every term of the gradient matters
  const rnn = new RNNScratch({ numInputs: embedding || V, numHiddens: H, sigma: 0.5, activation, rng, dtype });
  return new RNNLMScratch(rnn, { vocabSize: V, fused, rng, embedding });
}

function tinyBatch(V: number, B: number, T: number): [IntTensor, IntTensor] {
  const rng = new Rng(11);
  const tokens = Int32Array.from({ length: B * (T + 1) }, () => rng.int(V));
  const X = new Int32Array(B * T);
  const Y = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    X.set(tokens.subarray(b * (T + 1), b * (T + 1) + T), b * T);
    Y.set(tokens.subarray(b * (T + 1) + 1, (b + 1) * (T + 1)), b * T);
  }
  return [new IntTensor(X, [B, T]), new IntTensor(Y, [B, T])];
}

describe('language-model loss gradients (float64 finite differences)', () => {
  for (const [activation, embedding] of [['tanh', 0], ['relu', 0], ['tanh', 3], ['relu', 3]] as const) {
    for (const fused of [false, true]) {
      it(`${fused ? 'fused' : 'book'} path, ${activation}, ${embedding ? `embedding ${embedding}` : 'one-hot'}`, () => {
        const model = tinyModel(activation, fused, 'float64', [5, 4], embedding);
        const batch = tinyBatch(5, 3, 4);
        const params = model.params.entries.map(([, t]) => t);
        gradCheck(params, () => {
          model.params.zeroGrad();
          return model.trainingStep(batch);
        });
      });
    }
  }
  it('carries a start state into the loss (sequential partitioning): book and fused paths agree', () => {
    const batch = tinyBatch(5, 3, 4);
    const losses = [false, true].map((fused) => {
      const model = tinyModel('tanh', fused, 'float64', [5, 4]);
      const state = randn(new Rng(9), [3, 4], 0.5, 'float64');
      return [model.trainingStep(batch).item(), model.trainingStep(batch, state).item()];
    });
    assert.notEqual(losses[0]![0], losses[0]![1]); // the state matters
    assert.ok(Math.abs(losses[0]![1]! - losses[1]![1]!) < 1e-12);
  });
});

describe('the fused path equals the book path', () => {
  for (const [activation, embedding] of [['tanh', 0], ['relu', 0], ['tanh', 6]] as const) {
    it(`loss and every gradient, ${activation}, ${embedding ? `embedding ${embedding}` : 'one-hot'}, hidden 13, vocabulary 7, batch 5, steps 9`, () => {
      const batch = tinyBatch(7, 5, 9);
      const results = [false, true].map((fused) => {
        const model = tinyModel(activation, fused, 'float32', [7, 13], embedding);
        const loss = model.trainingStep(batch);
        loss.backward();
        return { loss: loss.item(), grads: Float32Array.from(model.params.grads) };
      });
      const [book, fused] = results as [(typeof results)[0], (typeof results)[0]];
      // float32 arithmetic in different orders: agreement to ~1e-6 relative is expected
      assert.ok(Math.abs(book.loss - fused.loss) < 1e-5, `loss ${book.loss} vs ${fused.loss}`);
      assert.ok(maxAbsDiff(book.grads, fused.grads) < 1e-5, `gradient differs by ${maxAbsDiff(book.grads, fused.grads)}`);
    });
  }
  it('predict gives the same text on both paths, warm-up included', () => {
    const vocab = new Vocab([...'abcdef']);
    const texts = [false, true].map((fused) => tinyModel('tanh', fused, 'float32', [vocab.length, 13]).predict('abc', 15, vocab));
    assert.equal(texts[0], texts[1]);
    assert.equal(texts[0]!.replaceAll('<unk>', '?').length, 18);
    assert.ok(texts[0]!.startsWith('abc'));
  });
});
