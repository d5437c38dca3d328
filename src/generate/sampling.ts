// Choosing the next character from a row of logits: greedy (the book's argmax) or sampled, with temperature,
// sharpening and truncation (D2L 9.5 exercise: q ∝ p^alpha). Sharpening by alpha is sampling at temperature
// 1/alpha: p^alpha ∝ exp(alpha * logits) = exp(logits / (1/alpha)).
import { Rng } from '../tensor/random.js';
import { opt, optionError } from '../util/option-error.js';

export interface DecodeOptions {
  sample?: boolean; // false: greedy argmax, as the book; true: draw from the (reshaped) distribution
  temperature?: number; // divide logits by this before the softmax (> 0; 1 keeps the model's distribution)
  alpha?: number; // sharpen q ∝ p^alpha; the same as temperature 1/alpha (give one or the other)
  topK?: number; // keep only the K most likely characters
  topP?: number; // keep the smallest set of most likely characters whose probability reaches P (nucleus sampling)
  seed?: number; // seeds the sampler, for reproducible samples (default: a random seed)
  repetitionPenalty?: number; // (logits-processors.ts) listed here so that every decoding option is one type
  noRepeatNgramSize?: number;
}

import { argmax } from '../models/predict.js';

export { argmax };

/** The sampling distribution for a row of logits under the options (temperature/alpha, then top-k, then top-p). */
export function samplingDistribution(logits: ArrayLike<number>, { temperature, alpha, topK, topP }: DecodeOptions = {}): Float64Array {
  if (temperature !== undefined && alpha !== undefined) throw optionError`give ${opt('temperature')} or ${opt('alpha')}, not both (alpha = 1/temperature)`;
  const t = alpha !== undefined ? 1 / alpha : temperature ?? 1;
  if (!(t > 0) || !Number.isFinite(t)) throw optionError`${opt(temperature !== undefined ? 'temperature' : 'alpha')} must be a positive number, got ${temperature ?? alpha}`;
  const n = logits.length;
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[i]!);
  // subtract the max before dividing: (z - max) / t <= 0 for any t > 0, so no temperature overflows to Inf - Inf
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) p[i] = Math.exp((logits[i]! - max) / t);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[b]! - p[a]! || a - b);
  let keep = n;
  if (topK !== undefined) {
    if (!Number.isInteger(topK) || topK < 1) throw optionError`${opt('topK')} must be a positive whole number, got ${topK}`;
    keep = Math.min(keep, topK);
  }
  if (topP !== undefined) {
    if (!(topP > 0 && topP <= 1)) throw optionError`${opt('topP')} must be in (0, 1], got ${topP}`;
    const total = order.slice(0, keep).reduce((s, i) => s + p[i]!, 0);
    let cum = 0;
    let k = 0;
    while (k < keep) {
      cum += p[order[k]!]!;
      k++;
      if (cum / total >= topP) break;
    }
    keep = k;
  }
  for (const i of order.slice(keep)) p[i] = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += p[i]!;
  for (let i = 0; i < n; i++) p[i] = p[i]! / sum;
  return p;
}

/** An index drawn from a distribution that sums to 1. */
export function drawFrom(p: ArrayLike<number>, rng: Rng): number {
  const u = rng.uniform();
  let cum = 0;
  for (let i = 0; i < p.length; i++) {
    cum += p[i]!;
    if (u < cum) return i;
  }
  for (let i = p.length - 1; i >= 0; i--) if (p[i]! > 0) return i; // rounding left u above the total
  return 0;
}

/** A seed for sampling when none is given: random (callers report it, so that a sample can be made again). */
export function randomSeed(): number {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint32Array) => Uint32Array } }).crypto;
  return c?.getRandomValues ? c.getRandomValues(new Uint32Array(1))[0]! : Math.floor(Math.random() * 2 ** 32);
}

/** Refuses decoding options that do not fit together or are out of range (one line), before any text. */
export function checkDecoding(options: DecodeOptions = {}): void {
  const shaping = (['temperature', 'alpha', 'topK', 'topP'] as const).filter((o) => options[o] !== undefined).map(opt);
  if (!options.sample && shaping.length > 0) throw optionError`${shaping} ${shaping.length > 1 ? 'need' : 'needs'} sampling: turn on ${opt('sample')}`;
  if (options.sample) samplingDistribution([0], options);
}

/** A function from a row of logits to the next index, for RNNLMScratch.predict. */
export function makePicker(options: DecodeOptions = {}): (logits: ArrayLike<number>) => number {
  checkDecoding(options); // once, before generating
  if (!options.sample) return argmax;
  const rng = new Rng(options.seed ?? randomSeed());
  return (logits) => drawFrom(samplingDistribution(logits, options), rng);
}
