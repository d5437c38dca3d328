// Reverse-mode automatic differentiation: a tape of nodes, replayed in reverse topological order
// (as micrograd's engine.py). The derivative rules themselves live in one table, in ops.ts.
import type { FloatArray } from '../backend/backend.js';
import { alloc } from './buffer-pool.js';
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
  const adopted = new Set<FloatArray>(); // arrays already handed to a tensor as its .grad
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i]!;
    if (t.node === null || t.grad === null) continue;
    const grads = t.node.backward(t.grad);
    // t's gradient is dropped below (t is an intermediate), so an input may adopt it when a rule passes it on
    if (t !== root) adopted.delete(t.grad);
    t.node.inputs.forEach((x, k) => {
      const g = grads[k];
      // a rule may pass the upstream gradient through (reshape, add) or return one array twice: the first input
      // adopts it, the others copy; the root's gradient stays the root's
      if (g && x.requiresGrad) accumulate(x, g, (g !== t.grad || t !== root) && !adopted.has(g));
      if (g) adopted.add(g);
    });
    if (t.node !== null && t !== root) t.grad = null; // intermediate gradients are not needed once passed on
  }
}
