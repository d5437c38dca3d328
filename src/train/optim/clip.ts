// Gradient clipping by the global norm (D2L 9.5.3, d2l.Trainer.clip_gradients):
//   g <- min(1, theta / ||g||) g, where ||g|| is the L2 norm over every parameter's gradient together.
import type { ParameterSet } from '../../tensor/parameters.js';

/** Clips in place when the norm exceeds theta (theta <= 0 turns clipping off); returns the norm before clipping. */
export function clipGradients(theta: number, params: ParameterSet): number {
  const g = params.grads;
  let sum = 0;
  for (let i = 0; i < g.length; i++) sum += g[i]! * g[i]!;
  const norm = Math.sqrt(sum);
  if (theta > 0 && norm > theta) {
    const scale = theta / norm;
    for (let i = 0; i < g.length; i++) g[i] = g[i]! * scale;
  }
  return norm;
}
