// Every fast backend's kernels against the reference kernels (the oracle), on odd sizes that exercise the
// SIMD tails (hidden 13 and 19, vocabulary 7, batch 5, steps 9), every cell of the recurrence; and the fused model
// path against the book path.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { maxAbsDiff } from '../helpers.js';
import { type Backend } from '../../src/backend/backend.js';
import { getBackend, setBackend } from '../../src/backend/current.js';
import { referenceBackend } from '../../src/backend/reference.js';
import { CELLS, gateCount, hasCellState, savedBlocks } from '../../src/backend/cells.js';
import { loadWasmBackend } from '../../src/backend/wasm.js';
import { loadNativeBackend } from '../../src/node/native.js';
import { RNNLMScratch, RNNScratch } from '../../src/models/rnn.js';
import { Rng } from '../../src/tensor/random.js';
import { IntTensor } from '../../src/tensor/tensor.js';

const wasm = await loadWasmBackend();
if (typeof wasm === 'string') throw new Error(`the wasm backend must load in tests: ${wasm}`);
// The native backend is optional (no compiler, no native kernels); when it is built, it is tested too.
const native = await loadNativeBackend();
if (typeof native === 'string') console.log(`# native backend not tested: ${native}`);
const FAST: Backend[] = [wasm, ...(typeof native === 'string' ? [] : [native])];

const rng = new Rng(5);
const randn = (n: number, scale = 1): Float32Array => Float32Array.from({ length: n }, () => rng.normal() * scale);
const ints = (n: number, below: number): Int32Array => Int32Array.from({ length: n }, () => rng.int(below));

// float32 kernels summing up to a few hundred terms in another order: 1e-5 absolute on values of order 1
const TOL = 1e-5;

for (const fast of FAST) {
  describe(`${fast.name} backend against the reference`, () => {
    for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      // n = 1 to 3 and tails: the last rows' row-walking loop (generation's matrix-vector products), k and m with remainders;
      // the last five are large enough for native's packed product (gemm.h, worth_packing): partial register tiles
      // at the bottom and right, k past one cache block (KC = 256) and m past one (NC = 64 panels at AVX2: 1,536); the
      // last two, B packed whole first (gemm.h, PACK_WHOLE_B) and out's rows in blocks of MC taking every k block in
      // turn, the very last over two column blocks (m past NC = 2,048 at AVX-512)
      for (const [n, k, m] of [[5, 7, 9], [8, 13, 16], [1, 3, 2], [33, 17, 28], [3, 9, 37], [1, 257, 1028], [2, 64, 7],
        [37, 300, 257], [70, 520, 130], [33, 40, 1700], [300, 600, 130], [64, 300, 2100]] as const) {
        it(`matmul (${n},${k})x(${k},${m}) transA=${transA} transB=${transB}`, () => {
          const a = randn(n * k);
          const b = randn(k * m);
          const [want, got] = [new Float32Array(n * m), new Float32Array(n * m).fill(NaN)];
          referenceBackend.matmul(want, a, b, n, k, m, transA, transB);
          fast.matmul(got, a, b, n, k, m, transA, transB);
          // float32 sums of k terms of size ~1 round to about k * 2^-24 in another order: the bound grows with k past 16
          const tol = TOL * Math.max(1, k / 16);
          assert.ok(maxAbsDiff(want, got) < tol, `differs by ${maxAbsDiff(want, got)}`);
          // accumulate: the product added onto what out holds (linear's bias rows)
          const start = randn(n * m);
          const [wantAcc, gotAcc] = [start.slice(), start.slice()];
          referenceBackend.matmul(wantAcc, a, b, n, k, m, transA, transB, true);
          fast.matmul(gotAcc, a, b, n, k, m, transA, transB, true);
          assert.ok(maxAbsDiff(wantAcc, gotAcc) < tol + TOL, `accumulating, differs by ${maxAbsDiff(wantAcc, gotAcc)}`);
          assert.ok(maxAbsDiff(wantAcc, want) > 0.1, 'accumulate added onto out');
        });
      }
    }
    // tiles of 16 (native) and 32 (wasm's TypeScript) with tails both ways, a single row and column, and a weight's size
    for (const [rows, cols] of [[1, 1], [1, 9], [9, 1], [3, 7], [33, 17], [16, 32], [47, 70], [2048, 512]] as const) {
      it(`transpose (${rows},${cols}): exactly the reference's`, () => {
        const a = randn(rows * cols);
        const [want, got] = [new Float32Array(rows * cols), new Float32Array(rows * cols).fill(NaN)];
        referenceBackend.transpose(want, a, rows, cols);
        fast.transpose(got, a, rows, cols);
        assert.deepEqual(got, want);
        assert.equal(want[rows * cols - 1], a[rows * cols - 1]); // the plain loop itself: the last element stays last
        if (rows > 1 && cols > 1) assert.equal(want[1], a[cols]); // out[0][1] = a[1][0]
      });
    }
    for (const [N, W, V] of [[45, 13, 7], [300, 128, 28], [1, 1, 1]] as const) {
      it(`gatherRows and scatterAddRows N=${N} W=${W} V=${V}`, () => {
        const [table, g, indices] = [randn(V * W), randn(N * W), ints(N, V)];
        const outs = [referenceBackend, fast].map((be) => {
          const out = new Float32Array(N * W).fill(NaN);
          be.gatherRows(out, table, indices, N, W);
          const dtable = new Float32Array(V * W).fill(0.25); // accumulated onto
          be.scatterAddRows(dtable, g, indices, N, W);
          return [out, dtable];
        });
        outs[0]!.forEach((want, i) => assert.ok(maxAbsDiff(want, outs[1]![i]!) < TOL * 10, `output ${i} differs by ${maxAbsDiff(want, outs[1]![i]!)}`));
      });
    }
    for (const cell of CELLS) {
      // 300 and 37 rows: several panels and row blocks, with tails; batch 1 and 3 at hidden 1, 7, 33, 64 and 257: the rows a
      // block leaves (generation's matrix-vector products), W_h read in place (64: whole vectors) or padded (the others);
      // from batch 16 native's forward reads W_h packed in panels (recurrence.h, PACK_MIN_ROWS), and at 64 x 257 the LSTM's
      // dW_h takes the packed product (gemm.h), k = 64 rows past the 16 of a panel's row tail
      for (const [B, T, H] of [[5, 9, 13], [8, 4, 32], [1, 1, 3], [3, 2, 19], [300, 3, 13], [37, 3, 40], [3, 1, 1], [1, 3, 7], [3, 2, 33], [1, 2, 64], [1, 2, 257],
        [16, 2, 7], [21, 2, 64], [64, 2, 257]] as const) {
        it(`recurrenceForward and recurrenceBackward, ${cell}, B=${B} T=${T} H=${H}`, () => {
          const [G, S, lstm] = [gateCount(cell), savedBlocks(cell), hasCellState(cell)];
          const [xw, wh, bh, h0, c0] = [randn(T * B * G * H, 0.8), randn(H * G * H, 0.4), randn(G * H, 0.5), randn(B * H, 0.5), randn(lstm ? B * H : 0, 0.5)];
          const dhs = Float32Array.from({ length: T * B * H }, (_, i) => Math.sin(i)); // a fixed upstream gradient
          const outs = [referenceBackend, fast].map((be) => {
            const [hs, saved] = [new Float32Array(T * B * H).fill(NaN), new Float32Array(T * B * S * H).fill(NaN)];
            be.recurrenceForward({ hs, saved, xw, wh, bh, h0, c0, B, T, H, cell });
            // outputs are overwritten (NaN before), weight gradients accumulated onto what is there
            const grads = [new Float32Array(T * B * G * H).fill(NaN), new Float32Array(H * G * H).fill(0.5), new Float32Array(G * H).fill(-1),
              new Float32Array(B * H).fill(NaN), new Float32Array(lstm ? B * H : 0).fill(NaN)];
            be.recurrenceBackward({ dxw: grads[0]!, dwh: grads[1]!, dbh: grads[2]!, dh0: grads[3]!, dc0: grads[4]!, dhs, hs, saved, h0, c0, wh, B, T, H, cell });
            return [hs, saved, ...grads];
          });
          const names = ['hs', 'saved', 'dxw', 'dwh', 'dbh', 'dh0', 'dc0'];
          // sums of H terms in another order: the bound grows with H past 64 (every other size keeps TOL * 10)
          const tol = TOL * 10 * Math.max(1, H / 64);
          outs[0]!.forEach((want, i) => assert.ok(maxAbsDiff(want, outs[1]![i]!) < tol, `${names[i]} differs by ${maxAbsDiff(want, outs[1]![i]!)}`));
        });
      }
    }
    // vocabularies of raw scripts and words: odd sizes above every block (256 rows, 16 lanes), and above 65,536
    for (const [N, H, V] of [[300, 13, 7], [45, 32, 28], [1, 1, 2], [300, 16, 5003], [37, 8, 70001]] as const) {
      it(`linearCrossEntropy N=${N} H=${H} V=${V} (more rows than one chunk of 256 included)`, () => {
        const [hs, whq, bq, labels] = [randn(N * H), randn(H * V), randn(V), ints(N, V)];
        // the last 20 tokens (past every block and lane boundary) carry most of the probability, so that a kernel
        // that mishandled the tail of a large vocabulary would be far off, not 1/V off
        if (V > 1000) for (let v = V - 20; v < V; v++) bq[v] = bq[v]! + 6;
        // float32 sums over V terms (logsumexp, dz whq^T) drift like sqrt(V) ulps; the reference sums in float64
        const tol = TOL * 10 * Math.max(1, Math.sqrt(V / 28));
        const outs = [referenceBackend, fast].map((be) => {
          const [dhs, dwhq, dbq] = [new Float32Array(N * H).fill(NaN), new Float32Array(H * V).fill(0.5), new Float32Array(V).fill(1)];
          const loss = be.linearCrossEntropy({ hs, whq, bq, labels, N, H, V, dhs, dwhq, dbq, gradScale: 0.75 });
          const lossOnly = be.linearCrossEntropy({ hs, whq, bq, labels, N, H, V, dhs: null, dwhq: null, dbq: null, gradScale: 1 });
          return { loss, lossOnly, arrays: [dhs, dwhq, dbq] };
        });
        const [want, got] = outs as [(typeof outs)[0], (typeof outs)[0]];
        // float32 sums: a few ulps of each row's loss (relative 1e-6), which grows with the logits' spread
        const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-6 * (N + Math.abs(a));
        assert.ok(close(want.loss, got.loss), `loss ${want.loss} vs ${got.loss}`);
        assert.ok(close(want.lossOnly, got.lossOnly), `loss only ${want.lossOnly} vs ${got.lossOnly}`);
        want.arrays.forEach((w, i) => assert.ok(maxAbsDiff(w, got.arrays[i]!) < tol, `gradient ${i} differs by ${maxAbsDiff(w, got.arrays[i]!)}`));
      });
    }
  });
}

for (const fast of [wasm, ...(typeof native === 'string' ? [] : [native])]) describe(`${fast.name} exp and tanh against Math.exp and Math.tanh`, () => {
  const x = Float32Array.from({ length: 20001 }, (_, i) => (i - 10000) / 100); // -100 .. 100 in steps of 0.01
  it('exp: relative error below 3e-7 (about 2.5 float32 ulps) where the result is a normal float32', () => {
    const out = new Float32Array(x.length);
    fast.exp(out, x);
    x.forEach((v, i) => {
      if (v < -87 || v > 88) return;
      const want = Math.exp(v);
      assert.ok(Math.abs(out[i]! - want) <= 3e-7 * want, `exp(${v}) = ${out[i]} vs ${want}`);
    });
  });
  // tanh is a rational approximation (Eigen's) clamped at |x| = 7.905: its worst error, 2.8e-7, is just below the
  // clamp where tanh is within 3e-7 of 1 (about 4 float32 ulps there); near zero it is accurate to 1-2 ulps.
  it('tanh: absolute error below 3e-7 everywhere, relative below 3e-7 near zero', () => {
    const out = new Float32Array(x.length);
    fast.tanh(out, x);
    x.forEach((v, i) => {
      const want = Math.tanh(v);
      assert.ok(Math.abs(out[i]! - want) <= 3e-7, `tanh(${v}) = ${out[i]} vs ${want}`);
      if (Math.abs(v) < 0.625 && v !== 0) assert.ok(Math.abs(out[i]! - want) <= 3e-7 * Math.abs(want));
    });
  });
});

if (typeof native !== 'string') describe('the native binding checks what it is given', () => {
  it('refuses arrays shorter than the sizes say, naming the argument, before any kernel runs', () => {
    const [B, T, H] = [2, 3, 4];
    const ok = (n: number): Float32Array => new Float32Array(n);
    // hs must hold T*B*H floats; one short would be a write past its end
    assert.throws(() => native.recurrenceForward({ hs: ok(T * B * H - 1), saved: ok(0), xw: ok(T * B * H), wh: ok(H * H), bh: ok(H), h0: ok(B * H), c0: ok(0), B, T, H, cell: 'rnn-tanh' }),
      (e: unknown) => e instanceof RangeError && /hs/.test(e.message));
    assert.throws(() => native.gatherRows(ok(6), ok(4), Int32Array.of(0, 1, 5), 3, 2), RangeError); // row 5 of a 2-row table
    assert.throws(() => native.transpose(ok(12), ok(11), 3, 4), (e: unknown) => e instanceof RangeError && /transpose: a/.test(e.message));
    assert.throws(() => native.transpose(ok(11), ok(12), 3, 4), (e: unknown) => e instanceof RangeError && /transpose: out/.test(e.message));
    assert.throws(() => native.linearCrossEntropy({ hs: ok(8), whq: ok(8), bq: ok(4), labels: Int32Array.of(0, 1, 1), N: 4, H: 2, V: 4, dhs: null, dwhq: null, dbq: null, gradScale: 1 }),
      (e: unknown) => e instanceof RangeError && /labels/.test(e.message)); // 3 labels for 4 rows
  });
});

describe('the fused path on each backend equals the book path', () => {
  const before = getBackend();
  after(() => setBackend(before));
  for (const fast of FAST) {
    it(`${fast.name}: loss and every gradient, hidden 13, vocabulary 7, batch 5, steps 9`, () => {
      setBackend(fast);
      const X = new IntTensor(ints(45, 7), [5, 9]);
      const Y = new IntTensor(ints(45, 7), [5, 9]);
      const results = [false, true].map((fused) => {
        const r = new Rng(3);
        const model = new RNNLMScratch(new RNNScratch({ numInputs: 7, numHiddens: 13, sigma: 0.5, rng: r }), { vocabSize: 7, fused, rng: r });
        const loss = model.trainingStep([X, Y]);
        loss.backward();
        return { loss: loss.item(), grads: model.params.grads };
      });
      assert.ok(Math.abs(results[0]!.loss - results[1]!.loss) < 1e-5);
      assert.ok(maxAbsDiff(results[0]!.grads, results[1]!.grads) < 1e-5);
    });
  }
});
