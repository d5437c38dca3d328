// The portable native build: every vector width this CPU can run (AVX-512, AVX2, SSE2; RNNLM_NATIVE_ISA picks a
// narrower one than the widest) passes the same kernel tests against the reference, so a machine that loads a
// narrower variant than this one computes the same numbers. RNNLM_NATIVE_ISA=none turns the native kernels off,
// and `--backend auto` then says why it uses WebAssembly, once.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers.js';
import { loadNativeBackend } from '../../src/node/native.js';

const native = await loadNativeBackend();
const WIDTHS = ['avx512', 'avx2', 'sse2'] as const;

describe('native kernel variants', () => {
  if (typeof native === 'string') {
    it(`none to test: ${native}`, { skip: true }, () => {});
    return;
  }
  // the widest variant runs in kernels.test.ts; the narrower ones this CPU supports run here
  const narrower = native.isa === 'generic' ? [] : WIDTHS.slice(WIDTHS.indexOf(native.isa) + 1);
  for (const isa of narrower) {
    it(`the ${isa} variant passes the kernel tests`, () => {
      const r = spawnSync(process.execPath, ['--test', '--test-reporter=dot', join(ROOT, 'dist', 'test', 'backend', 'kernels.test.js')],
        { encoding: 'utf8', env: { ...process.env, RNNLM_NATIVE_ISA: isa } });
      assert.equal(r.status, 0, r.stdout.slice(-2000) + r.stderr);
      const probe = spawnSync(process.execPath, ['--input-type=module', '-e',
        `const { loadNativeBackend } = await import(${JSON.stringify(join(ROOT, 'dist', 'src', 'node', 'native.js'))}); console.log((await loadNativeBackend()).isa);`],
      { encoding: 'utf8', env: { ...process.env, RNNLM_NATIVE_ISA: isa } });
      assert.equal(probe.stdout.trim(), isa, probe.stderr);
    });
  }
  it('auto says once, on stderr, why it does not use the native kernels', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'main.js'), 'train', '--epochs', '1', '--batch-size', '32',
      '--num-steps', '8', '--num-hiddens', '8', '--num-train', '200', '--num-val', '50'], { encoding: 'utf8', env: { ...process.env, RNNLM_NATIVE_ISA: 'none' } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, 'rnnlm: using the wasm backend, not the native kernels: RNNLM_NATIVE_ISA=none turns them off\n');
    assert.match(r.stdout, /wasm backend/);
  });
});
