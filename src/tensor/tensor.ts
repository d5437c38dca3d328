// Tensor: a flat typed array with a shape, an optional gradient, and the tape node that made it.
// Float32 is the working type; float64 exists so that finite-difference gradient checks are exact enough.
import type { TapeNode } from './autograd.js';
import { lend, pooledAlloc } from './buffer-pool.js';
import * as ops from './ops.js';
import type { Rng } from './random.js';

export type DType = 'float32' | 'float64';
export type FloatArray = Float32Array | Float64Array;

/** Allocates a zeroed array of the given element type (from the buffer pool inside reusingBuffers). */
export function alloc(dtype: DType, n: number): FloatArray {
  const pooled = pooledAlloc(dtype, n);
  if (pooled) return pooled;
  const a = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  lend(dtype, a);
  return a;
}

export function dtypeOf(a: FloatArray): DType {
  return a instanceof Float64Array ? 'float64' : 'float32';
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A float tensor in row-major order. */
export class Tensor {
  /** Row-major values; for parameters a view into a ParameterSet's flat buffer. */
  data: FloatArray;
  readonly shape: readonly number[];
  /** dL/dthis after backward(), same layout as data; null until a gradient arrives. */
  grad: FloatArray | null = null;
  /** True for leaves we want gradients of (parameters) and for anything computed from them. */
  requiresGrad: boolean;
  /** How this tensor was computed, when the tape recorded it; null for leaves. */
  node: TapeNode | null = null;

  constructor(data: FloatArray, shape: readonly number[], requiresGrad = false) {
    if (sizeOf(shape) !== data.length) {
      throw new Error(`tensor data has ${data.length} values but shape [${shape.join(', ')}] needs ${sizeOf(shape)}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.requiresGrad = requiresGrad;
  }

  get dtype(): DType {
    return dtypeOf(this.data);
  }
  get size(): number {
    return this.data.length;
  }
  /** The length of the first axis, as Python's len(). */
  get length(): number {
    return this.shape[0] ?? 1;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) throw new Error(`item() needs one element, tensor has ${this.data.length}`);
    return this.data[0]!;
  }

  /** Runs reverse-mode differentiation from this scalar; fills .grad of every tensor that requires it. */
  backward(): void {
    ops.backward(this);
  }

  // Method forms of the ops, so that model code reads like the book's.
  matmul(other: Tensor): Tensor {
    return ops.matmul(this, other);
  }
  add(other: Tensor): Tensor {
    return ops.add(this, other);
  }
  sub(other: Tensor): Tensor {
    return ops.sub(this, other);
  }
  mul(other: Tensor): Tensor {
    return ops.mul(this, other);
  }
  tanh(): Tensor {
    return ops.tanh(this);
  }
  sigmoid(): Tensor {
    return ops.sigmoid(this);
  }
  relu(): Tensor {
    return ops.relu(this);
  }
  exp(): Tensor {
    return ops.exp(this);
  }
  reshape(...shape: number[]): Tensor {
    return ops.reshape(this, shape);
  }
  transpose(dim0 = 0, dim1 = 1): Tensor {
    return ops.transpose(this, dim0, dim1);
  }
  /** Swaps the two axes of a 2-D tensor. */
  get T(): Tensor {
    return ops.transpose(this, 0, 1);
  }
}

/** Integer tensor for token indices: no gradients, only layout. */
export class IntTensor {
  readonly data: Int32Array;
  readonly shape: readonly number[];
  constructor(data: Int32Array, shape: readonly number[]) {
    if (sizeOf(shape) !== data.length) {
      throw new Error(`index data has ${data.length} values but shape [${shape.join(', ')}] needs ${sizeOf(shape)}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
  }
  get length(): number {
    return this.shape[0] ?? 1;
  }
  /** The transpose of a 2-D index tensor (B,T) -> (T,B); computed once (index tensors are not changed in place). */
  get T(): IntTensor {
    if (this.transposed) return this.transposed;
    const [r, c] = this.shape as [number, number];
    if (this.shape.length !== 2) throw new Error(`T needs a 2-D index tensor, got shape [${this.shape.join(', ')}]`);
    const out = new Int32Array(r * c);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = this.data[i * c + j]!;
    this.transposed = new IntTensor(out, [c, r]);
    return this.transposed;
  }
  private transposed: IntTensor | null = null;
  /** Rows lo..hi-1 of the first axis. */
  slice(lo: number, hi: number): IntTensor {
    const row = sizeOf(this.shape.slice(1));
    return new IntTensor(this.data.subarray(lo * row, hi * row), [hi - lo, ...this.shape.slice(1)]);
  }
}

export function tensor(values: ArrayLike<number>, shape: readonly number[], dtype: DType = 'float32'): Tensor {
  const data = alloc(dtype, values.length);
  data.set(values);
  return new Tensor(data, shape);
}

export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return new Tensor(alloc(dtype, sizeOf(shape)), shape);
}

/** A tensor of samples uniform in [-bound, bound) from rng, as torch's init.uniform_(w, -bound, bound). */
export function rand(rng: Rng, shape: readonly number[], bound: number, dtype: DType = 'float32'): Tensor {
  const data = alloc(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = (2 * rng.uniform() - 1) * bound;
  return new Tensor(data, shape);
}

/** A tensor of N(0,1) * scale samples from rng, as torch.randn(shape) * scale. */
export function randn(rng: Rng, shape: readonly number[], scale = 1, dtype: DType = 'float32'): Tensor {
  const data = alloc(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal() * scale;
  return new Tensor(data, shape);
}
