// The native kernels' threads (native/threads.h): a product or a recurrence split over threads computes the same
// floats as on one thread, bit for bit, at the sizes where the kernels split (the packed products and the packed
// recurrence: batch >= 16) and at the odd ones (hidden 7, 33, 257: partial vectors and panels; batch 1 and 3, which
// never split), for every cell; a run on kernel threads equals the run on one thread, epoch by epoch and weight by
// weight, with either partition; asking for more threads than cores grants the cores.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { after, describe, it } from 'node:test';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';
import { CELLS, gateCount, savedBlocks } from '../../src/backend/cells.js';
import { getBackend, setBackend } from '../../src/backend/current.js';
import { referenceBackend } from '../../src/backend/reference.js';
import { loadNativeBackend, nativeAddonPath, type NativeBackend } from '../../src/node/native.js';
import { loadTimeMachineText } from '../../src/node/load.js';
import { Rng } from '../../src/tensor/random.js';
import { BOOK_CONFIG, type TrainConfig } from '../../src/train/config/config.js';
import { autoParallelism, kernelThreadsPay, trainRun } from '../../src/train/run/run.js';
import type { EpochStats } from '../../src/train/run/trainer.js';

const native = await loadNativeBackend();
const cores = availableParallelism();
const skip = typeof native === 'string' ? `native backend not built: ${native}` : cores < 2 ? 'one core: the kernels never split' : false;
if (skip) console.log(`# kernel threads not tested: ${skip}`);

const rng = new Rng(11);
const randn = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.normal() * 0.3);
const bitsEqual = (a: Float32Array, b: Float32Array, what: string): void => {
  assert.equal(a.length, b.length);
  const i = a.findIndex((v, k) => !Object.is(v, b[k]));
  assert.equal(i, -1, `${what}: element ${i} differs (${a[i]} vs ${b[i]})`);
};

describe('native kernel threads', { skip }, () => {
  const nb = native as NativeBackend;
  after(() => nb.setThreads(1));
  /** f run on one thread and on every core: the outputs it returns. */
  const onOneAndAll = (f: () => Float32Array[]): [Float32Array[], Float32Array[]] => {
    nb.setThreads(1);
    const one = f();
    assert.equal(nb.setThreads(cores), cores);
    const all = f();
    nb.setThreads(1);
    return [one, all];
  };

  // split by columns where n < m, by rows where n >= m (gemm.h: the larger operand); [600, 520, 130] also packs B whole
  for (const [n, k, m] of [[37, 300, 257], [70, 520, 130], [33, 40, 1700], [1000, 64, 96], [600, 520, 130], [5, 2000, 2000], [3, 9, 37]] as const) {
    for (const transB of [false, true]) {
      it(`matmul (${n},${k})x(${k},${m}) transB=${transB}, accumulating: the same floats on ${cores} threads as on 1`, () => {
        const a = randn(n * k), b = randn(k * m), init = randn(n * m);
        const [one, all] = onOneAndAll(() => {
          const out = init.slice();
          nb.matmul(out, a, b, n, k, m, false, transB, true);
          return [out];
        });
        bitsEqual(one[0]!, all[0]!, 'out');
      });
    }
  }

  // split by columns from 4 M elements (two parts of gemm.h's PART_WORK): 33,000 rows of 130 (a partial vector at the
  // end), and 32,768 of 1,024 (a one-hot LSTM 256 layer's projection); 28 table rows, so rows repeat in the scatter
  for (const [N, W] of [[33_000, 130], [32_768, 1024], [45, 13]] as const) {
    it(`gatherRows and scatterAddRows N ${N} W ${W}: the same floats on ${cores} threads as on 1, and as the reference's`, () => {
      const V = 28;
      const table = randn(V * W), g = randn(N * W), dtable0 = randn(V * W);
      const indices = Int32Array.from({ length: N }, () => rng.int(V));
      const run = (be: typeof nb | typeof referenceBackend): Float32Array[] => {
        const out = new Float32Array(N * W).fill(NaN), dtable = dtable0.slice();
        be.gatherRows(out, table, indices, N, W);
        be.scatterAddRows(dtable, g, indices, N, W);
        return [out, dtable];
      };
      const [one, all] = onOneAndAll(() => run(nb));
      bitsEqual(one[0]!, all[0]!, 'out');
      bitsEqual(one[1]!, all[1]!, 'dtable');
      const want = run(referenceBackend); // the same additions in the same (row) order
      bitsEqual(want[0]!, all[0]!, 'out against the reference');
      bitsEqual(want[1]!, all[1]!, 'dtable against the reference');
    });
  }

  // the output layer splits by row tiles and column panels from 4 M multiply-adds: two blocks of 256 rows (the last
  // partial), odd hidden sizes and vocabularies past the 16-lane padding; 40 rows: five row tiles at most
  for (const [N, H, V] of [[300, 33, 1000], [520, 16, 5003], [40, 7, 20_000]] as const) {
    it(`linearCrossEntropy N ${N} H ${H} V ${V}, loss and gradients: the same floats on ${cores} threads as on 1`, () => {
      const hs = randn(N * H), whq = randn(H * V), bq = randn(V), dwhq0 = randn(H * V), dbq0 = randn(V);
      const labels = Int32Array.from({ length: N }, () => rng.int(V));
      const [one, all] = onOneAndAll(() => {
        const dhs = new Float32Array(N * H).fill(NaN), dwhq = dwhq0.slice(), dbq = dbq0.slice();
        const loss = nb.linearCrossEntropy({ hs, whq, bq, labels, N, H, V, dhs, dwhq, dbq, gradScale: 1 / N });
        const lossOnly = nb.linearCrossEntropy({ hs, whq, bq, labels, N, H, V, dhs: null, dwhq: null, dbq: null, gradScale: 1 });
        return [new Float32Array(Float64Array.of(loss, lossOnly).buffer), dhs, dwhq, dbq]; // the float64 losses bit for bit
      });
      ['loss', 'dhs', 'dwhq', 'dbq'].forEach((name, i) => bitsEqual(one[i]!, all[i]!, name));
    });
  }

  for (const cell of CELLS) {
    // (4801 rows of 7 and 16 units: one vector, one panel, so two threads split the rows, in blocks of SPLIT_ROWS with
    // a partial last one; at 16 units the LSTM's and RNNs' dhw is dxw itself, at 7 it is a buffer of its own)
    for (const [B, T, H] of [[16, 3, 7], [21, 4, 33], [64, 3, 257], [50, 3, 512], [3, 2, 33], [1, 2, 257], [4801, 2, 7], [4801, 2, 16]] as const) {
      it(`recurrence ${cell} B ${B} T ${T} H ${H}, forward and backward: the same floats on ${cores} threads as on 1`, () => {
        const G = gateCount(cell), S = savedBlocks(cell);
        const xw = randn(T * B * G * H), wh = randn(H * G * H), bh = randn(G * H), h0 = randn(B * H), c0 = randn(B * H), dhs = randn(T * B * H);
        const dwh0 = randn(H * G * H), dbh0 = randn(G * H);
        const [one, all] = onOneAndAll(() => {
          const hs = new Float32Array(T * B * H), saved = new Float32Array(T * B * S * H);
          nb.recurrenceForward({ hs, saved, xw, wh, bh, h0, c0, B, T, H, cell });
          const dxw = new Float32Array(T * B * G * H), dwh = dwh0.slice(), dbh = dbh0.slice(), dh0 = new Float32Array(B * H), dc0 = new Float32Array(B * H);
          nb.recurrenceBackward({ dxw, dwh, dbh, dh0, dc0, dhs, hs, saved, h0, c0, wh, B, T, H, cell });
          return [hs, saved, dxw, dwh, dbh, dh0, dc0];
        });
        ['hs', 'saved', 'dxw', 'dwh', 'dbh', 'dh0', 'dc0'].forEach((name, i) => bitsEqual(one[i]!, all[i]!, name));
      });
    }
  }

  it('a recurrence of no rows, steps or units computes nothing and reads nothing beyond its arrays', () => {
    // (the grid's split divided by the count of units, and db_h's block sums were sized by the rows: H = 0 and B = 0)
    for (const cell of CELLS) {
      for (const [B, T, H] of [[0, 3, 8], [20, 3, 0], [20, 0, 8]] as const) {
        const G = gateCount(cell), S = savedBlocks(cell);
        const full = (n: number): Float32Array => new Float32Array(n).fill(0.5);
        const hs = full(T * B * H), saved = full(T * B * S * H), dbh = new Float32Array(G * H), dh0 = full(B * H);
        nb.recurrenceForward({ hs, saved, xw: full(T * B * G * H), wh: full(H * G * H), bh: full(G * H), h0: full(B * H), c0: full(B * H), B, T, H, cell });
        nb.recurrenceBackward({ dxw: full(T * B * G * H), dwh: new Float32Array(H * G * H), dbh, dh0, dc0: full(B * H), dhs: full(T * B * H), hs, saved,
          h0: full(B * H), c0: full(B * H), wh: full(H * G * H), B, T, H, cell });
        assert.ok(dbh.every((x) => x === 0), `${cell} B ${B} T ${T} H ${H}: db_h of no rows or steps is 0`);
        assert.ok(dh0.every((x) => x === 0), `${cell} B ${B} T ${T} H ${H}: dL/dh0 without steps is 0`);
      }
    }
  });
  it(`asking for more threads than the ${cores} cores grants the cores`, () => {
    assert.equal(nb.setThreads(cores * 4), cores);
    assert.equal(nb.setThreads(1), 1);
    assert.throws(() => nb.setThreads(0), RangeError);
  });
  it('threadMeeting (bench/threads.mjs) meets and returns a time per round on 1 and on every core', () => {
    const addon = createRequire(import.meta.url)(nativeAddonPath()) as { threadMeeting(rounds: number, meet: number): number };
    for (const n of [1, cores]) {
      nb.setThreads(n);
      for (const meet of [0, 1]) {
        const ns = addon.threadMeeting(50, meet);
        assert.ok(Number.isFinite(ns) && ns > 0, `${n} threads, meet ${meet}: ${ns} ns`);
      }
    }
    nb.setThreads(1);
    assert.throws(() => addon.threadMeeting(0, 1), RangeError);
  });
  it('a region right after the threads are asked for finds every worker (bench/threads.mjs, which hung before the fix)', () => {
    // a worker that read the pool's generation only when it first ran missed a region begun before that: the bench
    // (setThreads, then at once 2,000 meetings) hung 3 times in 3 until workers took the generation of their start
    const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'threads.mjs'), '1'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `exit ${r.status} ${r.signal ?? ''}: ${r.stderr}`);
    assert.match(r.stdout, /one meeting of \d+ threads: +[\d.]+ us/);
  });

  /** An epoch's numbers without its timing. */
  const numbers = ({ seconds: _s, tokensPerSecond: _t, ...rest }: EpochStats): object => rest;
  for (const [name, overrides] of [
    ['a 2-layer concise LSTM with dropout, random partition', { cell: 'lstm', concise: true, numLayers: 2, dropout: 0.2 }],
    ['a scratch LSTM, sequential partition (one state through the batches)', { cell: 'lstm', partition: 'sequential', split: 'full' }],
    ['a concise GRU (torch.nn.GRU\'s cell) with Adam', { cell: 'gru', concise: true, optimizer: 'adam', lr: 0.01 }],
  ] as [string, Partial<TrainConfig>][]) {
    it(`${name}: a run on ${cores} kernel threads equals the run on 1, epoch by epoch and weight by weight`, async () => {
      const previous = getBackend();
      setBackend(nb);
      try {
        const text = (await loadTimeMachineText()).slice(0, 30_000);
        const config: TrainConfig = { ...BOOK_CONFIG, epochs: 2, batchSize: 32, numSteps: 12, numHiddens: 64, numTrain: 256, numVal: 64, ...overrides };
        const one = await trainRun(config, text, { threads: 1 });
        const all = await trainRun(config, text, { threads: cores, parallelism: 'kernels' });
        assert.equal(all.threads, cores);
        assert.equal(all.parallelism, 'kernels');
        assert.deepEqual(all.history.map(numbers), one.history.map(numbers));
        bitsEqual(all.model.params.values as Float32Array, one.model.params.values as Float32Array, 'weights');
      } finally {
        setBackend(previous);
      }
    });
  }

  it('auto splits the kernels for large step products, not for the book\'s sizes, the book\'s GRU or the reference', () => {
    const charRnn: TrainConfig = { ...BOOK_CONFIG, cell: 'lstm', concise: true, numLayers: 2, numHiddens: 512, batchSize: 50 };
    assert.equal(autoParallelism(charRnn, nb), 'kernels');
    assert.equal(autoParallelism(BOOK_CONFIG, nb), 'replicas');
    assert.equal(autoParallelism({ ...charRnn, cell: 'gru', concise: false }, nb), 'replicas');
    assert.equal(autoParallelism(charRnn, referenceBackend), 'replicas');
    // the book's LSTM (1024 x 4*32 x 32 = 4.2 M, past KERNEL_THREADS_WORK): a large batch of a small model trains
    // faster on replicas (run.ts, REPLICAS_BATCH); the same model at batch 256 splits its kernels, as does a 2-layer
    // LSTM of 256 at the book's batch
    const bookLstm: TrainConfig = { ...BOOK_CONFIG, cell: 'lstm' };
    assert.ok(kernelThreadsPay(bookLstm), 'its kernels would split (the page runs it on its team)');
    assert.equal(autoParallelism(bookLstm, nb), 'replicas');
    assert.equal(autoParallelism({ ...bookLstm, numHiddens: 128 }, nb), 'replicas');
    assert.equal(autoParallelism({ ...bookLstm, numHiddens: 64, batchSize: 256 }, nb), 'kernels');
    assert.equal(autoParallelism({ ...bookLstm, concise: true, numLayers: 2, numHiddens: 256 }, nb), 'kernels');
    assert.equal(kernelThreadsPay(BOOK_CONFIG), false, "the book's RNN (1 M) stays on one thread in the page");
  });

  it('kernel threads on a backend without them are refused before any work', async () => {
    const previous = getBackend();
    setBackend(referenceBackend);
    try {
      await assert.rejects(trainRun({ ...BOOK_CONFIG, epochs: 1 }, 'abc '.repeat(500), { threads: 2, parallelism: 'kernels' }), /reference backend has no kernel threads/);
    } finally {
      setBackend(previous);
    }
  });
});

