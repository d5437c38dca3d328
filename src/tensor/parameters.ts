// Named parameters packed into one flat buffer, with their gradients in another (llm.c's layout):
// each parameter tensor's data and grad are views, so zeroing, clipping, SGD and checkpoints are single loops.
import { alloc, type FloatArray, type Tensor } from './tensor.js';

export class ParameterSet {
  /** All parameter values, concatenated in declaration order. */
  readonly values: FloatArray;
  /** All gradients, same layout as values. */
  readonly grads: FloatArray;
  readonly entries: readonly (readonly [string, Tensor])[];

  /** Moves each tensor's data into the flat buffer and points its grad at the matching slice. */
  constructor(named: readonly (readonly [string, Tensor])[]) {
    const total = named.reduce((n, [, t]) => n + t.size, 0);
    const dtype = named[0]?.[1].dtype ?? 'float32';
    this.values = alloc(dtype, total);
    this.grads = alloc(dtype, total);
    let offset = 0;
    for (const [name, t] of named) {
      if (t.dtype !== dtype) throw new Error(`parameter ${name} is ${t.dtype}, others are ${dtype}`);
      this.values.set(t.data, offset);
      t.data = this.values.subarray(offset, offset + t.size);
      t.grad = this.grads.subarray(offset, offset + t.size);
      t.requiresGrad = true;
      offset += t.size;
    }
    this.entries = named;
  }

  get(name: string): Tensor {
    const e = this.entries.find(([n]) => n === name);
    if (!e) throw new Error(`no parameter named ${name}`);
    return e[1];
  }

  zeroGrad(): void {
    this.grads.fill(0);
  }
}
