// The page's ready-trained model (web/public/timemachine-gru.safetensors): what scripts/build-page-model.mjs declares
// (a GRU of 128 units on the packaged Time Machine, weights only, a few hundred kB), and reproducible: the script
// run again from the sources gives the committed file byte for byte (WebAssembly kernels, one thread, a fixed seed).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { ROOT } from './helpers.js';
import { decodeSafetensors } from '../src/train/checkpoint/safetensors.js';

const SCRIPT = join(ROOT, 'scripts', 'build-page-model.mjs');
const MODEL = join(ROOT, 'web', 'public', 'timemachine-gru.safetensors');

it("is the run the script declares, on the packaged text's characters, weights only, under 300 kB", async () => {
  const { PAGE_MODEL } = await import(SCRIPT) as { PAGE_MODEL: Record<string, unknown> };
  const bytes = readFileSync(MODEL);
  assert.ok(bytes.length < 300 * 1000, `${bytes.length} bytes`);
  const { metadata, tensors } = decodeSafetensors(bytes);
  const config = JSON.parse(metadata['config']!) as Record<string, unknown>;
  for (const [field, value] of Object.entries(PAGE_MODEL)) assert.deepEqual(config[field], value, field);
  assert.deepEqual(JSON.parse(metadata['vocab']!), [' ', '<unk>', ...'abcdefghijklmnopqrstuvwxyz'], "the book text's 28 tokens, in code-point order");
  assert.equal(metadata['training'], undefined, 'weights only: no run, no optimizer buffers');
  assert.ok(tensors.every((t) => !t.name.startsWith('optimizer.')));
});

it('is rebuilt byte for byte by scripts/build-page-model.mjs --check', { timeout: 180000 }, () => {
  const r = spawnSync(process.execPath, [SCRIPT, '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /is what this script builds/);
  const usage = spawnSync(process.execPath, [SCRIPT, '--force'], { encoding: 'utf8' });
  assert.equal(usage.status, 2, 'an unknown flag is a usage error');
});
