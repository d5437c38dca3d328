// What the browser tests share: the built page served over HTTP (with the data mirror and test files), Chromium
// launched headless, and a new tab opened on the page once it is ready, with its console errors and status texts logged;
// and the checks every page test makes: axe-core's audit, and nothing wider than the window.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from './helpers.js';

export const CHROMIUM = process.env['RNNLM_CHROMIUM'] ?? '/usr/bin/chromium';
export const SITE = join(ROOT, 'web', 'dist');
export const DATA = join(ROOT, '..', 'shared', 'data');
const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.txt': 'text/plain',
};

/** Files a test serves at /bytes/NAME. */
export const EXTRA = new Map<string, Uint8Array>();

/** The headers that make the page cross-origin isolated, so that it may train on several threads (web/parallel.ts). */
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** Serves the built site at /, the data mirror at /data/ and EXTRA at /bytes/; isolated: with the COOP/COEP headers. */
export function serve(isolated = false): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const extra = url.pathname.startsWith('/bytes/') ? EXTRA.get(url.pathname.slice(7)) : undefined;
    if (extra) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(extra);
      return;
    }
    const [base, rel] = url.pathname.startsWith('/data/') ? [DATA, url.pathname.slice(6)] : [SITE, url.pathname === '/' ? 'index.html' : url.pathname.slice(1)];
    const path = normalize(join(base, decodeURIComponent(rel)));
    if (!path.startsWith(base) || !existsSync(path)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', ...(isolated ? ISOLATION : {}) }).end(readFileSync(path));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The address a server from serve() answers at. */
export const originOf = (server: Server): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** A test file's setup: the site served (not isolated) and Chromium launched; the file's after() closes both. */
export async function startSite(): Promise<{ server: Server; browser: Browser; origin: string }> {
  const server = await serve();
  return { server, browser: await launchBrowser(), origin: originOf(server) };
}

/** The progress bars (0 to 1) and the time left, as one status text showed. */
export interface ProgressSample { status: string; epoch: number; run: number; left: string; at: number }

/** Headless Chromium as the tests run it (after checking that it and the built page are there). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`browser tests need Chromium at ${CHROMIUM}: apt-get install chromium (or set RNNLM_CHROMIUM)`);
  if (!existsSync(join(SITE, 'index.html'))) throw new Error('the page is not built: npm run build:web');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A new tab on the page at `origin` in `browser`, ready; console errors go to `log`, every status text to window.statusLog, and the progress
 * bars and time left at every status change to window.progressLog. `setup` runs on the tab before the page opens (routes, init scripts).
 */
export async function openPage(browser: Browser, origin: string, log: string[], viewport = { width: 1100, height: 1400 },
  { withoutShippedModel = false, setup }: { withoutShippedModel?: boolean; setup?: (p: Page) => Promise<unknown> } = {}): Promise<Page> {
  const p = await browser.newPage({ acceptDownloads: true, viewport });
  await setup?.(p);
  // the page as it is when its ready-trained model cannot be fetched: no model until one is trained or opened
  if (withoutShippedModel) await p.route('**/timemachine-gru.safetensors', (r) => r.fulfill({ status: 404, body: 'not found' }));
  p.on('console', (m) => {
    if (m.type() === 'error') log.push(m.text());
  });
  p.on('pageerror', (e) => log.push(e.message));
  // every text the status and text-info lines show, for the check that no CLI flag ever appears
  await p.addInitScript(() => {
    const texts: string[] = [];
    const progress: ProgressSample[] = [];
    Object.assign(window, { statusLog: texts, progressLog: progress });
    document.addEventListener('DOMContentLoaded', () => {
      for (const id of ['status', 'text-info', 'model-info']) {
        const el = document.getElementById(id)!;
        new MutationObserver(() => texts.push(el.textContent ?? '')).observe(el, { childList: true, characterData: true, subtree: true });
      }
      // observers run once the page's message handler is done, so the bars are those of the same batch
      const bar = (id: string): number => (document.getElementById(id) as HTMLProgressElement).value;
      const status = document.getElementById('status')!;
      new MutationObserver(() => progress.push({
        status: status.textContent ?? '', epoch: bar('epoch-progress'), run: bar('run-progress'), left: document.getElementById('time-left')!.textContent ?? '',
        at: Number(status.dataset['shownAt'] ?? performance.now()), // the page's time of showing a batch, not this observer's
      })).observe(status, { childList: true, characterData: true, subtree: true });
    });
  });
  await p.goto(origin + '/');
  await p.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  return p;
}

/** axe-core's script, injected into the page under test (a devDependency: never part of the page). */
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * axe-core's audit of the page as it is (or of the elements `include` selects): it ran its rules (more than 10
 * passed), and found no serious or critical violation; `when` names the moment in the failure's message.
 */
export async function assertAccessible(p: Page, when: string, include?: string): Promise<void> {
  await p.addScriptTag({ path: AXE });
  const result = await p.evaluate(async (within) => {
    const axe = (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<{ violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[]; passes: unknown[] }> } }).axe;
    const r = await axe.run(within === null ? document : { include: [[within]] }, { resultTypes: ['violations'] });
    return { passes: r.passes.length, violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) })) };
  }, include ?? null);
  assert.ok(result.passes > 10, `axe ran its rules (${result.passes} passed)`);
  assert.deepEqual(result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'), [], when);
}

/** No horizontal scroll, and no element of `selector` (with a size) reaching past the window's edges. */
export async function assertFitsWindow(p: Page, selector = 'body *'): Promise<void> {
  const layout = await p.evaluate((sel) => {
    const edge = document.documentElement.clientWidth;
    const outside = Array.from(document.querySelectorAll(sel)).filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && (r.left < -0.5 || r.right > edge + 0.5);
    }).map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} ${el.getAttribute('class') ?? ''}`.trim());
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, outside };
  }, selector);
  assert.ok(layout.scrollWidth <= layout.innerWidth, `content ${layout.scrollWidth} px wide in a ${layout.innerWidth} px window`);
  assert.deepEqual(layout.outside, []);
}
