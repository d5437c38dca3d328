// Every recurrent layer (D2L 9.6, 10.1-10.4) inside the language model: the book's shape checks, the whole loss's
// gradient against float64 finite differences on both paths, the fused path equal to the book path (loss and every
// gradient) on every backend, the state carried into a batch, and one LSTM and one GRU step against numbers
// worked out by hand.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { gradCheck, maxAbsDiff } from '../helpers.js';
import { type Backend } from '../../src/backend/backend.js';
import { getBackend, setBackend } from '../../src/backend/current.js';
import { loadNativeBackend } from '../../src/node/native.js';
import { referenceBackend } from '../../src/backend/reference.js';
import { loadWasmBackend } from '../../src/backend/wasm.js';
import { BiRNNScratch } from '../../src/models/bidirectional.js';
import { GRU, LSTM, RNN } from '../../src/models/concise.js';
import { GRUScratch } from '../../src/models/gru.js';
import { RNNLM, RNNLMScratch } from '../../src/models/language-model.js';
import type { RecurrentLayer, State } from '../../src/models/layer.js';
import { LSTMScratch } from '../../src/models/lstm.js';
import { RNNScratch } from '../../src/models/rnn.js';
import { StackedRNNScratch } from '../../src/models/stacked.js';
import { checkLen, checkShape } from '../../src/tensor/check.js';
import { Rng } from '../../src/tensor/random.js';
import { IntTensor, randn, Tensor, tensor, type DType } from '../../src/tensor/tensor.js';

type Build = (I: number, H: number, rng: Rng, dtype: DType) => RecurrentLayer;

/** Every kind of layer, by name; sigma 0.5 (scratch) so that states are far from zero and every term matters. */
const LAYERS: Record<string, Build> = {
  'RNNScratch': (I, H, rng, dtype) => new RNNScratch({ numInputs: I, numHiddens: H, sigma: 0.5, rng, dtype }),
  'LSTMScratch': (I, H, rng, dtype) => new LSTMScratch({ numInputs: I, numHiddens: H, sigma: 0.5, rng, dtype }),
  'GRUScratch': (I, H, rng, dtype) => new GRUScratch({ numInputs: I, numHiddens: H, sigma: 0.5, rng, dtype }),
  'StackedRNNScratch, 3 rnn layers': (I, H, rng, dtype) => new StackedRNNScratch({ numInputs: I, numHiddens: H, numLayers: 3, sigma: 0.5, rng, dtype }),
  'StackedRNNScratch, 3 lstm layers': (I, H, rng, dtype) => new StackedRNNScratch({ numInputs: I, numHiddens: H, numLayers: 3, cell: 'lstm', sigma: 0.5, rng, dtype }),
  'StackedRNNScratch, 2 gru layers': (I, H, rng, dtype) => new StackedRNNScratch({ numInputs: I, numHiddens: H, numLayers: 2, cell: 'gru', sigma: 0.5, rng, dtype }),
  'BiRNNScratch, gru': (I, H, rng, dtype) => new BiRNNScratch({ numInputs: I, numHiddens: H, cell: 'gru', sigma: 0.5, rng, dtype }),
  'RNN (concise)': (I, H, rng, dtype) => new RNN({ numInputs: I, numHiddens: H, rng, dtype }),
  'GRU (concise), 3 layers': (I, H, rng, dtype) => new GRU({ numInputs: I, numHiddens: H, numLayers: 3, rng, dtype }),
  'LSTM (concise), 3 layers': (I, H, rng, dtype) => new LSTM({ numInputs: I, numHiddens: H, numLayers: 3, rng, dtype }),
  'LSTM (concise), bidirectional, 2 layers': (I, H, rng, dtype) => new LSTM({ numInputs: I, numHiddens: H, numLayers: 2, bidirectional: true, rng, dtype }),
};

function languageModel(name: string, V: number, H: number, fused: boolean, dtype: DType, embedding = 0): RNNLMScratch {
  const rng = new Rng(3);
  const rnn = LAYERS[name]!(embedding || V, H, rng, dtype);
  const options = { vocabSize: V, fused, rng, embedding };
  return rnn instanceof RNN ? new RNNLM(rnn, options) : new RNNLMScratch(rnn, options);
}

function tinyBatch(V: number, B: number, T: number): [IntTensor, IntTensor] {
  const rng = new Rng(11);
  const ids = (): Int32Array => Int32Array.from({ length: B * T }, () => rng.int(V));
  return [new IntTensor(ids(), [B, T]), new IntTensor(ids(), [B, T])];
}

/** A random state of the layer's structure for batch B (each tensor (B,H)), by running it on random inputs. */
function someState(rnn: RecurrentLayer, B: number, seed: number): State {
  const inputs = randn(new Rng(seed), [2, B, rnn.numInputs], 1, rnn.dtype);
  return detached(rnn.forward(inputs)[1]);
}
function detached(s: State): State {
  return s instanceof Tensor ? new Tensor(s.data.slice(), s.shape) : s.map(detached);
}

describe('the book\'s shape checks (D2L 10.1-10.4)', () => {
  const [batchSize, numInputs, numHiddens, numSteps] = [2, 16, 32, 100];
  const X = new Tensor(new Float32Array(numSteps * batchSize * numInputs).fill(1), [numSteps, batchSize, numInputs]);
  it('LSTMScratch: 100 outputs of (2, 32) and a state (H, C) of two (2, 32)', () => {
    const [outputs, [H, C]] = new LSTMScratch({ numInputs, numHiddens }).forward(X);
    checkLen(outputs, numSteps);
    checkShape(outputs[0]!, [batchSize, numHiddens]);
    checkShape(H, [batchSize, numHiddens]);
    checkShape(C, [batchSize, numHiddens]);
  });
  it('GRUScratch: 100 outputs of (2, 32) and a state of (2, 32)', () => {
    const [outputs, H] = new GRUScratch({ numInputs, numHiddens }).forward(X);
    checkLen(outputs, numSteps);
    checkShape(outputs[0]!, [batchSize, numHiddens]);
    checkShape(H, [batchSize, numHiddens]);
  });
  it('StackedRNNScratch: outputs of the last layer, one state per layer', () => {
    const [outputs, Hs] = new StackedRNNScratch({ numInputs, numHiddens, numLayers: 2 }).forward(X);
    checkLen(outputs, numSteps);
    checkShape(outputs[0]!, [batchSize, numHiddens]);
    checkLen(Hs, 2);
    checkShape(Hs[1] as Tensor, [batchSize, numHiddens]);
  });
  it('BiRNNScratch: outputs of (2, 64), both directions joined, as the book checks', () => {
    const birnn = new BiRNNScratch({ numInputs, numHiddens });
    const [outputs, [fH, bH]] = birnn.forward(X);
    checkLen(outputs, numSteps);
    checkShape(outputs[0]!, [batchSize, numHiddens * 2]);
    checkShape(fH as Tensor, [batchSize, numHiddens]);
    checkShape(bH as Tensor, [batchSize, numHiddens]);
    assert.equal(birnn.numHiddens, 2 * numHiddens);
  });
  it('concise layers: PyTorch\'s parameter names and shapes', () => {
    const lstm = new LSTM({ numInputs, numHiddens, numLayers: 2, bidirectional: true });
    const shapes = Object.fromEntries(lstm.namedParameters().map(([n, t]) => [n, t.shape.join('x')]));
    assert.deepEqual(shapes, {
      weight_ih_l0: '128x16', weight_hh_l0: '128x32', bias_ih_l0: '128', bias_hh_l0: '128',
      weight_ih_l0_reverse: '128x16', weight_hh_l0_reverse: '128x32', bias_ih_l0_reverse: '128', bias_hh_l0_reverse: '128',
      weight_ih_l1: '128x64', weight_hh_l1: '128x32', bias_ih_l1: '128', bias_hh_l1: '128',
      weight_ih_l1_reverse: '128x64', weight_hh_l1_reverse: '128x32', bias_ih_l1_reverse: '128', bias_hh_l1_reverse: '128',
    });
    const bound = 1 / Math.sqrt(numHiddens); // PyTorch's U(-1/sqrt(H), 1/sqrt(H))
    for (const [, t] of lstm.namedParameters()) for (const v of t.data) assert.ok(Math.abs(v) <= bound);
    const [outputs] = lstm.forward(X);
    checkShape(outputs[0]!, [batchSize, 2 * numHiddens]);
  });
  it('stacked names are per layer (l0.W_xz) and the concise model\'s are rnn.* and linear.*', () => {
    const stacked = languageModel('StackedRNNScratch, 2 gru layers', 5, 3, true, 'float32');
    assert.deepEqual(stacked.params.entries.map(([n]) => n).slice(0, 3), ['l0.W_xz', 'l0.W_hz', 'l0.b_z']);
    const concise = languageModel('RNN (concise)', 5, 3, true, 'float32');
    assert.deepEqual(concise.params.entries.map(([n]) => n), ['rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0', 'linear.weight', 'linear.bias']);
  });
});

describe('language-model loss gradients, every layer (float64 finite differences)', () => {
  for (const name of Object.keys(LAYERS)) {
    for (const fused of [false, true]) {
      it(`${fused ? 'fused' : 'book'} path: ${name}`, () => {
        const model = languageModel(name, 5, 3, fused, 'float64');
        const batch = tinyBatch(5, 2, 3);
        gradCheck(model.params.entries.map(([, t]) => t), () => {
          model.params.zeroGrad();
          return model.trainingStep(batch);
        });
      });
    }
  }
  for (const name of ['LSTMScratch', 'StackedRNNScratch, 2 gru layers', 'LSTM (concise), 3 layers']) {
    it(`fused path with an embedding and a start state: ${name}`, () => {
      const model = languageModel(name, 5, 3, true, 'float64', 4);
      const batch = tinyBatch(5, 2, 3);
      const state = someState(model.rnn, 2, 8);
      gradCheck(model.params.entries.map(([, t]) => t), () => {
        model.params.zeroGrad();
        return model.trainingStep(batch, state);
      });
    });
  }
});

const wasm = await loadWasmBackend();
if (typeof wasm === 'string') throw new Error(`the wasm backend must load in tests: ${wasm}`);
const native = await loadNativeBackend();
const BACKENDS: Backend[] = [referenceBackend, wasm, ...(typeof native === 'string' ? [] : [native])];

describe('the fused path equals the book path, every layer on every backend', () => {
  const before = getBackend();
  after(() => setBackend(before));
  for (const backend of BACKENDS) {
    for (const name of Object.keys(LAYERS)) {
      it(`${backend.name}: ${name}, hidden 13, vocabulary 7, batch 5, steps 9, from a given state`, () => {
        setBackend(backend);
        const batch = tinyBatch(7, 5, 9);
        const results = [false, true].map((fused) => {
          const model = languageModel(name, 7, 13, fused, 'float32');
          const state = someState(model.rnn, 5, 4);
          const r = model.batchLoss(batch, state);
          r.loss.backward();
          return { loss: r.loss.item(), grads: Float32Array.from(model.params.grads), state: r.state };
        });
        const [book, fused] = results as [(typeof results)[0], (typeof results)[0]];
        assert.ok(Math.abs(book.loss - fused.loss) < 1e-5, `loss ${book.loss} vs ${fused.loss}`);
        assert.ok(maxAbsDiff(book.grads, fused.grads) < 2e-5, `gradient differs by ${maxAbsDiff(book.grads, fused.grads)}`);
        const flat = (s: State): number[] => (s instanceof Tensor ? [...s.data] : s.flatMap(flat));
        assert.ok(maxAbsDiff(flat(book.state), flat(fused.state)) < 1e-5, 'final states differ');
      });
    }
  }
});

describe('one step by hand', () => {
  // One input x = 1 (I = 1), one hidden unit (H = 1), zero state, float64.
  it('LSTMScratch: every weight 0.5, biases 0 -> C = 0.5 * sigmoid(0.5) * tanh(0.5), H = sigmoid(0.5) tanh(C)', () => {
    const lstm = new LSTMScratch({ numInputs: 1, numHiddens: 1, dtype: 'float64' });
    for (const [, t] of lstm.namedParameters()) if (t.shape.length === 2) t.data.fill(0.5);
    // every gate's pre-activation is x W_x + h W_h + b = 0.5; I = F = O = sigmoid(0.5) = 0.622459; C~ = tanh(0.5) = 0.462117
    // C = F * 0 + I * C~ = 0.622459 * 0.462117 = 0.287649; H = O tanh(C) = 0.622459 * 0.279970 = 0.174270
    const [, [H, C]] = lstm.forward(tensor([1], [1, 1, 1], 'float64'));
    assert.ok(Math.abs(C.item() - 0.287649) < 1e-6, `C = ${C.item()}`);
    assert.ok(Math.abs(H.item() - 0.174270) < 1e-6, `H = ${H.item()}`);
  });
  it('GRUScratch: W_xz = 1, W_xr = 1, W_xh = 2, others 0, from H = 0.5 -> H = Z H + (1 - Z) tanh(2 + R H W_hh)', () => {
    const gru = new GRUScratch({ numInputs: 1, numHiddens: 1, dtype: 'float64' });
    for (const [, t] of gru.namedParameters()) t.data.fill(0);
    gru.W_xz.data.fill(1);
    gru.W_xr.data.fill(1);
    gru.W_xh.data.fill(2);
    gru.W_hh.data.fill(1);
    // Z = R = sigmoid(1) = 0.731059; H~ = tanh(2 + R * 0.5 * 1) = tanh(2.365529) = 0.982520
    // H = Z * 0.5 + (1 - Z) * H~ = 0.365529 + 0.268941 * 0.982520 = 0.629770
    const [, H] = gru.forward(tensor([1], [1, 1, 1], 'float64'), tensor([0.5], [1, 1], 'float64'));
    assert.ok(Math.abs(H.item() - 0.629770) < 1e-6, `H = ${H.item()}`);
    // the fused kernel (the book's gru cell) gives the same number
    const [hs] = gru.fusedForward(tensor([1], [1, 1, 1], 'float64'), tensor([0.5], [1, 1], 'float64'));
    assert.ok(Math.abs(hs.item() - H.item()) < 1e-12);
  });
  it('concise GRU (PyTorch\'s form) differs from the book\'s only in where the reset gate acts', () => {
    const gru = new GRU({ numInputs: 1, numHiddens: 1, dtype: 'float64' });
    for (const [, t] of gru.namedParameters()) t.data.fill(0);
    const [wih, whh, , bhh] = gru.namedParameters().map(([, t]) => t) as [Tensor, Tensor, Tensor, Tensor];
    wih.data.set([1, 1, 2]); // r, z, n rows of weight_ih
    whh.data.set([0, 0, 1]);
    bhh.data.set([0, 0, 0.25]); // b_hn: inside the reset gate's product in PyTorch's form
    // r = z = sigmoid(1); n = tanh(2 + r * (0.5 * 1 + 0.25)) = tanh(2.548294) = 0.987839
    // H = (1 - z) n + z h = 0.268941 * 0.987839 + 0.731059 * 0.5 = 0.631200
    const [outputs] = gru.forward(tensor([1], [1, 1, 1], 'float64'), [tensor([0.5], [1, 1], 'float64')]);
    assert.ok(Math.abs(outputs[0]!.item() - 0.631200) < 1e-6, `H = ${outputs[0]!.item()}`);
  });
});

describe('dropout (concise layers, between layers, training only)', () => {
  it('changes the training loss, not the evaluation loss, and the fused path draws the same masks as the book path', () => {
    const batch = tinyBatch(7, 4, 5);
    const losses = [false, true].map((fused) => {
      const rng = new Rng(3);
      const rnn = new GRU({ numInputs: 7, numHiddens: 6, numLayers: 2, dropout: 0.5, rng });
      const model = new RNNLM(rnn, { vocabSize: 7, fused, rng });
      return [model.trainingStep(batch).item(), model.validationStep(batch).item(), model.validationStep(batch).item()];
    });
    assert.ok(Math.abs(losses[0]![0]! - losses[1]![0]!) < 1e-5, 'book and fused training losses differ');
    assert.equal(losses[0]![1], losses[0]![2]); // evaluation draws no masks
    assert.notEqual(losses[0]![0], losses[0]![1]);
  });
  it('is refused with one layer, and outside [0, 1)', () => {
    assert.throws(() => new GRU({ numInputs: 3, numHiddens: 2, dropout: 0.2 }), /needs numLayers > 1/);
    assert.throws(() => new GRU({ numInputs: 3, numHiddens: 2, numLayers: 2, dropout: 1 }), /below 1/);
  });
});
