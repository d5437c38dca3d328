// Reverse-mode automatic differentiation: a tape of nodes, replayed in reverse topological order
// (as micrograd's engine.py). The derivative rules themselves live in one table, in ops.ts.
import type { FloatArray } from '../backend/backend.js';
import { alloc, recycle } from './buffer-pool.js';
import type { TapeNode, Tensor } from './tensor.js';

export type { TapeNode } from './tensor.js';

let gradEnabled = true;

/** True unless inside noGrad(). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn without recording the tape (evaluation, generation), as torch.no_grad(). */
export function noGrad<T>(fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}

/** True when an op on these inputs must be recorded. */
export function shouldRecord(inputs: readonly Tensor[]): boolean {
  return gradEnabled && inputs.some((x) => x.requiresGrad);
}

/** Attaches a tape node to out, making it part of the graph. */
export function record(out: Tensor, node: TapeNode): Tensor {
  out.requiresGrad = true;
  out.node = node;
  return out;
}

/**
 * Adds g into t.grad. The first gradient a tensor receives is adopted without a copy when the caller owns it
 * (adoptable); parameters already own a view into their flat buffer and always add.
 */
function accumulate(t: Tensor, g: FloatArray, adoptable = false): void {
  if (t.grad === null && adoptable && g.length === t.size && g.constructor === t.data.constructor) {
    t.grad = g;
    return;
  }
  if (t.grad === null) t.grad = alloc(t.dtype, t.size);
  const d = t.grad;
  for (let i = 0; i < d.length; i++) d[i] = d[i]! + g[i]!;
}

/**
 * Which arrays of a backward pass are dead, so that their memory serves the rest of the pass (buffer-pool.ts's
 * recycle; arrays the pool did not lend are left alone). Counted by memory (ArrayBuffer), not by array object:
 * a reshape's output shares its input's memory, a rule may hand on a view. An intermediate's value is dead when
 * every intermediate sharing its memory has run its backward (the consumers of a tensor come after it in the
 * topological order, so their rules, the only readers of its value, have run before it); a node's saved arrays
 * and the gradient it received are dead once its rule has run, unless something still holds their memory: a
 * returned gradient (adopted by an input), a live value, or the value or gradient of a leaf or of the root, and
 * any input outside the graph (tokens, zero states), which are never recycled.
 */
class Liveness {
  private readonly values = new Map<ArrayBufferLike, number>(); // intermediates' values not yet past their backward
  private readonly grads = new Map<ArrayBufferLike, number>(); // gradients held by tensors (adopted arrays)
  private readonly pinned = new Set<ArrayBufferLike>();

  constructor(order: readonly Tensor[], root: Tensor) {
    this.pinned.add(root.data.buffer);
    for (const t of order) {
      if (t.node === null) {
        this.pinned.add(t.data.buffer);
        if (t.grad !== null) this.pinned.add(t.grad.buffer);
        continue;
      }
      // a released value (ops.ts's release) is the pool's already, and its memory may be another tensor's now
      if (t !== root && !t.released) this.values.set(t.data.buffer, (this.values.get(t.data.buffer) ?? 0) + 1);
      for (const x of t.node.inputs) if (x.node === null || !x.requiresGrad) this.pinned.add(x.data.buffer);
    }
  }

  /** A tensor took g as its gradient. */
  held(g: FloatArray): void {
    this.grads.set(g.buffer, (this.grads.get(g.buffer) ?? 0) + 1);
  }

  /** A tensor's gradient g was dropped: recycled unless something else holds its memory. */
  dropped(g: FloatArray, handedOn: readonly (FloatArray | null)[]): void {
    const n = (this.grads.get(g.buffer) ?? 1) - 1;
    if (n > 0) this.grads.set(g.buffer, n);
    else this.grads.delete(g.buffer);
    this.offer(g, handedOn);
  }

  /** t's rule has run: its value (when no other intermediate shares it) and its saved arrays are dead. */
  ran(t: Tensor, handedOn: readonly (FloatArray | null)[]): void {
    if (!t.released) {
      const n = (this.values.get(t.data.buffer) ?? 1) - 1;
      if (n > 0) this.values.set(t.data.buffer, n);
      else this.values.delete(t.data.buffer);
      this.offer(t.data, handedOn);
    }
    for (const s of t.node?.saved ?? []) this.offer(s, handedOn);
  }

  private offer(a: FloatArray, handedOn: readonly (FloatArray | null)[]): void {
    const m = a.buffer;
    if (this.pinned.has(m) || this.values.has(m) || this.grads.has(m) || handedOn.some((g) => g?.buffer === m)) return;
    recycle(a);
  }
}

/** Fills .grad of every tensor that requires it, from the scalar root (dL/droot = 1). */
export function backward(root: Tensor): void {
  if (root.size !== 1) throw new Error(`backward() needs a scalar loss, got shape [${root.shape.join(', ')}]`);
  if (!root.requiresGrad) throw new Error('backward(): the loss does not depend on any tensor that requires a gradient');
  // topological order by iterative depth-first search (graphs of 100+ steps would overflow recursion)
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, boolean][] = [[root, false]];
  while (stack.length > 0) {
    const [t, expanded] = stack.pop()!;
    if (expanded) {
      order.push(t);
      continue;
    }
    if (seen.has(t)) continue;
    seen.add(t);
    stack.push([t, true]);
    for (const x of t.node?.inputs ?? []) if (x.requiresGrad && !seen.has(x)) stack.push([x, false]);
  }
  const one = alloc(root.dtype, 1);
  one[0] = 1;
  accumulate(root, one);
  const live = new Liveness(order, root);
  const adopted = new Set<FloatArray>(); // arrays already handed to a tensor as its .grad
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i]!;
    if (t.node === null) continue;
    if (t.grad === null) {
      live.ran(t, []);
      continue;
    }
    const grads = t.node.backward(t.grad);
    // t's gradient is dropped below (t is an intermediate), so an input may adopt it when a rule passes it on
    if (t !== root) adopted.delete(t.grad);
    t.node.inputs.forEach((x, k) => {
      const g = grads[k];
      // a rule may pass the upstream gradient through (reshape, add) or return one array twice: the first input
      // adopts it, the others copy; the root's gradient stays the root's
      if (g && x.requiresGrad) {
        const had = x.grad;
        accumulate(x, g, (g !== t.grad || t !== root) && !adopted.has(g));
        if (had === null && x.grad !== null) live.held(x.grad);
      }
      if (g) adopted.add(g);
    });
    if (t !== root) {
      // intermediate gradients are not needed once passed on
      live.dropped(t.grad, grads);
      t.grad = null;
    }
    live.ran(t, grads);
  }
}
