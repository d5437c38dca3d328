// Minibatch stochastic gradient descent (D2L 3.4, d2l.SGD): theta <- theta - lr * grad, over the flat buffer.
import type { ParameterSet } from '../../tensor/parameters.js';

export function sgdStep(params: ParameterSet, lr: number): void {
  const w = params.values;
  const g = params.grads;
  for (let i = 0; i < w.length; i++) w[i] = w[i]! - lr * g[i]!;
}
