// rnnlm as a web developer gets it: the packed tarball installed (offline: it has no dependencies) into a fresh
// project made from test/consumer-template/, the same page source built by Vite, webpack, Rollup and esbuild in turn
// (test/consumer-bundlers.ts: each as its users configure it, none with aliases), and each site opened in Chromium.
// The page loads a checkpoint from `rnnlm train` with rnnlm/inference and writes the text `rnnlm generate --backend
// wasm` prints; a Web Worker trains one epoch with the browser build of 'rnnlm'; both on the WebAssembly kernels, which
// esbuild does not copy, so its page passes them as the wasm option (and without it falls back, warning once).
// The project's TypeScript checks against the package's types, and the bundler-free docs/inference-page.html runs too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { BUNDLERS, type Bundler } from './consumer-bundlers.js';
import { ROOT, tempDir } from './helpers.js';

const CHROMIUM = process.env['RNNLM_CHROMIUM'] ?? '/usr/bin/chromium';
const BIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const TEMPLATE = join(ROOT, 'test', 'consumer-template');
const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.safetensors': 'application/octet-stream',
};

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/** Serves a folder (the built site) at /. */
function serve(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = normalize(join(root, decodeURIComponent(url.pathname === '/' ? 'index.html' : url.pathname.slice(1))));
    if (!path.startsWith(root + sep) || !existsSync(path)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('a fresh project that installs the packed rnnlm, built by each bundler', { timeout: 180000 }, () => {
  const started = performance.now();
  let dir: string;
  let app: string;
  let model: string;
  const servers: Server[] = [];
  let browser: Browser | undefined;
  let errors: string[] = [];
  let warnings: string[] = [];

  /** A new tab at a URL; its console errors go to errors, its warnings to warnings (both emptied first). */
  async function open(url: string): Promise<Page> {
    browser ??= await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage();
    errors = [];
    warnings = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
      if (m.type() === 'warning') warnings.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    return page;
  }

  /** Serves a folder; returns its origin. */
  async function origin(root: string): Promise<string> {
    const server = await serve(root);
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** What `rnnlm generate --backend wasm` prints for the checkpoint, without its closing newline. */
  const cliText = (len: number): string =>
    run(process.execPath, [BIN, 'generate', '--model', model, '--len', String(len), '--backend', 'wasm'], ROOT).replace(/\n$/, '');

  before(() => {
    if (!existsSync(CHROMIUM)) throw new Error(`the consumer test needs Chromium at ${CHROMIUM}: apt-get install chromium (or set RNNLM_CHROMIUM)`);
    if (!existsSync(join(ROOT, 'dist', 'wasm', 'kernels.wasm'))) throw new Error('the package is not built: npm run build');
    dir = tempDir();
    model = join(dir, 'model.safetensors');
    run(process.execPath, [BIN, 'train', '--epochs', '3', '--batch-size', '32', '--num-steps', '16', '--num-hiddens', '32',
      '--num-train', '2000', '--num-val', '200', '--out', model], dir);
    const [packed] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT)) as { filename: string }[];
    assert.ok(packed, 'npm pack names its tarball');
    app = join(dir, 'app');
    cpSync(TEMPLATE, app, { recursive: true });
    run('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', join(dir, packed.filename)], app);
    const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    assert.deepEqual(Object.keys(manifest.dependencies ?? {}), ['rnnlm']);
  });
  after(async () => {
    await browser?.close();
    for (const server of servers) server.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('type-checks against the types of the installed package (rnnlm and rnnlm/inference)', () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', app], { cwd: app, encoding: 'utf8' });
    assert.equal(r.status, 0, `tsc -p app: ${r.stdout}${r.stderr}`);
  });

  /** Serves a bundler's site with the model beside the page; opens it, with ?wasm= where the bundler needs the option. */
  async function openSite(bundler: Bundler, wasmOption: boolean): Promise<Page> {
    const site = join(app, bundler.out);
    copyFileSync(model, join(site, 'model.safetensors')); // served next to the page, as the page's fetch expects
    return open(`${await origin(site)}/${wasmOption && bundler.wasm ? `?wasm=${bundler.wasm}` : ''}`);
  }

  for (const bundler of BUNDLERS) {
    it(`${bundler.name}: builds without warnings; in Chromium generates the text of rnnlm generate --backend wasm and trains an epoch in a Worker, both on WebAssembly`, async () => {
      assert.deepEqual(await bundler.build(app), []);
      assert.ok(existsSync(join(app, bundler.out, 'index.html')));
      const page = await openSite(bundler, true);
      await page.waitForFunction(() => document.body.dataset['error'] !== undefined ||
        (document.getElementById('out')?.dataset['done'] === 'true' && document.getElementById('train')?.dataset['done'] === 'true'), null, { timeout: 30000 });
      assert.equal(await page.getAttribute('body', 'data-error'), null);
      assert.equal(await page.getAttribute('#out', 'data-backend'), 'wasm');
      assert.equal(await page.textContent('#out'), cliText(40));
      const stats = JSON.parse(await page.textContent('#train') ?? '') as { epoch: number; trainPpl: number; valPpl: number; backend: string };
      assert.equal(stats.epoch, 1);
      assert.equal(stats.backend, 'wasm');
      assert.ok(Number.isFinite(stats.trainPpl) && Number.isFinite(stats.valPpl) && stats.valPpl > 1, JSON.stringify(stats));
      assert.deepEqual(errors, []);
      assert.deepEqual(warnings, []);
      await page.close();
    });
  }

  it('esbuild without the wasm option: the reference kernels and one console warning that says why and how to pass the wasm', async () => {
    const esbuild = BUNDLERS.find((b) => b.name === 'esbuild')!;
    const page = await openSite(esbuild, false);
    await page.waitForFunction(() => document.getElementById('out')?.dataset['done'] === 'true' && document.body.dataset['error'] !== undefined, null, { timeout: 30000 });
    assert.equal(await page.getAttribute('#out', 'data-backend'), 'reference');
    const hint = "a bundler that does not copy it (esbuild) needs rnnlm/kernels.wasm's URL or bytes: loadModel(m, { wasm })";
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0]!, /^rnnlm: slow reference kernels, not WebAssembly: cannot fetch http:\/\/127\.0\.0\.1:\d+\/wasm\/kernels\.wasm: HTTP 404; /);
    assert.ok(warnings[0]!.endsWith(hint), warnings[0]);
    // the worker's loadWasmBackend() gives the same reason, which the page shows
    assert.match(await page.getAttribute('body', 'data-error') ?? '', /HTTP 404; a bundler that does not copy it \(esbuild\)/);
    assert.deepEqual(errors.filter((e) => !/404/.test(e)), [], 'nothing fails but the missing .wasm');
    await page.close();
  });

  it('runs the documented page without a bundler (docs/inference-page.html): greedy text, then a sample', async () => {
    // the page as its comment says: next to node_modules/ and model.safetensors, served over http
    copyFileSync(join(ROOT, 'docs', 'inference-page.html'), join(app, 'inference-page.html'));
    copyFileSync(model, join(app, 'model.safetensors'));
    const page = await open(`${await origin(app)}/inference-page.html`);
    await page.waitForSelector('#sample:not([disabled])', { timeout: 20000 });
    const greedy = cliText(200);
    assert.equal(await page.textContent('#out'), greedy);
    await page.click('#sample');
    await page.waitForFunction((g) => { const t = document.getElementById('out')!.textContent!; return t !== g && t.length === g.length; }, greedy);
    assert.match(await page.textContent('#out') ?? '', /^it has/);
    assert.deepEqual(errors, []);
  });

  it('takes under a minute and a half', (t) => {
    const seconds = (performance.now() - started) / 1000;
    t.diagnostic(`consumer test: ${seconds.toFixed(1)} s (pack, install, four builds, Chromium)`);
    assert.ok(seconds < 90, `${seconds.toFixed(1)} s`);
  });
});
