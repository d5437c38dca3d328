// rnnlm as a web developer gets it: the packed tarball installed (offline: it has no dependencies) into a fresh Vite
// project made from test/consumer-template/, built by Vite with no configuration and no aliases, and opened in
// Chromium. The page loads a checkpoint from `rnnlm train` with rnnlm/inference and writes the text `rnnlm generate
// --backend wasm` prints; a Web Worker trains one epoch with the browser build of 'rnnlm' on the WebAssembly backend.
// The project's TypeScript checks against the package's types, and the bundler-free docs/inference-page.html runs too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
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

describe('a fresh Vite project that installs the packed rnnlm', { timeout: 90000 }, () => {
  const started = performance.now();
  let dir: string;
  let app: string;
  let model: string;
  const servers: Server[] = [];
  let browser: Browser | undefined;
  const errors: string[] = [];

  /** A new tab at a URL; its console errors go to errors. */
  async function open(url: string): Promise<Page> {
    browser ??= await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
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

  it('builds with Vite as it comes: no configuration, no aliases, no warnings', async () => {
    const { build, createLogger } = await import('vite');
    const warnings: string[] = [];
    const logger = createLogger('warn');
    const customLogger = { ...logger, warn: (msg: string) => void warnings.push(msg), warnOnce: (msg: string) => void warnings.push(msg) };
    // the same call as `vite build` in the project (its root, its own configuration lookup: there is none)
    await build({ root: app, logLevel: 'warn', customLogger });
    assert.deepEqual(warnings, []);
    assert.ok(existsSync(join(app, 'dist', 'index.html')));
  });

  it('in Chromium: generates the text of rnnlm generate --backend wasm and trains an epoch in a Worker on WebAssembly', async () => {
    const site = join(app, 'dist');
    copyFileSync(model, join(site, 'model.safetensors')); // served next to the page, as the page's fetch expects
    const page = await open(`${await origin(site)}/`);
    await page.waitForFunction(() => document.body.dataset['error'] !== undefined ||
      (document.getElementById('out')?.dataset['done'] === 'true' && document.getElementById('train')?.dataset['done'] === 'true'), null, { timeout: 30000 });
    assert.equal(await page.getAttribute('body', 'data-error'), null);
    assert.equal(await page.textContent('#out'), cliText(40));
    assert.equal(await page.getAttribute('#out', 'data-backend'), 'wasm');
    const stats = JSON.parse(await page.textContent('#train') ?? '') as { epoch: number; trainPpl: number; valPpl: number; backend: string };
    assert.equal(stats.epoch, 1);
    assert.equal(stats.backend, 'wasm');
    assert.ok(Number.isFinite(stats.trainPpl) && Number.isFinite(stats.valPpl) && stats.valPpl > 1, JSON.stringify(stats));
    assert.deepEqual(errors, []);
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

  it('takes under a minute', (t) => {
    const seconds = (performance.now() - started) / 1000;
    t.diagnostic(`consumer test: ${seconds.toFixed(1)} s (pack, install, build, Chromium)`);
    assert.ok(seconds < 60, `${seconds.toFixed(1)} s`);
  });
});
