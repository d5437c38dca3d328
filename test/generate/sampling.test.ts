import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { drawFrom, makePicker, samplingDistribution } from '../../src/generate/sampling.js';
import { Rng } from '../../src/tensor/random.js';

const logits = [2, 1, 0, -1, 0.5];
const softmax = (z: number[], t = 1): number[] => {
  const e = z.map((v) => Math.exp(v / t));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

describe('sampling', () => {
  it('draws from softmax(logits): 40,000 samples match within 0.012 per class', () => {
    // the standard error of a frequency is sqrt(p(1-p)/n) <= sqrt(0.25/40000) = 0.0025; 0.012 is about 5 of them
    const p = softmax(logits);
    const rng = new Rng(123);
    const n = 40000;
    const counts = new Array<number>(logits.length).fill(0);
    for (let i = 0; i < n; i++) counts[drawFrom(samplingDistribution(logits), rng)]!++;
    counts.forEach((c, i) => assert.ok(Math.abs(c / n - p[i]!) < 0.012, `class ${i}: ${c / n} vs ${p[i]}`));
  });
  it('sharpening by alpha is sampling at temperature 1/alpha, and equals p^alpha renormalised', () => {
    const p = softmax(logits);
    for (const alpha of [0.5, 2, 4]) {
      const q = samplingDistribution(logits, { alpha });
      assert.deepEqual(q, samplingDistribution(logits, { temperature: 1 / alpha }));
      const pa = p.map((v) => v ** alpha);
      const s = pa.reduce((a, b) => a + b, 0);
      q.forEach((v, i) => assert.ok(Math.abs(v - pa[i]! / s) < 1e-12));
    }
    assert.throws(() => samplingDistribution(logits, { alpha: 2, temperature: 0.5 }), /not both/);
  });
  it('top-k keeps the k most likely, top-p the smallest set reaching p', () => {
    const k2 = samplingDistribution(logits, { topK: 2 });
    assert.deepEqual([...k2].map((v) => v > 0), [true, true, false, false, false]);
    // softmax(logits) is about [0.49, 0.18, 0.07, 0.02, 0.11] (ordered 0, 1, 4, 2, 3)
    const p = softmax(logits);
    const top1 = samplingDistribution(logits, { topP: p[0]! - 0.01 });
    assert.deepEqual([...top1], [1, 0, 0, 0, 0]);
    const top3 = samplingDistribution(logits, { topP: p[0]! + p[1]! + 0.01 });
    assert.deepEqual([...top3].map((v) => v > 0), [true, true, false, false, true]);
    assert.ok(Math.abs(top3.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  });
  it('greedy is the default; a seed makes samples reproducible; shaping without sampling is an error', () => {
    assert.equal(makePicker()(logits), 0);
    const draw = (seed: number): number[] => {
      const pick = makePicker({ sample: true, seed });
      return Array.from({ length: 30 }, () => pick(logits));
    };
    assert.deepEqual(draw(7), draw(7));
    assert.notDeepEqual(draw(7), draw(8));
    assert.throws(() => makePicker({ temperature: 0.5 }), /temperature needs sampling: turn on sample$/);
    assert.throws(() => makePicker({ topK: 2, topP: 0.5 }), /topK and topP need sampling: turn on sample$/);
  });
  it('stays a distribution at extreme settings: alpha 1e308 is argmax, alpha 1e-308 uniform, never NaN', () => {
    // the logits' max is subtracted before dividing by the temperature, so (z - max) / t is 0 or -Infinity, not Inf - Inf
    const sharp = samplingDistribution(logits, { alpha: 1e308 });
    assert.deepEqual([...sharp], [1, 0, 0, 0, 0]);
    assert.deepEqual([...samplingDistribution(logits, { temperature: 1e-320 })], [1, 0, 0, 0, 0]);
    const flat = samplingDistribution(logits, { alpha: 1e-308 });
    flat.forEach((p) => assert.ok(Math.abs(p - 0.2) < 1e-12));
    assert.ok([...samplingDistribution([1e30, -1e30, 0], { temperature: 1e-30 })].every(Number.isFinite));
  });
});
