// bench/scaling.sh, the one prepared call that measures issue 19's thread goals on a lent many-core machine: at toy
// sizes (SCALING_SIZES=tiny) every part runs and writes its file, so that a machine's few minutes are not lost to a
// broken script. Its numbers are not asserted (benchmarks are not tests); what each part must print is.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dataFile, hasTorch, PYTHON, ROOT, tempDir } from './helpers.js';


describe('bench/scaling.sh', () => {
  it('runs every part at toy sizes and leaves each part\'s output in its folder', () => {
    const out = tempDir();
    const r = spawnSync('bash', [join(ROOT, 'bench', 'scaling.sh'), out], {
      encoding: 'utf8', env: { ...process.env, SCALING_SIZES: 'tiny', PYTHON, TINY: dataFile('tinyshakespeare.txt') }, timeout: 240_000,
    });
    assert.equal(r.status, 0, r.stderr + r.stdout.slice(-2000));
    assert.doesNotMatch(r.stdout, /failed \(exit/);
    assert.match(readFileSync(join(out, 'machine.txt'), 'utf8'), /^date .*; \d+ cores \(nproc \d+\): .*\nnode v\d+.*\nthread counts: 1(,\d+)*$/m);
    for (const part of ['batch1024-threads', 'batch50-threads']) {
      const text = readFileSync(join(out, `${part}.txt`), 'utf8');
      if (availableParallelism() < 2) continue; // one count, 1: no scaling table
      assert.match(text, /^Thread scaling \(speed-up: .*\n\| model \| engine \| threads \|/m, part);
      assert.match(text, /^\| lstm x2, hidden 8 \| rnnlm concise \| 1 \| \w+ backend, 1 thread\(s\) \| [\d.]+ \| 1\.00x \|/m, part);
    }
    for (const part of ['batch1024-torch', 'batch50-torch']) {
      const text = readFileSync(join(out, `${part}.txt`), 'utf8');
      if (hasTorch()) assert.match(text, /^\| lstm x2, hidden 8, 2 thread\(s\) \| rnnlm concise \/ torch\.nn \| [\d.]+x \| [\d.]+x \|/m, part);
      else assert.match(text, new RegExp(`^scaling\\.sh: ${part} skipped: .* does not import torch$`, 'm'), part);
    }
    for (const part of ['native-1', 'wasm-1', 'native-2', 'wasm-2']) {
      const text = readFileSync(join(out, `book-9.5-${part}.txt`), 'utf8');
      assert.match(text, /^done in [\d.]+ s: train ppl [\d.]+/m, part);
      assert.match(text, new RegExp(`${part.split('-')[0]} backend`), part);
    }
  });
});
