// Reuse of large intermediate arrays, within a training step and between steps. A fresh multi-megabyte typed array
// costs page faults on first touch: measured on this project's machine, allocating and filling 4 MB took 3.5 ms,
// refilling a kept one 0.08 ms, and a training step makes several such arrays (the input projection, the hidden
// states, their gradients). Inside reusingBuffers(fn), arrays of at least MIN_POOLED elements come from a pool and
// go back to it when fn returns, so the next step finds them mapped; whatever fn returns must not hold one of them
// (the trainer's steps return numbers and detached copies of the state).
//
// Two rules keep the pool's memory near what a step needs at once (issue 19: 2.5x PyTorch's peak RSS before):
// - An array may be recycled before the scope ends, by the one who knows it is dead (autograd.ts: an intermediate's
//   value, gradient and saved arrays once its backward has run), and is then lent again within the same step.
// - A request takes the smallest free array of its type that holds it and is at most twice its size, as a view of
//   the request's length: an epoch's last, smaller batch and the validation batches reuse the training batch's
//   arrays instead of allocating a second set beside them.
import type { DType, FloatArray } from '../backend/backend.js';
import { getBackend } from '../backend/current.js';

/** Arrays smaller than this are left to the garbage collector (young-generation allocation is cheap). */
const MIN_POOLED = 4096;

/**
 * Float32 arrays from this size up come from the backend's largeArray where it has one (native: huge pages). Below
 * it the rounding up to whole 2 MB pages would waste too large a share.
 */
export const LARGE_ARRAY_BYTES = 4 << 20;

/** A pooled array: the whole allocation, of which requests get views. */
interface Block {
  dtype: DType;
  whole: FloatArray;
}

interface Pool {
  free: Block[]; // ready for reuse
  lent: Map<ArrayBufferLike, Block>; // handed out during the current scope, by their memory
  requested: number; // bytes asked for in the last (or current) scope, pooled requests only
}

let active: Pool | null = null;
const pool: Pool = { free: [], lent: new Map(), requested: 0 };

/** Bytes the pool holds (lent and free), and bytes its requests asked for in the last scope: what recycling saved. */
export function poolStats(): { held: number; requested: number } {
  let held = 0;
  for (const b of [...pool.free, ...pool.lent.values()]) held += b.whole.byteLength;
  return { held, requested: pool.requested };
}

/** A view of the first n elements of a block. */
function view(b: Block, n: number): FloatArray {
  const w = b.whole;
  return n === w.length ? w : w instanceof Float64Array ? new Float64Array(w.buffer, w.byteOffset, n) : new Float32Array(w.buffer, w.byteOffset, n);
}

/**
 * An array from the pool when a reuse scope is active and n is large; otherwise null. Zeroed unless `zeroed` is false:
 * for outputs a kernel writes whole (allocUnzeroed), the fill would be a pass over memory for nothing.
 */
export function pooledAlloc(dtype: DType, n: number, zeroed = true): FloatArray | null {
  if (active === null || n < MIN_POOLED) return null;
  active.requested += n * (dtype === 'float64' ? 8 : 4);
  let best = -1;
  active.free.forEach((b, i) => {
    const size = b.whole.length;
    if (b.dtype === dtype && size >= n && size <= 2 * n && (best < 0 || size < active!.free[best]!.whole.length)) best = i;
  });
  if (best < 0) return null;
  const b = active.free.splice(best, 1)[0]!;
  active.lent.set(b.whole.buffer, b);
  const a = view(b, n);
  if (zeroed) a.fill(0);
  return a;
}

/** Records a freshly allocated large array as lent, so that it joins the pool when the scope ends. */
function lend(dtype: DType, a: FloatArray): void {
  if (active !== null && a.length >= MIN_POOLED) active.lent.set(a.buffer, { dtype, whole: a });
}

/**
 * Gives a lent array (or any view of it) back to the pool now: the caller knows nothing will read or write it
 * again. Arrays the pool did not lend in this scope (parameters, the caller's own) are left alone, so callers may
 * offer any array; offering one twice is harmless.
 */
export function recycle(a: FloatArray): void {
  if (active === null) return;
  const b = active.lent.get(a.buffer);
  if (b === undefined) return;
  active.lent.delete(a.buffer);
  active.free.push(b);
}

/** Drops the pool's free arrays (to the garbage collector): after training, or to measure one step alone. */
export function emptyPool(): void {
  if (active === null) pool.free = [];
}

/**
 * Runs fn with large intermediate arrays drawn from (and returned to) the pool. Scopes do not nest: an inner call
 * runs inside the outer scope.
 */
export function reusingBuffers<T>(fn: () => T): T {
  if (active !== null) return fn();
  active = pool;
  pool.requested = 0;
  try {
    return fn();
  } finally {
    for (const b of pool.lent.values()) pool.free.push(b);
    pool.lent.clear();
    active = null;
  }
}

/**
 * Allocates an array of the given element type (from the pool inside reusingBuffers), zeroed; with zeroed false, for
 * a kernel that writes it whole before reading any of it, a pooled array keeps what it held (a fresh one is zeros).
 * test/tensor/buffer-pool.test.ts holds those callers to it: a step on recycled arrays gives every bit of a step on
 * fresh ones, on every backend.
 */
export function alloc(dtype: DType, n: number, zeroed = true): FloatArray {
  const pooled = pooledAlloc(dtype, n, zeroed);
  if (pooled) return pooled;
  const a = dtype === 'float64' ? new Float64Array(n) : freshFloat32(n);
  lend(dtype, a);
  return a;
}

/**
 * A zeroed float32 array: inside a reuse scope, a large one is on the backend's memory for large arrays where it has
 * some; it joins the pool and lives as long as the pool. Outside a scope the garbage collector owns it, and memory of
 * the backend's own would be returned only once its finalizer runs, when the event loop next turns (not during a
 * long synchronous loop), so it stays an ordinary array.
 */
function freshFloat32(n: number): Float32Array {
  const large = active !== null && n * 4 >= LARGE_ARRAY_BYTES ? getBackend().largeArray : undefined;
  return large ? large(n) : new Float32Array(n);
}
