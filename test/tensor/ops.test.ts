// Every operation's gradient against float64 finite differences, and values against hand-computed ones.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradCheck, param, project } from '../helpers.js';
import { noGrad } from '../../src/tensor/autograd.js';
import { checkLen, checkShape } from '../../src/tensor/check.js';
import * as F from '../../src/tensor/ops.js';
import { CELLS, gateCount, hasCellState } from '../../src/backend/cells.js';
import { Rng } from '../../src/tensor/random.js';
import { IntTensor, randn, tensor } from '../../src/tensor/tensor.js';

const rng = new Rng(7);
const idx = (values: number[], shape: number[]): IntTensor => new IntTensor(Int32Array.from(values), shape);

describe('values', () => {
  it('linear equals matmul then add: [[1,2],[3,4]] @ [[5],[6]] + [1] = [[18],[40]], and (3,2) rows', () => {
    assert.deepEqual([...F.linear(tensor([1, 2, 3, 4], [2, 2]), tensor([5, 6], [2, 1]), tensor([1], [1])).data], [18, 40]);
    // 3 rows of 2 columns: the bias rows are laid out by doubling copies (1, 2, then the last 1 of 3)
    const y = F.linear(tensor([1, 0, 0, 1, 1, 1], [3, 2]), tensor([1, 2, 3, 4], [2, 2]), tensor([10, 20], [2]));
    assert.deepEqual([...y.data], [11, 22, 13, 24, 14, 26]);
    assert.throws(() => F.linear(tensor([1, 2], [1, 2]), tensor([1, 2], [2, 1]), tensor([1, 2], [2])), /linear: shapes/);
  });
  it('matmul and bias add: [[1,2],[3,4]] @ [[5],[6]] + [1] = [[18],[40]]', () => {
    const c = F.add(F.matmul(tensor([1, 2, 3, 4], [2, 2]), tensor([5, 6], [2, 1])), tensor([1], [1]));
    assert.deepEqual([...c.data], [18, 40]); // 1*5+2*6+1, 3*5+4*6+1
  });
  it('one-hot times a table equals the row gather', () => {
    const table = randn(rng, [5, 3]);
    const i = idx([4, 0, 2], [3]);
    assert.deepEqual([...F.matmul(F.oneHot(i, 5), table).data], [...F.gather(table, i).data]);
  });
  it('cross-entropy of uniform logits is log V', () => {
    const l = F.crossEntropy(tensor(new Array(8).fill(0.3), [2, 4]), idx([1, 3], [2]));
    assert.ok(Math.abs(l.item() - Math.log(4)) < 1e-6);
  });
  it('transpose swaps axes of a 3-D tensor', () => {
    const t = tensor([0, 1, 2, 3, 4, 5], [1, 2, 3]);
    const u = F.transpose(t, 1, 2); // (1,3,2): u[0,j,i] = t[0,i,j]
    assert.deepEqual(u.shape, [1, 3, 2]);
    assert.deepEqual([...u.data], [0, 3, 1, 4, 2, 5]);
  });
  it('transpose equals the element-by-element definition for every pair of axes, across tile edges', () => {
    // shapes with axes above and below the 32-wide tiles, and axes before, between and after the swapped two
    for (const shape of [[70, 33], [1, 40, 3], [3, 37, 2, 35], [2, 3, 4, 5, 2], [65, 1]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const t = tensor(Array.from({ length: n }, (_, i) => i), shape);
      const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
      for (let d0 = 0; d0 < shape.length; d0++) for (let d1 = 0; d1 < shape.length; d1++) {
        const u = F.transpose(t, d0, d1);
        const outShape = [...shape];
        [outShape[d0], outShape[d1]] = [shape[d1]!, shape[d0]!];
        assert.deepEqual(u.shape, outShape);
        const index = new Array<number>(shape.length).fill(0);
        for (let o = 0; o < n; o++) {
          // u[..., i, ..., j, ...] = t[..., j, ..., i, ...]
          const src = index.reduce((s, v, k) => s + v * strides[k === d0 ? d1 : k === d1 ? d0 : k]!, 0);
          assert.equal(u.data[o], src, `shape ${shape} axes ${d0},${d1} at ${o}`);
          for (let k = shape.length - 1; k >= 0 && ++index[k]! === outShape[k]!; k--) index[k] = 0;
        }
      }
    }
  });
  it('concat joins along an axis as torch.cat; flip reverses as torch.flip', () => {
    const a = tensor([1, 2, 3, 4], [2, 2]);
    const b = tensor([5, 6], [2, 1]);
    assert.deepEqual([...F.concat([a, b], 1).data], [1, 2, 5, 3, 4, 6]); // [[1,2,5],[3,4,6]]
    assert.deepEqual([...F.concat([a, a], 0).data], [1, 2, 3, 4, 1, 2, 3, 4]);
    assert.deepEqual([...F.flip(a, 0).data], [3, 4, 1, 2]);
    assert.deepEqual([...F.flip(a, 1).data], [2, 1, 4, 3]);
    assert.deepEqual([...F.narrow(tensor([1, 2, 3, 4, 5, 6], [2, 3]), 1, 1, 2).data], [2, 3, 5, 6]); // columns 1..2
  });
  it('sigmoid(0) = 1/2 and 1 - sigmoid(x) = sigmoid(-x)', () => {
    assert.equal(F.sigmoid(tensor([0], [1])).item(), 0.5);
    const x = tensor([0.3, -2, 5], [3], 'float64');
    const lhs = F.rsub(F.sigmoid(x), 1).data;
    const rhs = F.sigmoid(F.mulScalar(x, -1)).data;
    lhs.forEach((v, i) => assert.ok(Math.abs(v - rhs[i]!) < 1e-15));
  });
  it('stack then unstack returns the parts', () => {
    const a = tensor([1, 2], [2]);
    const b = tensor([3, 4], [2]);
    const s = F.stack([a, b], 1);
    assert.deepEqual([...s.data], [1, 3, 2, 4]);
    assert.deepEqual(F.unstack(s, 1).map((t) => [...t.data]), [[1, 2], [3, 4]]);
  });
  it('rejects shapes that do not fit, with the shapes in the message', () => {
    assert.throws(() => F.matmul(tensor([1, 2], [1, 2]), tensor([1, 2, 3], [3, 1])), /\(1, 2\) and \(3, 1\)/);
    assert.throws(() => F.add(tensor([1, 2], [2]), tensor([1, 2, 3], [3])), /do not broadcast/);
    assert.throws(() => F.gather(tensor([1, 2], [1, 2]), idx([1], [1])), /out of range/);
  });
  it('noGrad records nothing', () => {
    const w = param(rng, [2, 2]);
    const y = noGrad(() => F.tanh(w));
    assert.equal(y.node, null);
    assert.equal(y.requiresGrad, false);
  });
});

describe('gradients against float64 finite differences', () => {
  it('matmul, with leading axes as rows', () => {
    const a = param(rng, [2, 3, 4]);
    const b = param(rng, [4, 5]);
    gradCheck([a, b], () => project(F.matmul(a, b)));
  });
  it('linear (x W + b in one op), with leading axes as rows', () => {
    const x = param(rng, [2, 3, 4]);
    const w = param(rng, [4, 5]);
    const b = param(rng, [5]);
    gradCheck([x, w, b], () => project(F.linear(x, w, b)));
  });
  it('add with bias broadcasting', () => {
    const a = param(rng, [3, 4]);
    const b = param(rng, [4]);
    gradCheck([a, b], () => project(F.add(a, b)));
  });
  it('tanh, relu, exp', () => {
    const x = param(rng, [3, 5]);
    gradCheck([x], () => project(F.tanh(x)));
    gradCheck([x], () => project(F.exp(x)));
    for (let i = 0; i < x.size; i++) if (Math.abs(x.data[i]!) < 1e-3) x.data[i] = 0.5; // keep off relu's kink
    gradCheck([x], () => project(F.relu(x)));
  });
  it('reshape and transpose', () => {
    const x = param(rng, [2, 3, 4]);
    gradCheck([x], () => project(F.transpose(F.reshape(x, [3, -1, 2]), 0, 2)));
  });
  it('stack and unstack', () => {
    const a = param(rng, [2, 3]);
    const b = param(rng, [2, 3]);
    gradCheck([a, b], () => project(F.stack(F.unstack(F.stack([a, b], 1), 0), 0)));
  });
  it('gather (embedding lookup) with repeated rows', () => {
    const table = param(rng, [5, 3]);
    gradCheck([table], () => project(F.gather(table, idx([1, 4, 1, 0], [2, 2]))));
  });
  it('mean softmax cross-entropy', () => {
    const z = param(rng, [6, 4], 2);
    gradCheck([z], () => F.crossEntropy(z, idx([0, 3, 2, 2, 1, 0], [6])));
  });
  for (const cell of CELLS) {
    for (const T of [1, 4]) {
      it(`fused recurrence (${cell}), hidden 5, batch 3, steps ${T}, gradients of xw, wh, bh and the initial state`, () => {
        const [H, B, G] = [5, 3, gateCount(cell)];
        const xw = param(rng, [T, B, G * H], 0.8);
        const wh = param(rng, [H, G * H], 0.5);
        const bh = param(rng, [G * H], 0.5);
        const state = (hasCellState(cell) ? [0, 1] : [0]).map(() => param(rng, [B, H], 0.5));
        // relu is not differentiable at 0; these inputs keep every pre-activation well away from it
        gradCheck([xw, wh, bh, ...state], () => project(F.recurrence(xw, wh, bh, state, cell)[0]));
      });
    }
  }
  it('the recurrence\'s final state is the last hidden state (and, for the LSTM, the last cell state)', () => {
    const [T, B, H] = [3, 2, 4];
    const [hs, [h, c]] = F.recurrence(param(rng, [T, B, 4 * H]), param(rng, [H, 4 * H]), param(rng, [4 * H]), [param(rng, [B, H]), param(rng, [B, H])], 'lstm');
    assert.deepEqual([...h!.data], [...hs.data.subarray(2 * B * H)]);
    assert.equal(c!.shape.join(), `${B},${H}`);
    assert.equal(h!.requiresGrad, false);
  });
  it('sub and mul, elementwise and with a bias or a scalar broadcast', () => {
    const a = param(rng, [2, 3, 4]);
    const b = param(rng, [2, 3, 4]);
    const bias = param(rng, [4]);
    const c = param(rng, []);
    gradCheck([a, b, bias, c], () => project(F.mul(F.sub(F.mul(a, b), bias), F.sub(c, F.mul(bias, a)))));
  });
  it('scalar arithmetic: addScalar, mulScalar, rsub', () => {
    const a = param(rng, [3, 2]);
    gradCheck([a], () => project(F.mul(F.rsub(a, 1), F.addScalar(F.mulScalar(a, -2.5), 0.5))));
  });
  it('sigmoid', () => {
    const x = param(rng, [3, 5], 2);
    gradCheck([x], () => project(F.sigmoid(x)));
  });
  for (const axis of [0, 1, 2]) {
    it(`concat along axis ${axis}`, () => {
      const shape = (w: number): number[] => [2, 3, 4].map((d, i) => (i === axis ? w : d));
      const [a, b, c] = [param(rng, shape(1)), param(rng, shape(2)), param(rng, shape(3))];
      gradCheck([a, b, c], () => project(F.concat([a, b, c], axis)));
    });
    it(`narrow along axis ${axis}`, () => {
      const x = param(rng, [2, 3, 4]);
      gradCheck([x], () => project(F.narrow(x, axis, 1, 1)));
    });
    it(`flip along axis ${axis}`, () => {
      const x = param(rng, [2, 3, 4]);
      gradCheck([x], () => project(F.flip(x, axis)));
    });
  }
  it('fused output layer with cross-entropy', () => {
    const [N, H, V] = [6, 4, 5];
    const hs = param(rng, [2, 3, H]);
    const whq = param(rng, [H, V]);
    const bq = param(rng, [V]);
    gradCheck([hs, whq, bq], () => F.linearCrossEntropy(hs, whq, bq, idx([0, 4, 2, 2, 1, 3], [N])));
  });
});

describe('the book\'s shape checks', () => {
  it('passes on the right shape and length, and fails with the book\'s messages', () => {
    checkShape(tensor([1, 2], [1, 2]), [1, 2]);
    checkLen([1, 2, 3], 3);
    assert.throws(() => checkShape(tensor([1, 2], [1, 2]), [2, 1]), { message: "tensor's shape (1, 2) != expected shape (2, 1)" });
    assert.throws(() => checkLen([1], 2), { message: "list's length 1 != expected length 2" });
  });
});
