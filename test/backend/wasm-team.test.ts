// The WebAssembly backend's kernel threads (src/backend/wasm-team.ts over asm/team.ts, started in Node by
// src/node/wasm-team.ts): every kernel the team splits computes the same floats on 2 and 3 threads as on 1 and as the
// plain build (test/backend/kernels.test.ts holds those to the reference), at the odd sizes (hidden 1, 7, 33, 257;
// batch 1, 3, 5, 37: partial vectors, partial 4-row units, more parts than units) and at sizes past a block; a run
// on the team's threads equals the run on one, weight by weight; a closed team refuses work in one line. Three
// threads on a 2-core machine are oversubscribed on purpose: the meetings spin briefly, then sleep.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CELLS, gateCount, hasCellState, savedBlocks } from '../../src/backend/cells.js';
import { getBackend, setBackend } from '../../src/backend/current.js';
import { loadWasmBackend, type WasmBackend } from '../../src/backend/wasm.js';
import { loadWasmTeam } from '../../src/node/wasm-team.js';
import { Rng } from '../../src/tensor/random.js';
import { BOOK_CONFIG, type TrainConfig } from '../../src/train/config/config.js';
import { autoParallelism, trainRun } from '../../src/train/run/run.js';

const PARTS = [1, 2, 3] as const;
const started = await loadWasmTeam(3, 0); // minWork 0: every call splits, however small
if (typeof started === 'string') throw new Error(`the wasm team must start in tests: ${started}`);
const team: WasmBackend = started;
const loaded = await loadWasmBackend();
if (typeof loaded === 'string') throw new Error(loaded);
const plain: WasmBackend = loaded;

const rng = new Rng(23);
const randn = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.normal() * 0.3);
const bitsEqual = (a: Float32Array, b: Float32Array, what: string): void => {
  assert.equal(a.length, b.length, what);
  const i = a.findIndex((v, k) => !Object.is(v, b[k]));
  assert.equal(i, -1, `${what}: element ${i} differs (${a[i]} vs ${b[i]})`);
};

/** f's outputs on the plain build, then on the team split 1, 2 and 3 ways: all the same bits. */
function sameOnEveryPart(f: (be: WasmBackend) => Float32Array[], names: readonly string[]): void {
  const want = f(plain);
  for (const parts of PARTS) {
    assert.equal(team.setThreads!(parts), parts);
    const got = f(team);
    names.forEach((name, i) => bitsEqual(want[i]!, got[i]!, `${name} on ${parts} part(s)`));
  }
}

describe('wasm kernel threads (one shared memory, the same floats on any number of threads)', () => {
  after(() => team.close!());

  for (const [n, k, m] of [[5, 7, 9], [1, 3, 2], [33, 17, 28], [3, 9, 37], [37, 300, 257], [70, 520, 130], [2, 64, 7]] as const) {
    for (const [transA, transB] of [[false, false], [true, true]] as const) {
      it(`matmul (${n},${k})x(${k},${m}) transA=${transA} transB=${transB}, accumulating`, () => {
        const a = randn(n * k), b = randn(k * m), init = randn(n * m);
        sameOnEveryPart((be) => {
          const out = init.slice();
          be.matmul(out, a, b, n, k, m, transA, transB, true);
          return [out];
        }, ['out']);
      });
    }
  }

  for (const cell of CELLS) {
    for (const [B, T, H] of [[5, 4, 7], [37, 3, 33], [3, 2, 13], [1, 3, 1], [16, 2, 257], [300, 2, 9]] as const) {
      it(`recurrence ${cell} B ${B} T ${T} H ${H}, forward and backward`, () => {
        const G = gateCount(cell), S = savedBlocks(cell);
        const xw = randn(T * B * G * H), wh = randn(H * G * H), bh = randn(G * H), h0 = randn(B * H), dhs = randn(T * B * H);
        const c0 = randn(B * H); // read by the LSTM only
        const dwh0 = randn(H * G * H), dbh0 = randn(G * H);
        sameOnEveryPart((be) => {
          const hs = new Float32Array(T * B * H).fill(NaN), saved = new Float32Array(T * B * S * H).fill(NaN);
          be.recurrenceForward({ hs, saved, xw, wh, bh, h0, c0, B, T, H, cell });
          const dxw = new Float32Array(T * B * G * H).fill(NaN), dwh = dwh0.slice(), dbh = dbh0.slice(), dh0 = new Float32Array(B * H).fill(NaN);
          const dc0 = new Float32Array(B * H).fill(hasCellState(cell) ? NaN : 0); // written by the LSTM only
          be.recurrenceBackward({ dxw, dwh, dbh, dh0, dc0, dhs, hs, saved, h0, c0, wh, B, T, H, cell });
          return [hs, saved, dxw, dwh, dbh, dh0, dc0];
        }, ['hs', 'saved', 'dxw', 'dwh', 'dbh', 'dh0', 'dc0']);
      });
    }
  }

  // one block and a partial second (the loss summed across blocks), a vocabulary of fewer columns than parts' units,
  // and fewer rows than parts
  for (const [N, H, V] of [[300, 13, 7], [600, 33, 65], [256, 7, 1000], [2, 3, 2]] as const) {
    it(`linearCrossEntropy N ${N} H ${H} V ${V}, the loss (float64) and the gradients`, () => {
      const hs = randn(N * H), whq = randn(H * V), bq = randn(V), dwhq0 = randn(H * V), dbq0 = randn(V);
      const labels = Int32Array.from({ length: N }, () => rng.int(V));
      for (let round = 0; round < 3; round++) { // a wrong loss once came back only from the second call on
        sameOnEveryPart((be) => {
          const dhs = new Float32Array(N * H).fill(NaN), dwhq = dwhq0.slice(), dbq = dbq0.slice();
          const loss = be.linearCrossEntropy({ hs, whq, bq, labels, N, H, V, dhs, dwhq, dbq, gradScale: 1 / N });
          const lossOnly = be.linearCrossEntropy({ hs, whq, bq, labels, N, H, V, dhs: null, dwhq: null, dbq: null, gradScale: 1 });
          return [new Float32Array(Float64Array.of(loss, lossOnly).buffer), dhs, dwhq, dbq];
        }, ['loss', 'dhs', 'dwhq', 'dbq']);
      }
    });
  }

  it('a run on 3 kernel threads equals the run on 1, epoch by epoch and weight by weight, with either partition', async () => {
    const before = getBackend();
    setBackend(team);
    try {
      const text = 'the time machine, by h. g. wells. '.repeat(60);
      for (const partition of ['random', 'sequential'] as const) {
        const config: TrainConfig = { ...BOOK_CONFIG, cell: 'lstm', epochs: 2, batchSize: 8, numSteps: 6, numHiddens: 24, numTrain: 600, numVal: 200, partition };
        const one = await trainRun(config, text, { threads: 1 });
        const three = await trainRun(config, text, { threads: 3, parallelism: 'kernels' });
        assert.equal(three.threads, 3);
        assert.deepEqual(three.history.map((e) => e.trainPpl), one.history.map((e) => e.trainPpl));
        bitsEqual(one.model.params.values as Float32Array, three.model.params.values as Float32Array, `${partition}: weights`);
      }
    } finally {
      setBackend(before);
    }
  });

  it("auto shares large models by the team's kernel threads, the book's by replicas (as on native); the plain build never", () => {
    const charRnn: TrainConfig = { ...BOOK_CONFIG, cell: 'lstm', numLayers: 2, numHiddens: 512, batchSize: 50 };
    assert.equal(autoParallelism(charRnn, team), 'kernels');
    assert.equal(autoParallelism(BOOK_CONFIG, team), 'replicas');
    assert.equal(autoParallelism(charRnn, plain), 'replicas');
  });

  it('asks for more threads than the team has: grants the team', () => {
    assert.equal(team.setThreads!(8), 3);
    assert.equal(team.setThreads!(0), 1);
  });
});

describe('a closed wasm team', () => {
  it('refuses a split call in one line and still runs calls too small to split', async () => {
    const t = await loadWasmTeam(2, 1 << 30);
    assert.ok(typeof t !== 'string', String(t));
    t.close!();
    const out = new Float32Array(4);
    t.matmul(out, Float32Array.of(1, 2), Float32Array.of(3, 4, 5, 6), 2, 1, 2, false, false); // under minWork: one thread
    assert.deepEqual([...out], [3, 4, 6, 8]);
    const big = await loadWasmTeam(2, 0);
    assert.ok(typeof big !== 'string');
    big.close!();
    assert.throws(() => big.matmul(new Float32Array(4), Float32Array.of(1, 2), Float32Array.of(3, 4, 5, 6), 2, 1, 2, false, false),
      /^Error: the kernel threads were stopped$/);
  });
});
