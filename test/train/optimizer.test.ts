import assert from 'node:assert/strict';
import { ConfigError } from '../../src/util/schema.js';
import { describe, it } from 'node:test';
import '../helpers.js';
import { Optimizer, optimizerStateNames } from '../../src/train/optim/optimizer.js';
import { lrAt, type LrSchedule } from '../../src/train/optim/schedule.js';
import { ParameterSet } from '../../src/tensor/parameters.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** One float64 parameter vector with a settable gradient. */
function params(values: number[]): ParameterSet {
  return new ParameterSet([['w', new Tensor(Float64Array.from(values), [values.length])]]);
}

function run(name: 'sgd' | 'momentum' | 'adam' | 'rmsprop', grads: number[][], options = {}, lr = 0.1, w0 = [1, -2]): number[] {
  const p = params(w0);
  const opt = new Optimizer(name, w0.length, options);
  for (const g of grads) {
    p.grads.set(g);
    opt.step(p, lr);
  }
  return [...p.values];
}

const close = (a: number[], b: number[], tol = 1e-6): void => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < tol, `${a} vs ${b}`));

describe('optimizers (torch.optim formulas, numbers derived by hand)', () => {
  it('sgd: w - lr g, with weight decay w - lr (g + wd w)', () => {
    // w = [1, -2], g = [0.5, 1], lr 0.1: [0.95, -2.1]; wd 0.1: g' = [0.6, 0.8] -> [0.94, -2.08]
    close(run('sgd', [[0.5, 1]]), [0.95, -2.1]);
    close(run('sgd', [[0.5, 1]], { weightDecay: 0.1 }), [0.94, -2.08]);
  });
  it('momentum: b = g at the first step, then b = mu b + g', () => {
    // g1 = [0.5, 1]: b = [0.5, 1], w = [0.95, -2.1]; g2 = [1, 0]: b = 0.9 b + g2 = [1.45, 0.9], w = [0.805, -2.19]
    close(run('momentum', [[0.5, 1], [1, 0]], { momentum: 0.9 }), [0.805, -2.19]);
  });
  it('adam: the first step moves every weight by lr (the bias-corrected ratio m/sqrt(v) is sign(g))', () => {
    // m = 0.1 g, v = 0.001 g^2; corrected by 1 - 0.9 and 1 - 0.999: m^ = g, v^ = g^2, so w -= lr g/|g| (eps aside)
    close(run('adam', [[0.5, -3]]), [0.9, -1.9], 1e-6);
    // second step, g2 = [0.5, 0]: m = 0.09*0.5 + 0.1*0.5 = 0.095, v = 0.999*0.00025 + 0.001*0.25 = 0.00049975;
    // m^ = 0.095/0.19 = 0.5, v^ = 0.00049975/0.001999 = 0.25000 -> step 0.1 * 0.5/0.5 = 0.1: w1 = 0.8
    // weight 2: m = 0.09*-3 = -0.27 -> m^ = -1.42105; v = 0.999*0.009 = 0.008991 -> v^ = 4.49775; step 0.1*-1.42105/2.12079 = -0.0670057
    close(run('adam', [[0.5, -3], [0.5, 0]]), [0.8, -1.9 + 0.0670057], 1e-6);
  });
  it('rmsprop: s = a s + (1-a) g^2, w -= lr g / sqrt(s)', () => {
    // a 0.99: s = 0.01 g^2, sqrt(s) = 0.1 |g|: the first step moves every weight by lr / 0.1 = 1 in the gradient's sign
    close(run('rmsprop', [[0.5, -3]]), [0, -1], 1e-6);
    // a 0.95 (char-rnn): sqrt(0.05) |g| -> a step of 0.1 / sqrt(0.05) = 0.447214
    close(run('rmsprop', [[0.5, -3]], { rmsDecay: 0.95 }), [1 - 0.447214, -2 + 0.447214], 1e-6);
  });
  it('keeps its state in flat buffers the size of the parameters, and counts steps', () => {
    const opt = new Optimizer('adam', 7);
    assert.deepEqual([...opt.state.keys()], ['m', 'v']);
    assert.equal(opt.state.get('m')!.length, 7);
    assert.deepEqual(optimizerStateNames('sgd'), []);
    assert.throws(() => new Optimizer('lion' as never, 3), /optimizer must be one of sgd, momentum, adam, rmsprop/);
  });
  it('refuses bad constructor arguments with one ConfigError naming the field (each documented in docs/library.md)', () => {
    const refused = (options: object, size = 3): ConfigError => {
      try {
        new Optimizer('adam', size, options as never);
      } catch (e) {
        assert.ok(e instanceof ConfigError, String(e));
        return e;
      }
      assert.fail(`accepted ${JSON.stringify(options)}`);
    };
    assert.equal(refused({ momentum: 1 }).field, 'momentum');
    assert.equal(refused({ betas: [0.9, 1] }).field, 'beta2'); // a pair names its element
    assert.equal(refused({ rmsDecay: -0.1 }).field, 'rmsDecay');
    assert.equal(refused({ weightDecay: 2 }).field, 'weightDecay');
    assert.equal(refused({ eps: 0 }).field, 'eps');
    assert.equal(refused({}, -1).field, 'size');
    assert.equal(refused({}, 2.5).field, 'size');
    assert.match(refused({ lr: 0.1 }).message, /lr .*not an option: the learning rate is step\(params, lr\)'s/);
    assert.match(refused({ weight_decay: 0.1 }).message, /weight_decay .*not an option \(known: momentum, betas, rmsDecay, eps, weightDecay\)/);
    assert.equal(refused({ momentum: 2, lr: 1 }).errors.length, 2, 'every problem at once');
    assert.doesNotThrow(() => new Optimizer('momentum', 3, { momentum: 0.5, weightDecay: 0.01, eps: 1e-6 }));
  });
});

describe('learning-rate schedules', () => {
  const base: LrSchedule = { schedule: 'constant', lr: 2, gamma: 0.97, every: 1, start: 10, warmup: 0, epochs: 50 };
  it('step: char-rnn\'s decay, 0.97 per epoch after epoch 10', () => {
    const s = { ...base, schedule: 'step' as const };
    assert.equal(lrAt(s, 10, 1), 2);
    assert.equal(lrAt(s, 11, 1), 2 * 0.97);
    assert.equal(lrAt(s, 13, 1), 2 * 0.97 ** 3);
    assert.equal(lrAt({ ...s, every: 2 }, 13, 1), 2 * 0.97); // floor(3 / 2) = 1 decay
  });
  it('cosine: lr at the first epoch, half way at the middle, near 0 at the end; warmup scales linearly', () => {
    const s = { ...base, schedule: 'cosine' as const, epochs: 11 };
    assert.equal(lrAt(s, 1, 1), 2);
    assert.ok(Math.abs(lrAt(s, 6.5, 1) - 1) < 1e-12); // (1 + cos(pi/2)) / 2 = 0.5
    assert.ok(lrAt(s, 11, 1) < 0.05);
    assert.equal(lrAt({ ...base, warmup: 4 }, 1, 1), 0.5);
    assert.equal(lrAt({ ...base, warmup: 4 }, 1, 4), 2);
  });
});
