// The page's training speed against Node's WebAssembly backend on the same run, in one interleaved run:
// the built page (web/dist) served with and without the cross-origin isolation headers (threads or one thread),
// driven in Chromium, and `rnnlm train --backend wasm` with the same threads. The run: The Time Machine, the book's
// model and settings, EPOCHS epochs. Reports seconds per epoch (median), the page/Node ratio of each round (the
// machine's speed drifts between rounds, so only a round's own ratio counts; the table gives their median), and the
// share of the machine's peak each reached, the peak measured (native FMA probe) in every round.
// Usage: npm run build && npm run build:web && node bench/page-speed.mjs [EPOCHS] [ROUNDS]   (not a test)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { measurePeak } from '../dist/src/node/bench/peak.js';
import { flopsPerEpoch } from '../dist/src/node/bench/flops.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SITE = join(ROOT, 'web', 'dist');
const TEXT = join(ROOT, 'data', 'timemachine.txt');
const EPOCHS = Number(process.argv[2] ?? 5);
const ROUNDS = Number(process.argv[3] ?? 3);
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

function serve(isolated) {
  const server = createServer((req, res) => {
    const rel = new URL(req.url ?? '/', 'http://x').pathname;
    const path = normalize(join(SITE, rel === '/' ? 'index.html' : decodeURIComponent(rel.slice(1))));
    if (!path.startsWith(SITE) || !existsSync(path)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', ...(isolated ? ISOLATION : {}) }).end(readFileSync(path));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Seconds per epoch (median over epochs after the first) of the page's run, and the threads it used. */
async function page(browser, isolated) {
  const server = await serve(isolated);
  const p = await browser.newPage();
  await p.goto(`http://127.0.0.1:${server.address().port}/`);
  await p.waitForSelector('body[data-ready="true"]');
  await p.$eval('#text', (el, t) => {
    el.value = t;
    el.dispatchEvent(new Event('input'));
  }, readFileSync(TEXT, 'utf8'));
  await p.fill('#epochs', String(EPOCHS));
  await p.click('#train');
  await p.waitForFunction((n) => document.body.dataset.trained === String(n), EPOCHS, { timeout: 600000 });
  const seconds = await p.evaluate(() => window.epochSeconds ?? null);
  const info = await p.textContent('#status');
  const threads = Number(await p.evaluate(() => document.body.dataset.threads ?? '1'));
  await p.close();
  server.close();
  return { secondsPerEpoch: seconds ? median(seconds.slice(1)) : NaN, threads, info };
}

function node(threads) {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'main.js'), 'train', '--data', TEXT, '--backend', 'wasm', '--threads', String(threads), '--epochs', String(EPOCHS), '--json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const epochs = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => 'epoch' in l);
  return median(epochs.slice(1).map((e) => e.seconds));
}

const browser = await chromium.launch({ executablePath: process.env.RNNLM_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const rows = [];
const FLOPS = flopsPerEpoch('rnn', 1, 32, 28); // the book's model: vocabulary 28
// the probe needs the native kernels (npm install builds them when a compiler is present)
const share = (seconds, peak) => (Number.isFinite(peak) ? `${((FLOPS / seconds / 1e9 / peak) * 100).toFixed(1)}%` : 'peak not measured');
for (let r = 0; r < ROUNDS; r++) {
  const peak = (await measurePeak()).gflops;
  const threaded = await page(browser, true);
  const nodeThreads = node(threaded.threads);
  const single = await page(browser, false);
  const nodeSingle = node(1);
  rows.push({ threaded, nodeThreads, single, nodeSingle, peak });
  console.log(`round ${r + 1} (peak ${peak.toFixed(0)} GFLOP/s): page ${threaded.threads} threads ${threaded.secondsPerEpoch.toFixed(3)} s/epoch, ` +
    `Node wasm ${nodeThreads.toFixed(3)} (${(threaded.secondsPerEpoch / nodeThreads).toFixed(2)}x); page 1 thread ${single.secondsPerEpoch.toFixed(3)}, ` +
    `Node wasm 1 thread ${nodeSingle.toFixed(3)} (${(single.secondsPerEpoch / nodeSingle).toFixed(2)}x)`);
}
await browser.close();
const m = (f) => median(rows.map(f));
const row = (label, pageS, nodeS) => `| ${label} | ${m(pageS).toFixed(3)} (${share(m(pageS), m((x) => x.peak))} of peak) | ` +
  `${m(nodeS).toFixed(3)} (${share(m(nodeS), m((x) => x.peak))}) | ${m((x) => pageS(x) / nodeS(x)).toFixed(2)}x (${rows.map((x) => (pageS(x) / nodeS(x)).toFixed(2)).join(', ')}) |`;
console.log(`\n| run | page s/epoch | Node wasm s/epoch | page / Node: median (each round) |\n| --- | --- | --- | --- |`);
console.log(row(`${rows[0].threaded.threads} threads (isolated page)`, (x) => x.threaded.secondsPerEpoch, (x) => x.nodeThreads));
console.log(row('1 thread (no isolation headers)', (x) => x.single.secondsPerEpoch, (x) => x.nodeSingle));
console.log(`\n(the book's model on The Time Machine, ${EPOCHS} epochs a run, median of epochs 2-${EPOCHS}; ${ROUNDS} interleaved rounds; ` +
  `peak ${m((x) => x.peak).toFixed(0)} GFLOP/s (median of the rounds' probes); ${new Date().toISOString().slice(0, 16)} UTC)`);
