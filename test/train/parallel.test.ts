// Data parallelism: the batch split across worker threads gives the single-thread loss and gradient.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maxAbsDiff } from '../helpers.js';
import { selectBackend } from '../../src/node/select-backend.js';
import { loadTimeMachineText } from '../../src/node/load.js';
import { TimeMachine } from '../../src/data/timemachine.js';
import { Rng } from '../../src/tensor/random.js';
import { BOOK_CONFIG, createModel } from '../../src/train/config/config.js';
import { startDataParallel } from '../../src/node/parallel.js';
import { localEvaluation, localGradients } from '../../src/train/run/trainer.js';

describe('DataParallel', () => {
  for (const threads of [2, 3]) {
    it(`${threads} threads: loss and every gradient equal one thread's on a batch of 301 windows`, async () => {
      await selectBackend('auto');
      const config = { ...BOOK_CONFIG, batchSize: 301, numSteps: 9, numHiddens: 13, numTrain: 301, numVal: 50, sigma: 0.3 };
      const data = new TimeMachine((await loadTimeMachineText()).slice(0, 5000), config);
      const model = createModel(config, data.vocab.length, new Rng(2));
      const batch = [...data.trainDataloader(new Rng(0))][0]!;
      const single = localGradients(model, batch).loss;
      const grads = Float32Array.from(model.params.grads);
      const parallel = startDataParallel(threads, { config, vocabSize: data.vocab.length, backend: 'auto', fused: true });
      try {
        model.params.grads.fill(NaN);
        const split = await parallel.gradients(model, batch);
        // shards of 100-101 rows summed with weights rows/301: float32 rounding in another order, ~1e-7 relative
        assert.ok(Math.abs(split.loss - single) < 1e-5, `loss ${split.loss} vs ${single}`);
        assert.ok(maxAbsDiff(model.params.grads, grads) < 1e-6, `gradients differ by ${maxAbsDiff(model.params.grads, grads)}`);
        const evaluated = await parallel.loss(model, batch);
        assert.ok(Math.abs(evaluated.loss - localEvaluation(model, batch).loss) < 1e-5);
      } finally {
        await parallel.close();
      }
    });
  }
});

describe('threads beyond the cores', () => {
  it('a run starts at most one thread per core: 8 asked on 2 cores run as 2, the numbers of 2 asked', async () => {
    await selectBackend('auto');
    const { trainRun } = await import('../../src/node/train-run.js');
    const config = { ...BOOK_CONFIG, batchSize: 64, numSteps: 8, numHiddens: 16, numTrain: 256, numVal: 64, epochs: 1 };
    const text = (await loadTimeMachineText()).slice(0, 5000);
    const eight = await trainRun(config, text, { threads: 8, cores: 2, parallelism: 'replicas' });
    const two = await trainRun(config, text, { threads: 2, cores: 2, parallelism: 'replicas' });
    assert.equal(eight.threads, 2);
    assert.equal(eight.history[0]!.trainPpl, two.history[0]!.trainPpl);
    assert.deepEqual(eight.model.params.values, two.model.params.values);
    // without a cap (the browser-safe run's default), the threads asked are the threads started
    const { trainRun: plain } = await import('../../src/train/run/run.js');
    const { nodeParallel } = await import('../../src/node/train-run.js');
    assert.equal((await plain(config, text, { threads: 3, parallelism: 'replicas', parallel: nodeParallel('auto') })).threads, 3);
  });
});

describe("rnnlm train's default threads (defaultThreads)", () => {
  it('one per core for kernel threads (one model whatever their number), at most 4 replicas (a model copy each)', async () => {
    const { defaultThreads } = await import('../../src/cli/common-options.js');
    assert.deepEqual([1, 2, 4, 16, 64].map((cores) => defaultThreads('kernels', cores)), [1, 2, 4, 16, 64]);
    assert.deepEqual([1, 2, 4, 16, 64].map((cores) => defaultThreads('replicas', cores)), [1, 2, 4, 4, 4]);
    assert.equal(defaultThreads('kernels', 0), 1); // an affinity mask read as empty still runs
  });
});
