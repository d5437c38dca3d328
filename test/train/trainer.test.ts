import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../helpers.js';
import { loadTimeMachineText } from '../../src/node/load.js';
import { TimeMachine } from '../../src/data/timemachine.js';
import { Rng } from '../../src/tensor/random.js';
import { BOOK_CONFIG, createModel, type TrainConfig } from '../../src/train/config/config.js';
import { localGradients, Trainer, TrainingDiverged, type EpochStats } from '../../src/train/run/trainer.js';
import type { State } from '../../src/models/layer.js';

async function run(overrides: Partial<TrainConfig>): Promise<{ history: EpochStats[]; weights: Float32Array; prediction: string }> {
  const c = { ...BOOK_CONFIG, ...overrides };
  const data = new TimeMachine(await loadTimeMachineText(), c);
  const rng = new Rng(c.seed);
  const model = createModel(c, data.vocab.length, rng);
  const history = await new Trainer({ maxEpochs: c.epochs, gradientClipVal: c.clip, rng }).fit(model, data);
  return { history, weights: Float32Array.from(model.params.values), prediction: model.predict('it has', 20, data.vocab) };
}

describe('Trainer', () => {
  it('a short run brings validation perplexity from about 28 (uniform over 28 tokens) below 14', async () => {
    // 5 epochs of 2000 windows, batch 64, 16 steps: measured 11.6 at seed 0; 14 leaves room for other seeds
    const { history } = await run({ batchSize: 64, numSteps: 16, numTrain: 2000, numVal: 500, epochs: 5 });
    const last = history[history.length - 1]!;
    assert.ok(history[0]!.valPpl < 28, `first epoch ${history[0]!.valPpl}`);
    assert.ok(last.valPpl < 14, `validation perplexity ${last.valPpl} after 5 epochs`);
    assert.ok(last.trainPpl < history[0]!.trainPpl);
    for (const s of history) assert.ok(s.seconds > 0 && s.tokensPerSecond > 0);
  });
  // Every step's gradient is set by hand: 3 and 4 in the first parameter, 12 in the last one, 0 elsewhere, so the
  // global norm before clipping is sqrt(9 + 16 + 144) = 13 at every step. theta 6.5 halves it to [1.5, 2, 6], and
  // with lr 0.1 each step moves those three weights by -[0.15, 0.2, 0.6] and no other. Catches: a norm taken after
  // clipping (6.5 reported), clipping that never runs (-[0.3, 0.4, 1.2]), clipping each parameter on its own (the
  // first one's [3, 4] has norm 5 < 6.5 and would not shrink), and a share of clipped steps that ignores theta.
  // theta 13 (the norm itself) and 20 leave the gradient alone, and 0 turns clipping off: -[0.3, 0.4, 1.2] per step.
  for (const [theta, scale, share] of [[6.5, 0.5, 1], [20, 1, 0], [13, 1, 0], [0, 1, 0]] as const)
  it(`reports the gradient norm before clipping and steps by lr times the clipped gradient (theta ${theta})`, async () => {
    const c = { ...BOOK_CONFIG, batchSize: 8, numSteps: 5, numHiddens: 4, numTrain: 40, numVal: 8, lr: 0.1 };
    const data = new TimeMachine((await loadTimeMachineText()).slice(0, 2000), c);
    const rng = new Rng(0);
    const model = createModel(c, data.vocab.length, rng);
    const [first, last] = [model.params.entries[0]![1], model.params.entries[model.params.entries.length - 1]![1]];
    const lastIndex = model.params.values.length - 1;
    const before: Float64Array[] = [];
    const after: Float64Array[] = [];
    const history = await new Trainer({ maxEpochs: 2, gradientClipVal: theta, rng,
      computeGradients: (m) => {
        before.push(Float64Array.from(m.params.values));
        m.params.zeroGrad();
        first.grad!.set([3, 4]);
        last.grad![last.size - 1] = 12;
        return { loss: 1 };
      },
      onBatch: () => after.push(Float64Array.from(model.params.values)),
    }).fit(model, data);
    assert.equal(history.length, 2);
    for (const s of history) assert.deepEqual([s.gradNormMedian, s.gradNormMax, s.clippedFraction], [13, 13, share]);
    assert.equal(after.length, 10); // 40 windows in batches of 8, twice
    assert.equal(before.length, 10);
    const expected = new Map([[0, -0.1 * 3 * scale], [1, -0.1 * 4 * scale], [lastIndex, -0.1 * 12 * scale]]);
    after.forEach((w, k) => {
      for (let i = 0; i < w.length; i++) {
        const moved = w[i]! - before[k]![i]!;
        const want = expected.get(i) ?? 0;
        // float32 weights below 16 in size round by under 1e-6; the wrong updates differ by 0.15 or more
        assert.ok(Math.abs(moved - want) <= 1e-5, `step ${k}, weight ${i}: moved by ${moved}, expected ${want}`);
      }
    });
  });
  it('stops on a blow-up from a huge learning rate, naming the epoch and the step', async () => {
    await assert.rejects(run({ batchSize: 64, numSteps: 16, numTrain: 1000, numVal: 100, epochs: 3, lr: 1000, clip: 0 }),
      (e: unknown) => e instanceof TrainingDiverged && /^training diverged at epoch \d+, step \d+: the (loss|gradient)/.test(e.message));
  });
  for (const model of [{ cell: 'rnn' }, { cell: 'lstm', numLayers: 2 }, { cell: 'gru', concise: true }] as const)
  it(`sequential partitioning carries the state from batch to batch (${JSON.stringify(model)})`, async () => {
    const c = { ...BOOK_CONFIG, ...model, batchSize: 8, numSteps: 5, numHiddens: 8, split: 'full' as const, partition: 'sequential' as const, epochs: 1 };
    const data = new TimeMachine((await loadTimeMachineText()).slice(0, 6000), c);
    const rng = new Rng(0);
    const lm = createModel(c, data.vocab.length, rng);
    const received: (State | undefined)[] = [];
    const returned: State[] = [];
    await new Trainer({ maxEpochs: 1, rng, computeGradients: (m, batch, state) => {
      received.push(state);
      const r = localGradients(m, batch, state);
      returned.push(r.state!);
      return r;
    } }).fit(lm, data);
    assert.ok(received.length >= 3, `${received.length} batches`);
    assert.equal(received[0], undefined); // each epoch starts from zeros
    for (let i = 1; i < received.length; i++) assert.equal(received[i], returned[i - 1], `batch ${i} did not start from batch ${i - 1}'s state`);
    // and the streams continue: row b of batch i+1 starts where row b of batch i ended
    const batches = [...data.valDataloader()];
    for (let i = 0; i + 1 < batches.length; i++) {
      for (let b = 0; b < 8; b++) assert.equal(batches[i + 1]![0].data[b * 5], batches[i]![1].data[b * 5 + 4]);
    }
  });
  it('the same seed gives identical numbers; another seed does not', async () => {
    const small = { batchSize: 32, numSteps: 8, numTrain: 300, numVal: 100, epochs: 2 };
    const [a, b, c] = await Promise.all([run({ ...small, seed: 5 }), run({ ...small, seed: 5 }), run({ ...small, seed: 6 })]);
    const numbers = (r: typeof a): number[] => r.history.flatMap((s) => [s.trainPpl, s.valPpl]);
    assert.deepEqual(numbers(a), numbers(b));
    assert.deepEqual(a.weights, b.weights);
    assert.equal(a.prediction, b.prediction);
    assert.notDeepEqual(numbers(a), numbers(c));
  });
});
