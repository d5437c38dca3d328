import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParameterSet } from '../../src/tensor/parameters.js';
import { tensor } from '../../src/tensor/tensor.js';
import { clipGradients } from '../../src/train/optim/clip.js';
import { sgdStep } from '../../src/train/optim/sgd.js';

function params(grads: number[][]): ParameterSet {
  const p = new ParameterSet(grads.map((g, i) => [`p${i}`, tensor(new Array(g.length).fill(1), [g.length])] as const));
  p.grads.set(grads.flat());
  return p;
}

describe('clipGradients (global norm)', () => {
  it('scales every gradient by theta/norm when the norm is above theta', () => {
    // gradients [3, 4] and [12]: global norm sqrt(9 + 16 + 144) = 13; theta 6.5 -> scale 0.5 -> [1.5, 2], [6]
    const p = params([[3, 4], [12]]);
    assert.equal(clipGradients(6.5, p), 13);
    assert.deepEqual([...p.grads], [1.5, 2, 6]);
  });
  it('leaves gradients alone at or below theta, and when theta is 0 (off)', () => {
    const p = params([[3, 4], [12]]);
    clipGradients(13, p);
    clipGradients(0, p);
    assert.deepEqual([...p.grads], [3, 4, 12]);
  });
  it('SGD steps against the gradient: 1 - 0.5 * [3, 4, 12] = [-0.5, -1, -5]', () => {
    const p = params([[3, 4], [12]]);
    sgdStep(p, 0.5);
    assert.deepEqual([...p.values], [-0.5, -1, -5]);
  });
});
