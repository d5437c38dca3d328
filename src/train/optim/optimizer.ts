// Optimizers over the flat parameter buffer (ParameterSet): each keeps its state in flat buffers of the same
// layout as the parameters and updates everything in one loop. The formulas are PyTorch's (torch.optim), so that a
// run can be compared with one there:
//   sgd       w -= lr (g + wd w)                                   (D2L 3.4; the book's, and the default)
//   momentum  b = mu b + (g + wd w); w -= lr b                      (torch.optim.SGD with momentum; b = g at step 1)
//   adam      m = b1 m + (1-b1) g', v = b2 v + (1-b2) g'^2, g' = g + wd w;
//             w -= lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)  (torch.optim.Adam: weight decay as L2)
//   rmsprop   s = a s + (1-a) g'^2; w -= lr g' / (sqrt(s) + eps)  (torch.optim.RMSprop; char-rnn's optimizer)
// Arithmetic is float64 per element, stored back in the buffers' float32.
import type { FloatArray } from '../../backend/backend.js';
import type { ParameterSet } from '../../tensor/parameters.js';
import { ConfigError, fieldReason, validateFields, type FieldError } from '../../util/schema.js';

export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/**
 * The optimizers' settings, declared once: the Optimizer checks its options against them and the training
 * configuration's schema (config-schema.ts) includes them, so the CLI's flags and the page read them alike.
 */
export const OPTIMIZER_FIELDS = {
  momentum: { kind: 'number', default: 0.9, min: 0, max: 1, maxExclusive: true, meta: 'M', since: 3, group: 'Optimizer and learning rate' },
  betas: { kind: 'pair', default: [0.9, 0.999], min: 0, max: 1, maxExclusive: true, names: ['beta1', 'beta2'], meta: 'B1,B2', since: 3,
    group: 'Optimizer and learning rate' },
  rmsDecay: { kind: 'number', default: 0.99, min: 0, max: 1, maxExclusive: true, meta: 'A', since: 3, group: 'Optimizer and learning rate' },
  weightDecay: { kind: 'number', default: 0, min: 0, max: 1, meta: 'W', since: 3, group: 'Optimizer and learning rate' },
} as const;

export interface OptimizerOptions {
  momentum?: number; // mu (default 0.9)
  betas?: readonly [number, number]; // Adam's b1, b2 (default 0.9, 0.999)
  rmsDecay?: number; // RMSprop's a (default 0.99, PyTorch's; char-rnn uses 0.95)
  eps?: number; // default 1e-8
  weightDecay?: number; // L2 coefficient wd (default 0)
}

/** The keys of OptimizerOptions: any other key is refused. */
const OPTION_NAMES: ReadonlySet<string> = new Set(['momentum', 'betas', 'rmsDecay', 'eps', 'weightDecay']);

/** State buffers each optimizer keeps, by name (saved in checkpoints as optimizer.NAME). */
const STATE: Record<OptimizerName, readonly string[]> = { sgd: [], momentum: ['momentum'], adam: ['m', 'v'], rmsprop: ['square_avg'] };

/** The buffers that hold averages of squared gradients: never negative (a negative one makes a step NaN). */
export const SQUARED_STATE: ReadonlySet<string> = new Set(['v', 'square_avg']);

/** The names of the state buffers an optimizer keeps (a function apart from the class, which readers need not load). */
export function optimizerStateNames(name: OptimizerName): readonly string[] {
  return STATE[name];
}

export class Optimizer {
  /** Steps taken (Adam's t). */
  steps = 0;
  /** Named state buffers, each the size of the parameters. */
  readonly state: ReadonlyMap<string, Float32Array>;
  private readonly momentum: number;
  private readonly betas: readonly [number, number];
  private readonly rmsDecay: number;
  private readonly eps: number;
  private readonly weightDecay: number;

  /**
   * new Optimizer(name, size, options): name is one of OPTIMIZERS, size the number of parameters (ParameterSet's
   * length), options the settings of OptimizerOptions. Every problem is one ConfigError naming the field; an
   * option this class does not know (a misspelt 'weight_decay', or 'lr', which step() takes) is one too, not ignored.
   */
  constructor(readonly name: OptimizerName, size: number, options: OptimizerOptions = {}) {
    const { momentum = 0.9, betas = [0.9, 0.999], rmsDecay = 0.99, eps = 1e-8, weightDecay = 0 } = options;
    const errors: FieldError[] = [];
    for (const key of Object.keys(options)) {
      if (!OPTION_NAMES.has(key)) {
        errors.push({ field: key, value: (options as Record<string, unknown>)[key], reason: key === 'lr'
          ? 'is not an option: the learning rate is step(params, lr)\'s' : `is not an option (known: ${[...OPTION_NAMES].join(', ')})` });
      }
    }
    if (!OPTIMIZERS.includes(name)) errors.push({ field: 'optimizer', value: name, reason: `must be one of ${OPTIMIZERS.join(', ')}` });
    const sizeReason = fieldReason({ kind: 'int', default: 0, min: 0, max: 2 ** 31 - 1 }, size);
    if (sizeReason !== undefined) errors.push({ field: 'size', value: size, reason: `${sizeReason} (the number of parameters)` });
    errors.push(...validateFields(OPTIMIZER_FIELDS, { momentum, betas, rmsDecay, weightDecay }));
    if (!(eps > 0 && eps < 1)) errors.push({ field: 'eps', value: eps, reason: 'must be above 0 and below 1' });
    if (errors.length > 0) throw new ConfigError(errors);
    this.state = new Map(STATE[name].map((s) => [s, new Float32Array(size)]));
    this.momentum = momentum;
    this.betas = betas;
    this.rmsDecay = rmsDecay;
    this.eps = eps;
    this.weightDecay = weightDecay;
  }


  /** One update of every parameter from its gradient, at learning rate lr. */
  step(params: ParameterSet, lr: number): void {
    const w = params.values;
    const g = params.grads;
    const wd = this.weightDecay;
    this.steps++;
    switch (this.name) {
      case 'sgd':
        for (let i = 0; i < w.length; i++) w[i] = w[i]! - lr * (g[i]! + wd * w[i]!);
        return;
      case 'momentum':
        return this.momentumStep(w, g, lr);
      case 'adam':
        return this.adamStep(w, g, lr);
      case 'rmsprop':
        return this.rmspropStep(w, g, lr);
    }
  }

  private momentumStep(w: FloatArray, g: FloatArray, lr: number): void {
    const b = this.state.get('momentum')!;
    const [mu, wd, first] = [this.momentum, this.weightDecay, this.steps === 1];
    for (let i = 0; i < w.length; i++) {
      const d = g[i]! + wd * w[i]!;
      const v = first ? d : mu * b[i]! + d;
      b[i] = v;
      w[i] = w[i]! - lr * v;
    }
  }

  private adamStep(w: FloatArray, g: FloatArray, lr: number): void {
    const m = this.state.get('m')!;
    const v = this.state.get('v')!;
    const [b1, b2] = this.betas;
    const c1 = 1 - b1 ** this.steps;
    const c2 = 1 - b2 ** this.steps;
    const [wd, eps] = [this.weightDecay, this.eps];
    for (let i = 0; i < w.length; i++) {
      const d = g[i]! + wd * w[i]!;
      const mi = b1 * m[i]! + (1 - b1) * d;
      const vi = b2 * v[i]! + (1 - b2) * d * d;
      m[i] = mi;
      v[i] = vi;
      w[i] = w[i]! - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
    }
  }

  private rmspropStep(w: FloatArray, g: FloatArray, lr: number): void {
    const s = this.state.get('square_avg')!;
    const [a, wd, eps] = [this.rmsDecay, this.weightDecay, this.eps];
    for (let i = 0; i < w.length; i++) {
      const d = g[i]! + wd * w[i]!;
      const si = a * s[i]! + (1 - a) * d * d;
      s[i] = si;
      w[i] = w[i]! - (lr * d) / (Math.sqrt(si) + eps);
    }
  }
}
