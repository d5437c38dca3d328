// Shared test helpers: a float64 finite-difference gradient check, the local data mirror, and running the CLI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Rng } from '../src/tensor/random.js';
import { randn, Tensor } from '../src/tensor/tensor.js';
import * as F from '../src/tensor/ops.js';

/** The repository root (tests run from dist/test/). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Tests never touch the network: unless the caller configured a mirror, use the sibling shared/data folder.
process.env['RNNLM_DATA_URL'] ||= pathToFileURL(join(ROOT, '..', 'shared', 'data')).href + '/';
process.env['RNNLM_CACHE_DIR'] ||= mkdtempSync(join(tmpdir(), 'rnnlm-test-cache-'));

/** The interpreter of the tests' PyTorch side: Debian's (python3-torch, which .ci/run installs), or RNNLM_PYTHON's. */
export const PYTHON = process.env['RNNLM_PYTHON'] ?? '/usr/bin/python3';

let torchImports: boolean | undefined;
/** Whether torch imports at PYTHON: asked once, by the files that need it (the import takes seconds). */
export function hasTorch(): boolean {
  return (torchImports ??= spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0);
}

/** A PyTorch-side test's skip reason where torch does not import at PYTHON, else false. */
export function withoutTorch(): string | false {
  return hasTorch() ? false : `needs PyTorch at ${PYTHON} (apt-get install python3-torch, or set RNNLM_PYTHON)`;
}

/** A file of the data mirror the tests use (RNNLM_DATA_URL, the shared/data folder unless the caller set another). */
export function dataFile(name: string): string {
  const url = new URL(name, process.env['RNNLM_DATA_URL']);
  if (url.protocol !== 'file:') throw new Error(`RNNLM_DATA_URL is not a local folder (${url.origin}): tests read ${name} from a file: mirror`);
  return fileURLToPath(url);
}

/** The built command line. */
export const BIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');

/** Runs `rnnlm ...args` (the environment as the test's: the data mirror, the cache): exit code, stdout, stderr. */
export function rnnlm(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'rnnlm-test-'));
}

/** A float64 tensor of N(0,1)*scale values that requires a gradient. */
export function param(rng: Rng, shape: number[], scale = 1): Tensor {
  const t = randn(rng, shape, scale, 'float64');
  t.requiresGrad = true;
  return t;
}

/** Reduces any tensor to a scalar with fixed random weights, so every output element gets its own gradient. */
export function project(out: Tensor, seed = 99): Tensor {
  const w = randn(new Rng(seed), [out.size, 1], 1, 'float64');
  return F.reshape(out, [1, out.size]).matmul(w);
}

/**
 * Compares the analytic gradient of loss() with respect to each input against central finite differences in
 * float64 (step 1e-6, so truncation and rounding errors are near 1e-9); returns the worst relative difference.
 */
export function gradCheck(inputs: Tensor[], loss: () => Tensor, tolerance = 1e-6): number {
  for (const x of inputs) x.grad = null;
  loss().backward();
  const analytic = inputs.map((x) => Float64Array.from(x.grad ?? new Float64Array(x.size)));
  const h = 1e-6;
  let worst = 0;
  inputs.forEach((x, k) => {
    for (let i = 0; i < x.size; i++) {
      const keep = x.data[i]!;
      x.data[i] = keep + h;
      const up = loss().item();
      x.data[i] = keep - h;
      const down = loss().item();
      x.data[i] = keep;
      const numeric = (up - down) / (2 * h);
      const a = analytic[k]![i]!;
      const rel = Math.abs(a - numeric) / Math.max(1, Math.abs(a), Math.abs(numeric));
      worst = Math.max(worst, rel);
      assert.ok(rel <= tolerance, `input ${k} element ${i}: analytic ${a} vs numeric ${numeric} (relative ${rel})`);
    }
  });
  return worst;
}

/** Largest absolute difference between two arrays of equal length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * A base list of flags with some replaced: over(SMALL, '--epochs', '3') is SMALL with its --epochs value 3 (the CLI
 * refuses a flag given twice, so a test that changes a base flag replaces it).
 */
export function over(base: readonly string[], ...changes: string[]): string[] {
  const changed = new Set(changes.filter((a) => a.startsWith('--')));
  const kept: string[] = [];
  for (let i = 0; i < base.length; i++) {
    const a = base[i]!;
    if (a.startsWith('--') && changed.has(a)) {
      if (base[i + 1] !== undefined && !base[i + 1]!.startsWith('--')) i++;
      continue;
    }
    kept.push(a);
  }
  return [...kept, ...changes];
}
