// The page's first load within its budget: Vite builds the page into a temporary folder, and the gzipped bytes of
// what a first visit loads before the page can paint and start are summed: index.html, the scripts and stylesheets it
// links, and what those scripts start at once (the worker's script, and the WebAssembly kernels it fetches at init).
// The texts and the ready-trained model are fetched after the first paint and do not count; neither does the script
// of the training threads (started by a threaded run). Before the hand-drawn chart the first load was 346 kB, 290 kB
// of it Vega.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ROOT, tempDir } from './helpers.js';

/** The budget for the first load (HTML, scripts, styles), gzipped. */
const BUDGET_BYTES = 250 * 1000;

/** The assets a script creates at once by URL (Vite writes `new URL("name", import.meta.url)`): scripts, styles, kernels. */
function startedBy(script: string): string[] {
  return [...script.matchAll(/new URL\(\s*[`'"]([^`'"]+\.(?:js|css|wasm))[`'"]\s*,\s*import\.meta\.url\s*\)/g)].map((m) => m[1]!);
}

it('builds the page, whose first load is within 250 kB gzipped and holds no chart library', { timeout: 120000 }, (t) => {
  const out = tempDir();
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--config', join(ROOT, 'web', 'vite.config.ts'), '--outDir', out, '--emptyOutDir', '--logLevel', 'error'],
    { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  const linked = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*\brel="(?:stylesheet|modulepreload)"[^>]*\bhref)="\.\/([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(linked.some((p) => p.endsWith('.js')) && linked.some((p) => p.endsWith('.css')), `a script and a stylesheet: ${linked.join(', ')}`);
  const files = new Map<string, Buffer>([['index.html', Buffer.from(html)]]);
  for (const path of linked) {
    const bytes = readFileSync(join(out, path));
    files.set(path, bytes);
    if (!path.endsWith('.js')) continue;
    for (const name of startedBy(bytes.toString('utf8'))) files.set(`assets/${name}`, readFileSync(join(out, 'assets', name)));
  }
  const names = [...files.keys()];
  assert.ok(names.some((n) => /\/worker-[^/]+\.js$/.test(n)) && names.some((n) => n.endsWith('.wasm')), `the worker and its kernels count: ${names.join(', ')}`);
  let total = 0;
  for (const [name, bytes] of files) {
    const gz = gzipSync(bytes).length;
    total += gz;
    t.diagnostic(`${name}: ${bytes.length} bytes, ${gz} gzipped`);
  }
  t.diagnostic(`first load: ${total} bytes gzipped (budget ${BUDGET_BYTES})`);
  assert.ok(total <= BUDGET_BYTES, `the first load is ${total} bytes gzipped, over the budget of ${BUDGET_BYTES}`);
  // the chart is drawn by hand (src/plot/svg.ts): no Vega in the page's scripts
  for (const [name, bytes] of files) if (name.endsWith('.js')) assert.doesNotMatch(bytes.toString('utf8'), /vega-lite|vega-embed|vega\.github\.io/, name);
  // what comes after the first paint is there too: the ready-trained model and the shipped texts
  assert.ok(readFileSync(join(out, 'timemachine-gru.safetensors')).length > 100000, 'the ready-trained model is in the site');
});
