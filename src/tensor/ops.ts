// The tensor operations the book's RNN uses, and the one table of their derivative rules.
// Each rule has a forward (values) and a backward (dL/dinputs from dL/dout), with the derivative in a comment.
// A missing rule is a compile error: RULES is typed as { [P in keyof Attrs]: Rule<Attrs[P]> }.
// Matrix products and the fused RNN kernels go to the selected backend; float64 always uses the reference.
import type { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/current.js';
import { gateCount, hasCellState, savedBlocks, type Cell } from '../backend/cells.js';
import { backward as runBackward, record, shouldRecord } from './autograd.js';
import { recycle } from './buffer-pool.js';
import { Tensor, IntTensor, alloc, dtypeOf, sizeOf, type DType, type FloatArray } from './tensor.js';

/** The attributes (non-tensor arguments) of each primitive. */
interface Attrs {
  matmul: null;
  linear: null;
  add: null;
  sub: null;
  mul: null;
  tanh: null;
  sigmoid: null;
  relu: null;
  exp: null;
  reshape: { shape: number[] };
  transpose: { dim0: number; dim1: number };
  stack: { axis: number };
  concat: { axis: number };
  flip: { axis: number };
  narrow: { axis: number; start: number; length: number };
  select: { axis: number; index: number };
  gather: { indices: IntTensor };
  crossEntropy: { labels: IntTensor };
  recurrence: { cell: Cell };
  linearCrossEntropy: { labels: IntTensor };
}

interface Forward {
  data: FloatArray;
  shape: number[];
  /** Whatever backward needs beyond inputs and output. */
  saved?: FloatArray[];
}

interface Rule<A> {
  /** The inputs whose values backward reads (default: all); the others may be released once the forward is done. */
  reads?: readonly number[];
  /** Whether backward reads the output's values (default: true). */
  readsOutput?: boolean;
  /** Computes the output; recording says a backward pass will follow. */
  forward(xs: readonly Tensor[], attrs: A, recording: boolean): Forward;
  /** dL/dx for each input from g = dL/dout. */
  backward(g: FloatArray, xs: readonly Tensor[], out: Tensor, attrs: A, saved: FloatArray[]): (FloatArray | null)[];
}

/** The kernels: the backend in use (every backend sends float64, gradient checks, to the reference: backend/dispatch.ts). */
function kernels(): Backend {
  return getBackend();
}

function like(a: FloatArray, n = a.length): FloatArray {
  return alloc(dtypeOf(a), n);
}

/** like, for an output the kernel writes whole before reading it: a recycled array is not zeroed first (buffer-pool.ts). */
function likeWritten(a: FloatArray, n = a.length): FloatArray {
  return alloc(dtypeOf(a), n, false);
}

function map(x: FloatArray, f: (v: number) => number): FloatArray {
  const out = like(x);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!);
  return out;
}

function fmt(shape: readonly number[]): string {
  return `(${shape.join(', ')})`;
}

/**
 * Swaps axes d0 and d1 of row-major data with the given shape. The shape is read as (outer, A, mid, B, inner) around
 * the two axes. Where it is a stack of matrices (mid and inner 1: a weight's .T, once a batch each way in the concise
 * layers) the backend's transpose runs; otherwise the copy goes by tiles of A x B, so that reads and writes both stay
 * within a few cache lines (by index arithmetic per element, a 4 MB weight took 80 ms).
 */
function swapAxes(x: FloatArray, shape: readonly number[], d0: number, d1: number): FloatArray {
  const [lo, hi] = d0 < d1 ? [d0, d1] : [d1, d0];
  if (lo === hi) {
    const copy = like(x);
    copy.set(x);
    return copy;
  }
  const A = shape[lo]!;
  const B = shape[hi]!;
  const outer = sizeOf(shape.slice(0, lo));
  const mid = sizeOf(shape.slice(lo + 1, hi));
  const inner = sizeOf(shape.slice(hi + 1));
  const out = likeWritten(x); // written whole, by either path
  if (mid === 1 && inner === 1) {
    for (let o = 0; o < outer; o++) kernels().transpose(out.subarray(o * A * B, (o + 1) * A * B), x.subarray(o * A * B, (o + 1) * A * B), A, B);
    return out;
  }
  const TILE = 32;
  for (let o = 0; o < outer; o++) {
    for (let m = 0; m < mid; m++) {
      for (let a0 = 0; a0 < A; a0 += TILE) {
        const a1 = Math.min(a0 + TILE, A);
        for (let b0 = 0; b0 < B; b0 += TILE) {
          const b1 = Math.min(b0 + TILE, B);
          for (let b = b0; b < b1; b++) {
            // x[o, a, m, b, :] -> out[o, b, m, a, :]
            let src = (((o * A + a0) * mid + m) * B + b) * inner;
            let dst = (((o * B + b) * mid + m) * A + a0) * inner;
            const srcStep = mid * B * inner;
            if (inner === 1) {
              for (let a = a0; a < a1; a++, src += srcStep, dst++) out[dst] = x[src]!;
            } else {
              for (let a = a0; a < a1; a++, src += srcStep, dst += inner) out.set(x.subarray(src, src + inner), dst);
            }
          }
        }
      }
    }
  }
  return out;
}

type Binary = 'add' | 'sub' | 'mul';

/**
 * a op b where one shape is a suffix of the other (a bias, or a scalar of shape []); out has the larger shape.
 * Loops run row by row over the small operand's length, with the operation inlined (this is on the hot path of the
 * concise layers' input bias).
 */
function broadcast(a: Tensor, b: Tensor, name: Binary): Forward {
  const aBig = a.size > b.size || (a.size === b.size && a.shape.length >= b.shape.length);
  const [big, small] = aBig ? [a, b] : [b, a];
  const tail = big.shape.slice(big.shape.length - small.shape.length);
  if (small.shape.length > big.shape.length || tail.some((d, i) => d !== small.shape[i])) {
    throw new Error(`${name}: shapes ${fmt(a.shape)} and ${fmt(b.shape)} do not broadcast`);
  }
  const out = like(big.data);
  const [x, y, n] = [big.data, small.data, small.size];
  const sign = name === 'sub' ? (aBig ? 1 : -1) : 1; // a - b = sign * (big - small) when small is b; small - big otherwise
  for (let r = 0; r < out.length; r += n) {
    if (name === 'add') for (let j = 0; j < n; j++) out[r + j] = x[r + j]! + y[j]!;
    else if (name === 'mul') for (let j = 0; j < n; j++) out[r + j] = x[r + j]! * y[j]!;
    else for (let j = 0; j < n; j++) out[r + j] = sign * (x[r + j]! - y[j]!);
  }
  return { data: out, shape: [...big.shape] };
}

/**
 * g summed over the repeats of a broadcast operand t (g itself when t has the full size). Many repeats (a bias's
 * gradient over every row of a layer's projection, 2,500 x 2,048 at char-rnn's LSTM) are the product ones (1,R) @ g
 * (R,n) on the backend's kernels, which read g once in vectors; a TypeScript loop took 7 ms a batch.
 */
function reduceTo(g: FloatArray, t: Tensor): FloatArray {
  if (t.size === g.length) return g;
  const n = t.size;
  const repeats = g.length / n;
  const d = like(g, n);
  if (repeats >= 64) kernels().matmul(d, onesOf(g, repeats), g, 1, repeats, n, false, false);
  else for (let r = 0; r < g.length; r += n) for (let j = 0; j < n; j++) d[j] = d[j]! + g[r + j]!;
  return d;
}

let ones32 = new Float32Array(0);
let ones64 = new Float64Array(0);

/** n ones of g's type, from arrays kept and grown as needed. */
function onesOf(g: FloatArray, n: number): FloatArray {
  if (g instanceof Float64Array) {
    if (ones64.length < n) ones64 = new Float64Array(n).fill(1);
    return ones64.subarray(0, n);
  }
  if (ones32.length < n) ones32 = new Float32Array(n).fill(1);
  return ones32.subarray(0, n);
}

/** Row-major data with the order along one axis reversed. */
function flipAxis(x: FloatArray, shape: readonly number[], axis: number): FloatArray {
  const n = shape[axis]!;
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const out = like(x);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < n; i++) out.set(x.subarray((o * n + i) * inner, (o * n + i + 1) * inner), (o * n + n - 1 - i) * inner);
  }
  return out;
}

function checkIndices(idx: Int32Array, n: number, what: string): void {
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i]!;
    if (v < 0 || v >= n) throw new Error(`${what}: index ${v} is out of range [0, ${n})`);
  }
}

/** Splits a matmul operand into (rows, cols): leading axes of a flatten into rows. */
function asMatrix(t: Tensor): [number, number] {
  const k = t.shape[t.shape.length - 1] ?? 1;
  return [t.size / k, k];
}

/** The gradients of a @ b (a (..., k) as rows, b (k, m)) from g = dL/d(a b): da = g b^T, db = a^T g (matmul, linear). */
function productGradients(g: FloatArray, a: Tensor, b: Tensor): [FloatArray, FloatArray] {
  const [n, k] = asMatrix(a);
  const m = b.shape[1]!;
  const be = kernels();
  const da = likeWritten(g, n * k); // matmul overwrites its output
  const db = likeWritten(g, k * m);
  be.matmul(da, g, b.data, n, m, k, false, true);
  be.matmul(db, a.data, g, k, n, m, true, false);
  return [da, db];
}

const RULES: { [P in keyof Attrs]: Rule<Attrs[P]> } = {
  // C = A B with A (n,k) (leading axes flattened), B (k,m): dA = dC B^T, dB = A^T dC
  matmul: {
    readsOutput: false,
    forward([a, b]) {
      const [n, k] = asMatrix(a!);
      if (b!.shape.length !== 2 || b!.shape[0] !== k) throw new Error(`matmul: shapes ${fmt(a!.shape)} and ${fmt(b!.shape)} do not fit`);
      const m = b!.shape[1]!;
      const out = likeWritten(a!.data, n * m);
      kernels().matmul(out, a!.data, b!.data, n, k, m, false, false);
      return { data: out, shape: [...a!.shape.slice(0, -1), m] };
    },
    backward(g, [a, b]) {
      return productGradients(g, a!, b!);
    },
  },
  // x W + b in one output array (PyTorch's addmm): the rows start as b and the product is added onto them, so a
  // layer's input projection (128 MB at 32,768 rows x 1,024) is made once, not once by matmul and again by add.
  // Gradients: dx = g W^T, dW = x^T g, db = g summed over rows.
  linear: {
    reads: [0, 1],
    readsOutput: false,
    forward([x, w, b]) {
      const [n, k] = asMatrix(x!);
      const m = w!.shape[1]!;
      if (w!.shape.length !== 2 || w!.shape[0] !== k || b!.shape.join() !== `${m}`) {
        throw new Error(`linear: shapes ${fmt(x!.shape)}, ${fmt(w!.shape)} and ${fmt(b!.shape)} do not fit`);
      }
      const out = likeWritten(x!.data, n * m); // every row starts as b
      if (n > 0) {
        out.set(b!.data);
        for (let filled = m; filled < n * m; filled *= 2) out.copyWithin(filled, 0, Math.min(filled, n * m - filled));
      }
      kernels().matmul(out, x!.data, w!.data, n, k, m, false, false, true);
      return { data: out, shape: [...x!.shape.slice(0, -1), m] };
    },
    backward(g, [x, w, b]) {
      return [...productGradients(g, x!, w!), reduceTo(g, b!)];
    },
  },
  // a + b (one shape a suffix of the other: a bias, or a scalar of shape []): each gets g, summed over its repeats
  add: {
    forward([a, b]) {
      return broadcast(a!, b!, 'add');
    },
    backward(g, [a, b]) {
      return [reduceTo(g, a!), reduceTo(g, b!)];
    },
  },
  // a - b, broadcast as add: da = g, db = -g (each summed over its repeats)
  sub: {
    forward([a, b]) {
      return broadcast(a!, b!, 'sub');
    },
    backward(g, [a, b]) {
      const neg = like(g);
      for (let i = 0; i < g.length; i++) neg[i] = -g[i]!;
      return [reduceTo(g, a!), reduceTo(neg, b!)];
    },
  },
  // a * b elementwise, broadcast as add: da = g * b, db = g * a (each summed over its repeats)
  mul: {
    forward([a, b]) {
      return broadcast(a!, b!, 'mul');
    },
    backward(g, [a, b]) {
      const times = (t: Tensor): FloatArray => {
        const d = like(g);
        const n = t.size;
        for (let r = 0; r < g.length; r += n) for (let j = 0; j < n; j++) d[r + j] = g[r + j]! * t.data[j]!;
        return d;
      };
      return [reduceTo(times(b!), a!), reduceTo(times(a!), b!)];
    },
  },
  // y = tanh(x): dy/dx = 1 - y^2
  tanh: {
    reads: [], // the output only
    forward([x]) {
      return { data: map(x!.data, Math.tanh), shape: [...x!.shape] };
    },
    backward(g, _xs, out) {
      const d = like(g);
      for (let i = 0; i < g.length; i++) d[i] = g[i]! * (1 - out.data[i]! * out.data[i]!);
      return [d];
    },
  },
  // y = 1 / (1 + exp(-x)): dy/dx = y (1 - y)
  sigmoid: {
    reads: [], // the output only
    forward([x]) {
      return { data: map(x!.data, (v) => 1 / (1 + Math.exp(-v))), shape: [...x!.shape] };
    },
    backward(g, _xs, out) {
      const d = like(g);
      for (let i = 0; i < g.length; i++) d[i] = g[i]! * out.data[i]! * (1 - out.data[i]!);
      return [d];
    },
  },
  // y = max(x, 0): dy/dx = 1 where x > 0, else 0
  relu: {
    readsOutput: false,
    forward([x]) {
      return { data: map(x!.data, (v) => (v > 0 ? v : 0)), shape: [...x!.shape] };
    },
    backward(g, [x]) {
      const d = like(g);
      for (let i = 0; i < g.length; i++) d[i] = x!.data[i]! > 0 ? g[i]! : 0;
      return [d];
    },
  },
  // y = exp(x): dy/dx = y
  exp: {
    reads: [], // the output only
    forward([x]) {
      return { data: map(x!.data, Math.exp), shape: [...x!.shape] };
    },
    backward(g, _xs, out) {
      const d = like(g);
      for (let i = 0; i < g.length; i++) d[i] = g[i]! * out.data[i]!;
      return [d];
    },
  },
  // a view with another shape: the gradient is g with the input's shape
  reshape: {
    forward([x], { shape }) {
      return { data: x!.data, shape };
    },
    backward(g) {
      return [g];
    },
  },
  // swap two axes: the gradient swaps them back
  transpose: {
    forward([x], { dim0, dim1 }) {
      const shape = [...x!.shape];
      [shape[dim0], shape[dim1]] = [x!.shape[dim1]!, x!.shape[dim0]!];
      return { data: swapAxes(x!.data, x!.shape, dim0, dim1), shape };
    },
    backward(g, _xs, out, { dim0, dim1 }) {
      return [swapAxes(g, out.shape, dim0, dim1)];
    },
  },
  // out[..., i, ...] = xs[i]: input i's gradient is slice i of g along the axis
  stack: {
    forward(xs, { axis }) {
      const first = xs[0]!;
      for (const x of xs) if (x.shape.join() !== first.shape.join()) throw new Error(`stack: shapes ${fmt(first.shape)} and ${fmt(x.shape)} differ`);
      const outer = sizeOf(first.shape.slice(0, axis));
      const inner = sizeOf(first.shape.slice(axis));
      const out = like(first.data, first.size * xs.length);
      xs.forEach((x, i) => {
        for (let o = 0; o < outer; o++) out.set(x.data.subarray(o * inner, (o + 1) * inner), (o * xs.length + i) * inner);
      });
      return { data: out, shape: [...first.shape.slice(0, axis), xs.length, ...first.shape.slice(axis)] };
    },
    backward(g, xs, _out, { axis }) {
      const first = xs[0]!;
      const outer = sizeOf(first.shape.slice(0, axis));
      const inner = sizeOf(first.shape.slice(axis));
      return xs.map((_, i) => {
        const d = like(g, first.size);
        for (let o = 0; o < outer; o++) d.set(g.subarray((o * xs.length + i) * inner, (o * xs.length + i + 1) * inner), o * inner);
        return d;
      });
    },
  },
  // joins along an existing axis, as torch.cat: input i's gradient is its slice of g along the axis
  concat: {
    forward(xs, { axis }) {
      const first = xs[0]!;
      const rest = (t: Tensor): string => [...t.shape.slice(0, axis), ...t.shape.slice(axis + 1)].join();
      for (const x of xs) {
        if (x.shape.length !== first.shape.length || rest(x) !== rest(first)) throw new Error(`concat: shapes ${fmt(first.shape)} and ${fmt(x.shape)} differ off axis ${axis}`);
      }
      const outer = sizeOf(first.shape.slice(0, axis));
      const widths = xs.map((x) => x.size / outer); // each input's contiguous run per outer index
      const total = widths.reduce((p, w) => p + w, 0);
      const out = like(first.data, outer * total);
      let offset = 0;
      xs.forEach((x, i) => {
        const w = widths[i]!;
        for (let o = 0; o < outer; o++) out.set(x.data.subarray(o * w, (o + 1) * w), o * total + offset);
        offset += w;
      });
      const shape = [...first.shape];
      shape[axis] = xs.reduce((p, x) => p + x.shape[axis]!, 0);
      return { data: out, shape };
    },
    backward(g, xs, _out, { axis }) {
      const outer = sizeOf(xs[0]!.shape.slice(0, axis));
      const widths = xs.map((x) => x.size / outer);
      const total = widths.reduce((p, w) => p + w, 0);
      let offset = 0;
      return xs.map((x, i) => {
        const w = widths[i]!;
        const d = like(g, x.size);
        for (let o = 0; o < outer; o++) d.set(g.subarray(o * total + offset, o * total + offset + w), o * w);
        offset += w;
        return d;
      });
    },
  },
  // x[..., start:start+length, ...] along an axis, as torch.narrow: the gradient is g placed there, zeros elsewhere
  narrow: {
    forward([x], { axis, start, length }) {
      const n = x!.shape[axis]!;
      const outer = sizeOf(x!.shape.slice(0, axis));
      const inner = sizeOf(x!.shape.slice(axis + 1));
      const out = like(x!.data, outer * length * inner);
      for (let o = 0; o < outer; o++) out.set(x!.data.subarray((o * n + start) * inner, (o * n + start + length) * inner), o * length * inner);
      const shape = [...x!.shape];
      shape[axis] = length;
      return { data: out, shape };
    },
    backward(g, [x], _out, { axis, start, length }) {
      const n = x!.shape[axis]!;
      const outer = sizeOf(x!.shape.slice(0, axis));
      const inner = sizeOf(x!.shape.slice(axis + 1));
      const d = like(g, x!.size);
      for (let o = 0; o < outer; o++) d.set(g.subarray(o * length * inner, (o + 1) * length * inner), (o * n + start) * inner);
      return [d];
    },
  },
  // reverses the order along an axis (time, for a backward-direction layer): the gradient is g reversed the same way
  flip: {
    forward([x], { axis }) {
      return { data: flipAxis(x!.data, x!.shape, axis), shape: [...x!.shape] };
    },
    backward(g, [x], _out, { axis }) {
      return [flipAxis(g, x!.shape, axis)];
    },
  },
  // out = x[..., index, ...] along axis: the gradient is g placed at that index, zeros elsewhere
  select: {
    forward([x], { axis, index }) {
      const n = x!.shape[axis]!;
      const outer = sizeOf(x!.shape.slice(0, axis));
      const inner = sizeOf(x!.shape.slice(axis + 1));
      const out = like(x!.data, outer * inner);
      for (let o = 0; o < outer; o++) out.set(x!.data.subarray((o * n + index) * inner, (o * n + index + 1) * inner), o * inner);
      return { data: out, shape: [...x!.shape.slice(0, axis), ...x!.shape.slice(axis + 1)] };
    },
    backward(g, [x], _out, { axis, index }) {
      const n = x!.shape[axis]!;
      const outer = sizeOf(x!.shape.slice(0, axis));
      const inner = sizeOf(x!.shape.slice(axis + 1));
      const d = like(g, x!.size);
      for (let o = 0; o < outer; o++) d.set(g.subarray(o * inner, (o + 1) * inner), (o * n + index) * inner);
      return [d];
    },
  },
  // out[i,:] = table[indices[i],:] (an embedding lookup): dtable[indices[i],:] += g[i,:]
  gather: {
    reads: [],
    readsOutput: false,
    forward([table], { indices }) {
      const [V, H] = table!.shape as [number, number];
      checkIndices(indices.data, V, 'gather');
      const out = likeWritten(table!.data, indices.data.length * H);
      kernels().gatherRows(out, table!.data, indices.data, indices.data.length, H);
      return { data: out, shape: [...indices.shape, H] };
    },
    backward(g, [table], _out, { indices }) {
      const H = table!.shape[1]!;
      const d = like(g, table!.size);
      kernels().scatterAddRows(d, g, indices.data, indices.data.length, H);
      return [d];
    },
  },
  // mean over rows of -log softmax(z)[y]: dL/dz = (softmax(z) - onehot(y)) / N
  crossEntropy: {
    forward([logits], { labels }) {
      const V = logits!.shape[logits!.shape.length - 1]!;
      const N = logits!.size / V;
      if (labels.data.length !== N) throw new Error(`crossEntropy: ${N} rows of logits but ${labels.data.length} labels`);
      checkIndices(labels.data, V, 'crossEntropy');
      const z = logits!.data;
      const probs = like(z);
      let loss = 0;
      for (let r = 0; r < N; r++) {
        let max = -Infinity;
        for (let v = 0; v < V; v++) max = Math.max(max, z[r * V + v]!);
        let sum = 0;
        for (let v = 0; v < V; v++) sum += Math.exp(z[r * V + v]! - max);
        for (let v = 0; v < V; v++) probs[r * V + v] = Math.exp(z[r * V + v]! - max) / sum;
        loss += Math.log(sum) + max - z[r * V + labels.data[r]!]!;
      }
      const out = like(z, 1);
      out[0] = loss / N;
      return { data: out, shape: [], saved: [probs] };
    },
    backward(g, [logits], _out, { labels }, [probs]) {
      const V = logits!.shape[logits!.shape.length - 1]!;
      const N = logits!.size / V;
      const d = like(g, logits!.size);
      const scale = g[0]! / N;
      for (let i = 0; i < d.length; i++) d[i] = probs![i]! * scale;
      for (let r = 0; r < N; r++) d[r * V + labels.data[r]!] = d[r * V + labels.data[r]!]! - scale;
      return [d];
    },
  },
  // The fused recurrence (cells.ts): all steps of one layer forward, and backprop through time in one kernel.
  // Inputs: xw (T,B,G*H) the input projection of every step, wh (H,G*H), bh (G*H), h0 (B,H), and c0 (B,H) for the
  // LSTM. Output hs (T,B,H); what the backward needs is saved (T,B,S*H).
  recurrence: {
    reads: [1, 3, 4], // wh, h0, c0: not xw (the input projection, released by the layers once this has run) nor bh
    forward(xs, { cell }) {
      const [xw, wh, bh, h0, c0] = xs as [Tensor, Tensor, Tensor, Tensor, Tensor | undefined];
      const [T, B, GH] = xw.shape as [number, number, number];
      const H = wh.shape[0]!;
      const G = gateCount(cell);
      const lstm = hasCellState(cell);
      if (xw.shape.length !== 3 || GH !== G * H || wh.shape.join() !== `${H},${G * H}` || bh.shape.join() !== `${G * H}`
        || h0.shape.join() !== `${B},${H}` || (lstm ? c0?.shape.join() !== `${B},${H}` : c0 !== undefined)) {
        throw new Error(`recurrence (${cell}): shapes xw ${fmt(xw.shape)}, wh ${fmt(wh.shape)}, bh ${fmt(bh.shape)}, h0 ${fmt(h0.shape)}${c0 ? `, c0 ${fmt(c0.shape)}` : ''} do not fit ${G} gate block(s) of hidden size ${H}`);
      }
      const hs = likeWritten(xw.data, T * B * H);
      const saved = likeWritten(xw.data, T * B * savedBlocks(cell) * H);
      kernels().recurrenceForward({ hs, saved, xw: xw.data, wh: wh.data, bh: bh.data, h0: h0.data, c0: c0?.data ?? like(hs, 0), B, T, H, cell });
      return { data: hs, shape: [T, B, H], saved: [saved] };
    },
    backward(g, xs, out, { cell }, [saved]) {
      const [xw, wh, , h0, c0] = xs as [Tensor, Tensor, Tensor, Tensor, Tensor | undefined];
      const [T, B, GH] = xw.shape as [number, number, number];
      const H = wh.shape[0]!;
      const [dxw, dwh, dbh, dh0, dc0] = [likeWritten(g, T * B * GH), like(g, H * GH), like(g, GH), like(g, B * H), like(g, c0 ? B * H : 0)];
      kernels().recurrenceBackward({ dxw, dwh, dbh, dh0, dc0, dhs: g, hs: out.data, saved: saved!, h0: h0.data, c0: c0?.data ?? like(g, 0), wh: wh.data, B, T, H, cell });
      return c0 ? [dxw, dwh, dbh, dh0, dc0] : [dxw, dwh, dbh, dh0];
    },
  },
  // Fused output layer + mean softmax cross-entropy: L = mean_r CE(hs[r] whq + bq, labels[r]).
  // The kernel computes d(mean)/d(inputs) during the forward (no logits kept); backward scales them by g.
  linearCrossEntropy: {
    forward([hs, whq, bq], { labels }, recording) {
      const H = hs!.shape[hs!.shape.length - 1]!;
      const N = hs!.size / H;
      const V = whq!.shape[1]!;
      if (whq!.shape[0] !== H || bq!.size !== V) throw new Error(`linearCrossEntropy: shapes ${fmt(hs!.shape)}, ${fmt(whq!.shape)}, ${fmt(bq!.shape)} do not fit`);
      if (labels.data.length !== N) throw new Error(`linearCrossEntropy: ${N} rows but ${labels.data.length} labels`);
      checkIndices(labels.data, V, 'linearCrossEntropy');
      // dhs is written, dwhq and dbq accumulated onto zeros
      const saved = recording ? [likeWritten(hs!.data), like(hs!.data, H * V), like(hs!.data, V)] : null;
      const sum = kernels().linearCrossEntropy({ hs: hs!.data, whq: whq!.data, bq: bq!.data, labels: labels.data, N, H, V,
        dhs: saved?.[0] ?? null, dwhq: saved?.[1] ?? null, dbq: saved?.[2] ?? null, gradScale: 1 / N });
      const out = like(hs!.data, 1);
      out[0] = sum / N;
      return saved ? { data: out, shape: [], saved } : { data: out, shape: [] };
    },
    backward(g, _xs, _out, _attrs, saved) {
      // the saved arrays are d(mean)/dinput and used once: scale in place (a loss's own g is 1: nothing to do)
      const scale = g[0]!;
      if (scale !== 1) for (const s of saved) for (let i = 0; i < s.length; i++) s[i] = s[i]! * scale;
      return saved;
    },
  },
};

/**
 * Runs a primitive and, when gradients are on and an input needs one, records it on the tape. Without the tape
 * (noGrad: validation and scoring, inside a buffer scope) what the forward saved for a backward is dead at once and
 * goes back to the buffer pool, so a forward-only pass holds less than a training step.
 */
function apply<P extends keyof Attrs>(op: P, xs: readonly Tensor[], attrs: Attrs[P]): Tensor {
  const [out, saved] = applySaving(op, xs, attrs);
  if (out.node === null) for (const s of saved) recycle(s);
  return out;
}

/**
 * apply, also returning what the forward saved (the recurrence's final cell state is in it); without the tape the
 * caller recycles the saved arrays once it has read them.
 */
function applySaving<P extends keyof Attrs>(op: P, xs: readonly Tensor[], attrs: Attrs[P]): [Tensor, FloatArray[]] {
  const rule = RULES[op] as Rule<Attrs[P]>;
  if (xs.some((x) => x.released)) throw new Error(`${op}: an input's values were released (release) and are gone`);
  const recording = shouldRecord(xs);
  const f = rule.forward(xs, attrs, recording);
  const out = new Tensor(f.data, f.shape);
  out.intermediate = true;
  const saved = f.saved ?? [];
  // an output that shares an input's memory (reshape) and that input keep each other: releasing either frees both
  for (const x of xs) if (x.data.buffer === out.data.buffer) x.kept = out.kept = true;
  if (!recording) return [out, saved];
  for (const i of rule.reads ?? xs.keys()) if (xs[i]) xs[i].kept = true; // (c0: the LSTM only)
  if (rule.readsOutput ?? true) out.kept = true;
  return [record(out, { op, inputs: xs, backward: (g) => rule.backward(g, xs, out, attrs, saved), saved }), saved];
}

// ---- public operations -------------------------------------------------------------------------

/** Matrix product; leading axes of a are batch rows: (..., k) @ (k, m) -> (..., m). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  return apply('matmul', [a, b], null);
}
/**
 * Gives t's values back to the buffer pool before the scope ends (a training step, or a forward-only pass such as
 * validation: buffer-pool.ts), when the caller has no further use of t (nor of any view of it, such as a reshape)
 * and no recorded backward rule reads them: a layer's input projection (128 MB at 32,768 rows x 1,024) once the
 * recurrence has consumed it. Leaves, values some rule reads and values another tensor shares are left alone.
 * Either way t is marked released and an op given it afterwards throws; outside a scope nothing is recycled.
 */
export function release(t: Tensor): void {
  if (!t.intermediate || t.kept || t.released) return;
  t.released = true;
  recycle(t.data);
}
/** x @ w + b in one op (x (..., k), w (k, m), b (m)): matmul then add, without the intermediate product. */
export function linear(x: Tensor, w: Tensor, b: Tensor): Tensor {
  return apply('linear', [x, w, b], null);
}
/** Elementwise sum; the smaller operand's shape must be a suffix of the larger's (a bias). */
export function add(a: Tensor, b: Tensor): Tensor {
  return apply('add', [a, b], null);
}
/** Elementwise difference, broadcast as add. */
export function sub(a: Tensor, b: Tensor): Tensor {
  return apply('sub', [a, b], null);
}
/** Elementwise product, broadcast as add (a scalar tensor scales). */
export function mul(a: Tensor, b: Tensor): Tensor {
  return apply('mul', [a, b], null);
}
/** A 0-d constant tensor, for scalar arithmetic: F.sub(F.scalar(1), Z) is 1 - Z. */
export function scalar(value: number, dtype: DType = 'float32'): Tensor {
  const data = alloc(dtype, 1);
  data[0] = value;
  return new Tensor(data, []);
}
/** x + c for a number c. */
export function addScalar(x: Tensor, c: number): Tensor {
  return add(x, scalar(c, x.dtype));
}
/** x * c for a number c. */
export function mulScalar(x: Tensor, c: number): Tensor {
  return mul(x, scalar(c, x.dtype));
}
/** c - x for a number c (the book's 1 - Z). */
export function rsub(x: Tensor, c: number): Tensor {
  return sub(scalar(c, x.dtype), x);
}
export function sigmoid(x: Tensor): Tensor {
  return apply('sigmoid', [x], null);
}
export function tanh(x: Tensor): Tensor {
  return apply('tanh', [x], null);
}
export function relu(x: Tensor): Tensor {
  return apply('relu', [x], null);
}
export function exp(x: Tensor): Tensor {
  return apply('exp', [x], null);
}
/** Same values, another shape; one axis may be -1 (inferred). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const known = shape.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  const full = shape.map((d) => (d === -1 ? x.size / known : d));
  if (sizeOf(full) !== x.size || !full.every(Number.isInteger)) throw new Error(`reshape: cannot view ${fmt(x.shape)} as ${fmt(shape)}`);
  return apply('reshape', [x], { shape: full });
}
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  if (dim0 >= x.shape.length || dim1 >= x.shape.length) throw new Error(`transpose: axes ${dim0}, ${dim1} out of range for ${fmt(x.shape)}`);
  return apply('transpose', [x], { dim0, dim1 });
}
/** Stacks equal-shaped tensors along a new axis, as torch.stack. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new Error('stack: no tensors');
  return apply('stack', xs, { axis });
}
/** Joins tensors along an existing axis, as torch.cat. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new Error('concat: no tensors');
  const rank = xs[0]!.shape.length;
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`concat: axis ${axis} out of range for ${fmt(xs[0]!.shape)}`);
  return apply('concat', xs, { axis: a });
}
/** Reverses the order along an axis, as torch.flip (time reversal for a backward-direction layer). */
export function flip(x: Tensor, axis = 0): Tensor {
  if (axis < 0 || axis >= x.shape.length) throw new Error(`flip: axis ${axis} out of range for ${fmt(x.shape)}`);
  return apply('flip', [x], { axis });
}
/** length entries from start along an axis, as torch.narrow (a gate block of a stacked product, say). */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  const a = axis < 0 ? axis + x.shape.length : axis;
  const n = x.shape[a];
  if (n === undefined || a < 0 || !Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 1 || start + length > n) {
    throw new Error(`narrow: ${start}:${start + length} along axis ${axis} is outside ${fmt(x.shape)}`);
  }
  return apply('narrow', [x], { axis: a, start, length });
}
/** Splits along an axis into tensors without it, as list(x) or torch.unbind. */
export function unstack(x: Tensor, axis = 0): Tensor[] {
  return Array.from({ length: x.shape[axis]! }, (_, index) => apply('select', [x], { axis, index }));
}
/** Row lookup table[indices] -> (...indices.shape, H): an embedding, and exactly onehot(indices) @ table. */
export function gather(table: Tensor, indices: IntTensor): Tensor {
  return apply('gather', [table], { indices });
}
/** Mean softmax cross-entropy of logits (..., V) against integer labels, as F.cross_entropy. */
export function crossEntropy(logits: Tensor, labels: IntTensor): Tensor {
  return apply('crossEntropy', [logits], { labels });
}
/** One-hot encoding (..., depth) of integer indices, as F.one_hot(...).float(); not differentiable. */
export function oneHot(indices: IntTensor, depth: number, dtype: 'float32' | 'float64' = 'float32'): Tensor {
  checkIndices(indices.data, depth, 'oneHot');
  const out = alloc(dtype, indices.data.length * depth);
  indices.data.forEach((v, i) => (out[i * depth + v] = 1));
  return new Tensor(out, [...indices.shape, depth]);
}
/**
 * The fused recurrence of one layer (cells.ts): xw (T,B,G*H) the input projection of every step, wh (H,G*H),
 * bh (G*H), and the initial state [h0 (B,H)] or, for the LSTM, [h0, c0]. Returns every hidden state (T,B,H)
 * and the final state, detached ([h] or [h, c]), for the next batch or generation step to start from.
 */
export function recurrence(xw: Tensor, wh: Tensor, bh: Tensor, state: readonly Tensor[], cell: Cell): [Tensor, Tensor[]] {
  const lstm = hasCellState(cell);
  if (state.length !== (lstm ? 2 : 1)) throw new Error(`recurrence (${cell}): the state has ${state.length} tensor(s), expected ${lstm ? 2 : 1}`);
  const [hs, [saved]] = applySaving('recurrence', [xw, wh, bh, ...state], { cell });
  const [T, B, H] = hs.shape as [number, number, number];
  const last = (a: FloatArray, width: number, offset: number): Tensor => {
    const out = like(a, B * H);
    for (let b = 0; b < B; b++) out.set(a.subarray(((T - 1) * B + b) * width + offset, ((T - 1) * B + b) * width + offset + H), b * H);
    return new Tensor(out, [B, H]);
  };
  const final = [last(hs.data, H, 0)];
  if (lstm) final.push(last(saved!, savedBlocks(cell) * H, 4 * H)); // c is the fifth saved block
  if (hs.node === null) recycle(saved!); // no backward will read it (the final state is a copy)
  return [hs, final];
}
/** The fused output layer and mean cross-entropy: hs (..., H), whq (H,V), bq (V), labels in hs's row order. */
export function linearCrossEntropy(hs: Tensor, whq: Tensor, bq: Tensor, labels: IntTensor): Tensor {
  return apply('linearCrossEntropy', [hs, whq, bq], { labels });
}

export function backward(root: Tensor): void {
  runBackward(root);
}

// The Tensor's method forms (declared in tensor.ts, documented there), bound to their ops.
Object.assign(Tensor.prototype, {
  backward(this: Tensor): void {
    runBackward(this);
  },
  matmul(this: Tensor, other: Tensor): Tensor {
    return matmul(this, other);
  },
  add(this: Tensor, other: Tensor): Tensor {
    return add(this, other);
  },
  sub(this: Tensor, other: Tensor): Tensor {
    return sub(this, other);
  },
  mul(this: Tensor, other: Tensor): Tensor {
    return mul(this, other);
  },
  tanh(this: Tensor): Tensor {
    return tanh(this);
  },
  sigmoid(this: Tensor): Tensor {
    return sigmoid(this);
  },
  relu(this: Tensor): Tensor {
    return relu(this);
  },
  exp(this: Tensor): Tensor {
    return exp(this);
  },
  reshape(this: Tensor, ...shape: number[]): Tensor {
    return reshape(this, shape);
  },
  transpose(this: Tensor, dim0 = 0, dim1 = 1): Tensor {
    return transpose(this, dim0, dim1);
  },
});
Object.defineProperty(Tensor.prototype, 'T', {
  get(this: Tensor): Tensor {
    return transpose(this, 0, 1);
  },
  configurable: true,
});
