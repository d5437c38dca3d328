// The buffer pool's lifetimes (tensor/buffer-pool.ts, autograd.ts's Liveness, ops.ts's release): recycling memory
// inside a training step changes no bit of what the step computes, on every kind of model, step after step; it
// holds measurably less memory than the step asks for; and a released tensor cannot be read by a later op.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setBackend } from '../../src/backend/current.js';
import { referenceBackend } from '../../src/backend/reference.js';
import { loadWasmBackend } from '../../src/backend/wasm.js';
import { loadNativeBackend } from '../../src/node/native.js';
import { localEvaluation, localGradients } from '../../src/models/batch-step.js';
import { BOOK_CONFIG, createModel, type TrainConfig } from '../../src/train/config/config.js';
import { noGrad } from '../../src/tensor/autograd.js';
import { emptyPool, LARGE_ARRAY_BYTES, poolStats, reusingBuffers } from '../../src/tensor/buffer-pool.js';
import * as F from '../../src/tensor/ops.js';
import { Rng } from '../../src/tensor/random.js';
import { IntTensor, randn } from '../../src/tensor/tensor.js';
import { param } from '../helpers.js';

const V = 11;
const MODELS: [string, Partial<TrainConfig>][] = [
  ['concise 2-layer LSTM, dropout', { cell: 'lstm', numLayers: 2, concise: true, dropout: 0.3 }],
  ['concise 2-layer GRU, embedding', { cell: 'gru', numLayers: 2, concise: true, embedding: 5 }],
  ['scratch 3-layer RNN', { numLayers: 3 }],
  ['scratch GRU', { cell: 'gru' }],
  ['op-by-op (book) LSTM', { cell: 'lstm' }],
];

/** A batch of (B, T) random tokens and their labels. */
function batch(B: number, T: number, seed: number): [IntTensor, IntTensor] {
  const rng = new Rng(seed);
  const ids = (): IntTensor => new IntTensor(Int32Array.from({ length: B * T }, () => Math.floor(rng.uniform() * V)), [B, T]);
  return [ids(), ids()];
}

describe('the buffer pool recycles within a step without changing a bit', async () => {
  const [wasm, native] = [await loadWasmBackend(), await loadNativeBackend()];
  // the recurrence's outputs come unzeroed from the pool (ops.ts's likeWritten): each kernel must write them whole,
  // which this comparison with fresh arrays checks, since a recycled array holds the last step's numbers
  for (const backend of [referenceBackend, ...[wasm, native].filter((b) => typeof b !== 'string')]) {
    for (const [name, changes] of MODELS) {
      it(`${backend.name}: ${name}: loss and gradients of 3 steps equal those computed without the pool`, () => {
        setBackend(backend);
        try {
          const c: TrainConfig = { ...BOOK_CONFIG, numHiddens: 24, ...changes };
          const fused = name.startsWith('op-by-op') ? false : true;
          // batch 48 x 16 steps: the projections (768 rows x up to 96) are above the pool's 4,096-element floor
          const [pooled, plain] = [1, 2].map(() => createModel(c, V, new Rng(3), fused));
          for (let step = 0; step < 3; step++) {
            const b = batch(step === 2 ? 40 : 48, 16, step); // the last a smaller batch: views of the first's arrays
            const got = localGradients(pooled!, b);
            // the same step outside any scope: every array fresh, nothing recycled
            plain!.params.zeroGrad();
            const r = plain!.batchLoss(b);
            r.loss.backward();
            assert.equal(got.loss, r.loss.item(), `loss of step ${step}`);
            assert.deepEqual(pooled!.params.grads, plain!.params.grads, `gradients of step ${step}`);
            // both models take the same SGD step, so that the next step starts from new weights
            for (const m of [pooled!, plain!]) m.params.values.forEach((v, i) => (m.params.values[i] = v - 0.1 * m.params.grads[i]!));
          }
        } finally {
          setBackend(referenceBackend);
        }
      });
    }
  }
});

describe('the pool holds less than a step asks for', () => {
  it('a concise 2-layer LSTM step: recycled values, gradients and projections keep the pool under 60% of the requests', () => {
    const c: TrainConfig = { ...BOOK_CONFIG, cell: 'lstm', numLayers: 2, concise: true, numHiddens: 32 };
    const model = createModel(c, V, new Rng(1));
    emptyPool(); // what the other tests left
    localGradients(model, batch(64, 16, 1));
    const first = poolStats();
    // Requested, per layer (1,024 rows): the projection and its gradient (4H = 128 wide), hs and its gradient (32),
    // saved (5H = 160), and more; without recycling the pool would hold all of it. Recycled: one projection serves
    // both layers and both gradients, each layer's saved and hs go back as its backward ends.
    assert.ok(first.held < 0.6 * first.requested, `holds ${first.held} bytes of ${first.requested} requested`);
    localGradients(model, batch(64, 16, 2));
    assert.equal(poolStats().held, first.held, 'a second step of the same shape allocates nothing new');
  });
});

describe("a pooled step's large arrays on the backend's memory for them (largeArray)", async () => {
  const native = await loadNativeBackend();
  it('native: drawn from largeArray inside a scope only, once (the next step reuses them), with the same bits as plain arrays', { skip: typeof native === 'string' && native }, () => {
    if (typeof native === 'string') return;
    const asked: number[] = [];
    const counting = { ...native, largeArray: (n: number) => (asked.push(n), native.largeArray!(n)) };
    setBackend(counting);
    try {
      // batch 256 x 32 steps, H 64: the projection (8,192 rows x 4H = 256) is 8 MB, above LARGE_ARRAY_BYTES
      const c: TrainConfig = { ...BOOK_CONFIG, cell: 'lstm', numLayers: 2, concise: true, numHiddens: 64 };
      const [pooled, plain] = [1, 2].map(() => createModel(c, V, new Rng(4)));
      emptyPool();
      for (let step = 0; step < 2; step++) {
        const before = asked.length;
        const b = batch(256, 32, step);
        const got = localGradients(pooled!, b);
        if (step === 0) assert.ok(asked.length > 0 && asked.every((n) => n * 4 >= LARGE_ARRAY_BYTES), `large arrays asked for: ${asked}`);
        else assert.equal(asked.length, before, 'the second step reuses the pool');
        const outside = asked.length;
        plain!.params.zeroGrad();
        const r = plain!.batchLoss(b); // outside any scope: ordinary arrays, which the garbage collector owns
        r.loss.backward();
        assert.equal(asked.length, outside, 'no largeArray outside a scope');
        assert.equal(got.loss, r.loss.item());
        assert.deepEqual(pooled!.params.grads, plain!.params.grads);
      }
    } finally {
      emptyPool();
      setBackend(referenceBackend);
    }
  });
  // Linux with THP in "madvise" or "always" mode: the arrays are on huge pages (this machine: all 24 MB of three 8 MB
  // arrays). At least one page is asked for, not all: a fragmented memory may refuse some.
  const thp = ((): string => {
    try {
      return /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1] ?? 'unknown';
    } catch {
      return 'absent';
    }
  })();
  const hugeKb = (): number => Number(/AnonHugePages:\s+(\d+)/.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))?.[1] ?? NaN);
  it('native largeArray: on transparent huge pages where the kernel grants them', { skip: typeof native === 'string' ? native : thp === 'always' || thp === 'madvise' ? false : `transparent huge pages: ${thp}` }, () => {
    if (typeof native === 'string') return;
    const before = hugeKb();
    const arrays = [1, 2, 3].map(() => native.largeArray!(2 << 20).fill(1)); // 8 MB each, touched
    const gained = hugeKb() - before;
    assert.ok(gained >= 2048, `AnonHugePages grew by ${gained} kB after touching ${arrays.length} arrays of 8 MB`);
  });
  it("native largeArray: zeroed, the length asked for, writable; nonsense sizes refused", { skip: typeof native === 'string' && native }, () => {
    if (typeof native === 'string') return;
    const a = native.largeArray!(3_000_001); // not a whole number of 2 MB pages
    assert.equal(a.length, 3_000_001);
    assert.ok(a.every((v) => v === 0));
    a.fill(1.5);
    assert.equal(a[3_000_000], 1.5);
    for (const n of [0, -1, 0.5, NaN]) assert.throws(() => native.largeArray!(n), RangeError, String(n));
  });
});

describe('release', () => {
  it('a released tensor is refused by any later op; values a backward rule reads are never released', () => {
    const rng = new Rng(5);
    reusingBuffers(() => {
      const x = param(rng, [64, 70]);
      const w = param(rng, [70, 80]);
      const y = F.matmul(x, w); // 5,120 values: pooled
      const z = F.tanh(y); // tanh's backward reads its output z, not y; matmul's reads x and w, not y
      const view = y.reshape(80, 64);
      F.release(y);
      assert.equal(y.released, false, 'a reshape shares its memory: y is kept while the view may be read');
      const y2 = F.matmul(x, w);
      F.tanh(y2);
      F.release(y2);
      assert.equal(y2.released, true);
      assert.throws(() => F.tanh(y2), /tanh: an input's values were released/);
      assert.equal(view.size, 5120);
      F.release(z);
      assert.equal(z.released, false, "z is read by tanh's backward");
      F.release(x);
      assert.equal(x.released, false, 'a leaf is never released');
      const loss = F.linearCrossEntropy(z.reshape(64, 80), param(rng, [80, 3]), param(rng, [3]), new IntTensor(new Int32Array(64), [64]));
      loss.backward();
      assert.ok(Number.isFinite(loss.item()) && x.grad !== null && x.grad.every(Number.isFinite));
    });
  });
  it('without the tape (noGrad) an op\'s output is released and its memory lent again; a reshape and its input, and leaves, are kept', () => {
    const rng = new Rng(6);
    reusingBuffers(() => {
      const x = randn(rng, [64, 70]);
      const w = randn(rng, [70, 80]);
      noGrad(() => {
        const y = F.matmul(x, w); // 5,120 values: pooled
        const view = y.reshape(80, 64);
        F.release(y);
        F.release(view);
        assert.equal(y.released || view.released, false, 'a reshape and its input share their memory: both kept');
        const u = F.matmul(x, w);
        const memory = u.data.buffer;
        F.release(u);
        assert.equal(u.released, true);
        assert.throws(() => F.tanh(u), /tanh: an input's values were released/);
        assert.equal(F.matmul(x, w).data.buffer, memory, "the next product of that size gets the released output's memory");
        F.release(x);
        assert.equal(x.released, false, 'a leaf is never released');
      });
    });
  });
  it('a forward-only pass (validation) after a training step holds no array beyond the step\'s, and scores the same', () => {
    // Before: without the tape the layers' input projections were never released and the recurrence's saved gates
    // (kept for a backward that never runs) lived to the end of the pass: a validation batch of the 2-layer LSTM 256
    // at batch 1024 asked for 651 MB and raised the pool from 563 to 723 MB (peak RSS 848 MiB against training's 684).
    setBackend(referenceBackend);
    for (const [name, changes] of MODELS.filter(([n]) => !n.startsWith('op-by-op'))) {
      const c: TrainConfig = { ...BOOK_CONFIG, numHiddens: 24, ...changes, dropout: 0 };
      const model = createModel(c, V, new Rng(3), true);
      const b = batch(48, 16, 1);
      emptyPool();
      localGradients(model, b);
      const afterStep = poolStats();
      const loss = localEvaluation(model, b).loss;
      const afterEval = poolStats();
      assert.ok(afterEval.held <= afterStep.held, `${name}: the pool grew from ${afterStep.held} to ${afterEval.held} bytes`);
      assert.ok(afterEval.requested < afterStep.requested, `${name}: evaluation asked for ${afterEval.requested} bytes, the step ${afterStep.requested}`);
      // the same loss outside any scope, every array fresh
      assert.equal(loss, noGrad(() => model.batchLoss(b).loss.item()), name);
      emptyPool();
    }
  });
});
