// The README's library example, run through the package entry point (with a smaller budget).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import './helpers.js';
import { RNNLMScratch, RNNScratch, Rng, TimeMachine, Trainer, loadTimeMachineText, selectBackend } from '../src/index.js';

it('the README library example trains and predicts', async () => {
  const backend = await selectBackend();
  const data = new TimeMachine(await loadTimeMachineText(), { batchSize: 1024, numSteps: 32, numTrain: 2048, numVal: 512 });
  const rng = new Rng(0);
  const rnn = new RNNScratch({ numInputs: data.vocab.length, numHiddens: 32, rng });
  const model = new RNNLMScratch(rnn, { vocabSize: data.vocab.length, lr: 1, rng });
  const trainer = new Trainer({ maxEpochs: 2, gradientClipVal: 1, rng });
  const history = await trainer.fit(model, data);
  assert.equal(history.length, 2);
  assert.ok(['native', 'wasm'].includes(backend.name), `fast backend expected, got ${backend.name}`);
  assert.match(model.predict('it has', 20, data.vocab), /^it has.{20}$/);
});
