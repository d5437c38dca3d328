// Tensor: a flat typed array with a shape, an optional gradient, and the tape node that made it.
// Float32 is the working type; float64 exists so that finite-difference gradient checks are exact enough.
import type { DType, FloatArray } from '../backend/backend.js';
import { alloc } from './buffer-pool.js';
import type { Rng } from './random.js';

export type { DType, FloatArray } from '../backend/backend.js';

/** How a tensor was computed: its inputs and the rule that maps dL/dout to dL/dinput for each input (autograd.ts replays them). */
export interface TapeNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /** Returns dL/dinput for each input (null where an input needs none); g is dL/dout. */
  readonly backward: (g: FloatArray) => (FloatArray | null)[];
  /** Arrays the forward kept for backward only: dead once backward has run (autograd.ts recycles them). */
  readonly saved?: readonly FloatArray[];
}

export { alloc } from './buffer-pool.js';

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
  /** An op's output (recorded or not), not a leaf: its values are a step's intermediate, which release may give back. */
  intermediate = false;
  /**
   * These values must outlive their consumers' forward: a recorded backward rule reads them (its own rule's, or a
   * consumer's), or another tensor shares their memory (a reshape). release leaves them alone.
   */
  kept = false;
  /** The values went back to the buffer pool (ops.ts's release): no op may read them any more. */
  released = false;

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

  /** Runs reverse-mode differentiation from this scalar; fills .grad of every tensor that requires it (autograd.ts). */
  declare backward: () => void;

  // Method forms of the ops, so that model code reads like the book's. ops.ts binds each to its op, so that this
  // file, on which the ops build, imports nothing above it.
  declare matmul: (other: Tensor) => Tensor;
  declare add: (other: Tensor) => Tensor;
  declare sub: (other: Tensor) => Tensor;
  declare mul: (other: Tensor) => Tensor;
  declare tanh: () => Tensor;
  declare sigmoid: () => Tensor;
  declare relu: () => Tensor;
  declare exp: () => Tensor;
  declare reshape: (...shape: number[]) => Tensor;
  declare transpose: (dim0?: number, dim1?: number) => Tensor;
  /** Swaps the two axes of a 2-D tensor. */
  declare readonly T: Tensor;
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
