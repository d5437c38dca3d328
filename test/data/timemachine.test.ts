import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../helpers.js';
import { loadTimeMachineText } from '../../src/node/load.js';
import { TimeMachine } from '../../src/data/timemachine.js';
import { Rng } from '../../src/tensor/random.js';

describe('TimeMachine windows', () => {
  it('splits the book\'s 10000/5000 windows into batches of 1024, last partial batch kept', async () => {
    const data = new TimeMachine(await loadTimeMachineText(), { batchSize: 1024, numSteps: 32 });
    const train = [...data.trainDataloader(new Rng(0))];
    const val = [...data.valDataloader()];
    // 10000 = 9 * 1024 + 784; 5000 = 4 * 1024 + 904
    assert.deepEqual(train.map(([X]) => X.shape[0]), [...new Array(9).fill(1024), 784]);
    assert.deepEqual(val.map(([X]) => X.shape[0]), [1024, 1024, 1024, 1024, 904]);
    assert.deepEqual(train[0]![0].shape, [1024, 32]);
  });
  it('targets are inputs shifted by one; validation starts at window numTrain, in order', async () => {
    const data = new TimeMachine(await loadTimeMachineText(), { batchSize: 4, numSteps: 5, numTrain: 10, numVal: 3 });
    const [X, Y] = [...data.valDataloader()][0]!;
    assert.deepEqual([...X.data.subarray(0, 5)], [...data.corpus.subarray(10, 15)]);
    assert.deepEqual([...Y.data.subarray(0, 5)], [...data.corpus.subarray(11, 16)]);
    assert.deepEqual([...X.data.subarray(5, 10)], [...data.corpus.subarray(11, 16)]); // overlapping windows
  });
  it('reshuffles training windows every epoch and covers each once', () => {
    const data = new TimeMachine('abcdefghij'.repeat(5), { batchSize: 3, numSteps: 2, numTrain: 20, numVal: 0 });
    const rng = new Rng(1);
    const firstTokens = (): number[] => [...data.trainDataloader(rng)].flatMap(([X]) => Array.from({ length: X.shape[0]! }, (_, b) => X.data[b * 2]!));
    const e1 = firstTokens();
    const e2 = firstTokens();
    assert.notDeepEqual(e1, e2);
    assert.deepEqual([...e1].sort(), [...data.corpus.subarray(0, 20)].sort());
  });
  it('refuses a text too short for the windows, and a text without letters', () => {
    assert.throws(() => new TimeMachine('hello world', { batchSize: 2, numSteps: 4 }), /too short: 11 characters give 7 windows/);
    assert.throws(() => new TimeMachine('1234 5678 !!', { batchSize: 2, numSteps: 1, numTrain: 1, numVal: 0 }), /no letters/);
  });
  it('says when a vocabulary cap, not the text, left no letter', () => {
    assert.throws(() => new TimeMachine('the time machine '.repeat(20), { batchSize: 2, numSteps: 4, numTrain: 4, numVal: 2, maxTokens: 2 }),
      /^Error: the vocabulary keeps no letter: maxTokens 2 leaves " ", "<unk>"; allow more tokens$/);
  });
  it('refuses a full split whose validation share holds no window when validation was asked for; valFraction 0 trains without', () => {
    const text = 'the time machine by h g wells '.repeat(10); // 300 characters
    assert.throws(() => new TimeMachine(text, { batchSize: 2, numSteps: 8, split: 'full', valFraction: 0.001 }),
      /^Error: the text is too short: its last 0\.1% \(0 characters\) holds no validation window of 9; .*valFraction 0 to train without validation$/);
    // 10% is 30 characters: three windows of 9
    assert.equal(new TimeMachine(text, { batchSize: 2, numSteps: 8, split: 'full', valFraction: 0.1 }).numVal, 3);
    assert.equal(new TimeMachine(text, { batchSize: 2, numSteps: 8, split: 'full', valFraction: 0 }).numVal, 0);
  });
});
