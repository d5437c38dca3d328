// models/layout.ts and models/forward-net.ts against the model classes they describe: the layout names and shapes
// every parameter createModel's model holds, in its order, for every kind of model; a ForwardNet built from a model's
// weights gives exactly (bit for bit) the logits and states of RNNLMScratch.step, token after token, on every
// backend, and generates the same text greedily, sampled and by beam search.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type Backend } from '../../src/backend/backend.js';
import { getBackend, setBackend } from '../../src/backend/current.js';
import { loadNativeBackend } from '../../src/node/native.js';
import { referenceBackend } from '../../src/backend/reference.js';
import { loadWasmBackend } from '../../src/backend/wasm.js';
import { Vocab } from '../../src/data/vocab.js';
import { generate } from '../../src/generate/generate.js';
import { ForwardNet, type NetState } from '../../src/models/forward-net.js';
import type { State } from '../../src/models/layer.js';
import { CELL_KINDS, parameterCount, parameterLayout } from '../../src/models/layout.js';
import { Rng } from '../../src/tensor/random.js';
import { randn, Tensor } from '../../src/tensor/tensor.js';
import { BOOK_CONFIG, createModel, type TrainConfig } from '../../src/train/config/config.js';

/** Every kind of model a configuration describes: each cell, scratch and concise, 1 and 2 layers, one-hot and embedded inputs, relu. */
const CONFIGS: TrainConfig[] = CELL_KINDS.flatMap((cell) => [false, true].flatMap((concise) => [1, 2].flatMap((numLayers) => [0, 5].map((embedding) =>
  ({ ...BOOK_CONFIG, cell, concise, numLayers, embedding, numHiddens: 6, sigma: 0.6 })))))
  .concat([{ ...BOOK_CONFIG, activation: 'relu', numHiddens: 6, sigma: 0.6 }, { ...BOOK_CONFIG, activation: 'relu', concise: true, numLayers: 2, numHiddens: 6 }]);
const label = (c: TrainConfig): string => `${c.concise ? 'concise' : 'scratch'} ${c.cell}${c.activation === 'relu' ? ' relu' : ''} x${c.numLayers}${c.embedding ? `, embedding ${c.embedding}` : ''}`;
const V = 9;

describe('parameterLayout', () => {
  for (const c of CONFIGS) {
    it(`${label(c)}: the names, shapes and order of createModel's parameters; parameterCount their floats`, () => {
      const model = createModel(c, V, new Rng(1));
      assert.deepEqual(parameterLayout(c, V), model.params.entries.map(([name, t]) => [name, [...t.shape]]));
      assert.equal(parameterCount(c, V), model.params.values.length);
    });
  }
});

const wasm = await loadWasmBackend();
if (typeof wasm === 'string') throw new Error(`the wasm backend must load in tests: ${wasm}`);
const native = await loadNativeBackend();
const BACKENDS: Backend[] = [referenceBackend, wasm, ...(typeof native === 'string' ? [] : [native])];

/**
 * A model of this configuration with every parameter drawn from N(0, 0.5): the book's scratch models start with zero
 * biases, which would let a net that ignored (or misordered) them pass.
 */
function randomModel(c: TrainConfig, vocabSize: number, seed: number): ReturnType<typeof createModel> {
  const model = createModel(c, vocabSize, new Rng(seed));
  model.params.values.set(randn(new Rng(seed + 100), [model.params.values.length], 0.5).data);
  return model;
}

/** Its weights by name, as readCheckpoint gives them. */
const weightsOf = (model: ReturnType<typeof createModel>): Map<string, Float32Array> =>
  new Map(model.params.entries.map(([name, t]) => [name, t.data as Float32Array]));

/** A model's state as ForwardNet holds it: per layer [h] or [h, c] (the model's State, flattened the same way). */
function flatState(s: State): number[] {
  return s instanceof Tensor ? [...s.data] : s.flatMap(flatState);
}

describe('ForwardNet computes RNNLMScratch.step exactly', () => {
  const before = getBackend();
  after(() => setBackend(before));
  for (const backend of BACKENDS) {
    for (const c of CONFIGS) {
      it(`${backend.name}: ${label(c)}, 12 tokens, state carried`, () => {
        setBackend(backend);
        const model = randomModel(c, V, 3);
        const net = new ForwardNet(c, V, weightsOf(model), backend);
        let ms: State | undefined;
        let ns: NetState | undefined;
        for (const token of [0, 3, 8, 8, 1, 5, 2, 7, 4, 6, 0, 3]) {
          const m = model.stepToken(token, ms);
          const n = net.stepToken(token, ns);
          assert.deepEqual([...n.logits], [...m.logits], `logits after token ${token}`);
          assert.deepEqual(n.state.flatMap((layer) => layer.flatMap((a) => [...a])), flatState(m.state), `state after token ${token}`);
          [ms, ns] = [m.state, n.state];
        }
        assert.ok(new Set(net.stepToken(1, ns).logits).size > 1, 'logits are not constant');
      });
    }
  }

  it('generates the model\'s text greedily, sampled and by beam search; refuses a token outside the vocabulary', () => {
    setBackend(referenceBackend);
    const vocab = new Vocab([...'the time machine by h g wells']);
    for (const c of CONFIGS.filter((c) => c.numLayers === 2)) {
      const model = randomModel(c, vocab.length, 5);
      const net = new ForwardNet(c, vocab.length, weightsOf(model), referenceBackend);
      for (const options of [{ numPreds: 30 }, { numPreds: 30, sample: true, seed: 2 }, { numPreds: 12, beam: 3 }]) {
        assert.equal(generate(net, vocab, 'time', options), generate(model, vocab, 'time', options), `${label(c)} ${JSON.stringify(options)}`);
      }
      assert.throws(() => net.stepToken(vocab.length, undefined), /token \d+ is not an index/);
    }
  });

  it('refuses a missing or wrong-sized tensor and a state that is not its own; keeps its own copy of the weights', () => {
    const lstm = CONFIGS.find((c) => c.cell === 'lstm' && !c.concise && c.numLayers === 2)!;
    const model = randomModel(lstm, V, 3);
    const weights = weightsOf(model);
    const missing = new Map(weights);
    missing.delete('W_hq');
    assert.throws(() => new ForwardNet(lstm, V, missing, referenceBackend), /^Error: the model has no tensor W_hq$/);
    const short = new Map(weights).set('l1.b_c', new Float32Array(3));
    assert.throws(() => new ForwardNet(lstm, V, short, referenceBackend), /^Error: tensor l1\.b_c holds 3 values, expected 6 \(\[6\]\)$/);
    const net = new ForwardNet(lstm, V, weights, referenceBackend);
    const { state, logits } = net.stepToken(2, undefined);
    const H = new Float32Array(6);
    for (const bad of [[state[0]!], [state[0]!, [H]], [state[0]!, [H, new Float32Array(5)]], [state[0]!, [H, Array.from(H)]]]) {
      assert.throws(() => net.stepToken(1, bad as never), /^Error: a state of this model is 2 layer\(s\) of \[h, c\], each a Float32Array of 6 values$/);
    }
    for (const t of weights.values()) t.fill(0); // the model trains on: the net it made earlier is unchanged
    assert.deepEqual(net.stepToken(2, undefined).logits, logits);
  });
});
