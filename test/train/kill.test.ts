// kill -9 at random moments of a training run that saves --out after every epoch: the file on disk must always be
// a loadable checkpoint or absent, and the next run on the same --out must take over the dead run's lock and
// remove its temp files (removeStaleTemps and acquireOutLock, called by rnnlm train on start).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, tempDir } from '../helpers.js';
import { loadCheckpoint } from '../../src/node/checkpoint-file.js';

const TRIALS = 20;

const trainArgs = (epochs: number, out: string): string[] =>
  ['train', '--epochs', String(epochs), '--batch-size', '32', '--num-steps', '8', '--num-hiddens', '8', '--num-train', '200', '--num-val', '50', '--out', out, '--quiet'];

/** A seeded generator (mulberry32), so that a failing trial's moment can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Run {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs rnnlm with args; with killAfterMs, sends SIGKILL at that moment (unless it has finished by then). */
function rnnlm(args: string[], killAfterMs?: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: process.env });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = killAfterMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000); // a hung run fails the test, not the suite
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      clearTimeout(guard);
      resolve({ pid: child.pid!, code, signal, stderr });
    });
  });
}

/** The files a run must never leave behind: temp files of any kind. */
const temps = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.tmp'));

/** Asserts that out is absent or a checkpoint that loads; says which. */
async function loadableOrAbsent(out: string, what: string): Promise<'absent' | 'loads'> {
  if (!existsSync(out)) return 'absent';
  await loadCheckpoint(out).catch((e: Error) => assert.fail(`${what}: ${out} does not load: ${e.message}`));
  return 'loads';
}

/** Runs jobs with at most `width` at a time (two cores: two runs side by side halve the wall time). */
async function pool<T, R>(items: T[], width: number, job: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await job(items[i]!, i);
    }
  }));
  return results;
}

describe('kill -9 during --out writes', { timeout: 120_000 }, () => {
  it(`leaves a loadable checkpoint or none, and the next run leaves no temp file or lock (${TRIALS} trials)`, async (t) => {
    const random = mulberry32(20240611);
    const moments = Array.from({ length: TRIALS }, () => Math.round(300 + random() * 2700));
    const outcomes = await pool(moments, 2, async (ms, i) => {
      const what = `trial ${i} (kill at ${ms} ms)`;
      const dir = tempDir();
      const out = join(dir, 'm.safetensors');
      const killed = await rnnlm(trainArgs(200, out), ms);
      assert.ok(killed.signal === 'SIGKILL' || killed.code === 0, `${what}: exit ${killed.code}: ${killed.stderr}`);
      const left = { temps: temps(dir).length, lock: existsSync(out + '.lock') };
      if (left.lock) {
        // a lock left by the killed run names it, so the next run can tell it is stale
        assert.equal(readFileSync(out + '.lock', 'utf8').trim().split(' ')[0], String(killed.pid), `${what}: the lock names the killed run`);
      }
      const onDisk = await loadableOrAbsent(out, what);
      const next = await rnnlm(trainArgs(1, out));
      assert.equal(next.code, 0, `${what}: the next run failed: ${next.stderr}`);
      assert.deepEqual(temps(dir), [], `${what}: temp files remain after the next run (rnnlm train calls removeStaleTemps(out) on start)`);
      assert.equal(existsSync(out + '.lock'), false, `${what}: the lock remains after the next run`);
      await loadableOrAbsent(out, `${what}, after the next run`);
      return { killed: killed.signal === 'SIGKILL', onDisk, ...left };
    });
    const count = (f: (o: (typeof outcomes)[number]) => boolean): number => outcomes.filter(f).length;
    t.diagnostic(`${count((o) => o.killed)} of ${TRIALS} runs killed (the others had finished); ${count((o) => o.onDisk === 'loads')} left a ` +
      `loadable checkpoint, ${count((o) => o.onDisk === 'absent')} none; ${count((o) => o.temps > 0)} left a temp file and ${count((o) => o.lock)} a lock, ` +
      'all removed by the next run');
    assert.ok(count((o) => o.killed) >= TRIALS / 2, 'most runs were killed mid-training');
  });
  it('refuses a second run on the same --out while the first runs; after kill -9 the next run takes over the stale lock', async () => {
    const dir = tempDir();
    const out = join(dir, 'm.safetensors');
    const first = spawn(process.execPath, [BIN, ...trainArgs(2000, out)], { stdio: 'ignore', env: process.env });
    const exited = new Promise((resolve) => first.on('close', resolve));
    try {
      for (let i = 0; i < 250 && !existsSync(out + '.lock'); i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(existsSync(out + '.lock'), 'the running train holds out.lock (rnnlm train calls acquireOutLock(out) on start)');
      assert.equal(readFileSync(out + '.lock', 'utf8').trim().split(' ')[0], String(first.pid), 'the lock names the running train');
      const second = await rnnlm(trainArgs(1, out));
      assert.notEqual(second.code, 0);
      assert.equal(second.stderr, `rnnlm train: ${out} is being written by another rnnlm (pid ${first.pid}); wait for it or choose another --out\n`);
    } finally {
      first.kill('SIGKILL');
      await exited;
    }
    assert.equal(readFileSync(out + '.lock', 'utf8').trim().split(' ')[0], String(first.pid), 'kill -9 leaves the lock behind');
    const third = await rnnlm(trainArgs(1, out));
    assert.equal(third.code, 0, third.stderr);
    assert.equal(existsSync(out + '.lock'), false);
    assert.deepEqual(temps(dir), []);
    await loadCheckpoint(out);
  });
});
