// nextTask: in Node through setImmediate; where there is none (a browser), through a MessageChannel message, in order,
// and never a timer (browsers clamp chained zero timeouts to 4 ms).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextTask } from '../../src/util/next-task.js';

describe('nextTask', () => {
  it('resolves after the events already queued (Node: setImmediate)', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('queued'));
    await nextTask();
    order.push('after');
    assert.deepEqual(order, ['queued', 'after']);
  });

  it('without setImmediate: one MessageChannel message per call, resolved in order, no timer', async () => {
    const g = globalThis as { setImmediate?: unknown; setTimeout: typeof setTimeout };
    const [immediate, timeout] = [g.setImmediate, g.setTimeout];
    let timers = 0;
    delete g.setImmediate;
    g.setTimeout = ((...args: Parameters<typeof setTimeout>) => (timers++, timeout(...args))) as typeof setTimeout;
    try {
      const order: number[] = [];
      await Promise.all([1, 2, 3].map((i) => nextTask().then(() => order.push(i))));
      for (let i = 0; i < 100; i++) await nextTask();
      assert.deepEqual(order, [1, 2, 3]);
      assert.equal(timers, 0);
    } finally {
      g.setImmediate = immediate;
      g.setTimeout = timeout;
    }
  });
});
