// Generation speed in a browser (issue 19's "2,000 tokens a second in the page"): Chromium (headless, Playwright)
// loads rnnlm/inference as ES modules from this repository's dist/ (the same files a bundler packs), fetches a
// 2-layer LSTM 512 checkpoint, and times greedy tokens through TextModel.generate on the wasm kernels, in the page's
// main thread (the training page's worker runs the same kernels). Node's wasm figure is taken in the same run for the
// ratio. Usage: npm run build && node bench/generation-page.mjs [TOKENS] [ROUNDS]   (not a test)
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { encodeCheckpoint } from '../dist/src/train/checkpoint/checkpoint.js';
import { BOOK_CONFIG, createModel } from '../dist/src/train/config/config.js';
import { Vocab } from '../dist/src/data/vocab.js';
import { Rng } from '../dist/src/tensor/random.js';
import { loadModel } from '../dist/src/inference.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TOKENS = Number(process.argv[2] ?? 2000);
const ROUNDS = Number(process.argv[3] ?? 3);
const vocab = new Vocab([...'abcdefghijklmnopqrstuvwxyz ']);
const config = { ...BOOK_CONFIG, cell: 'lstm', numLayers: 2, numHiddens: 512, concise: true };
const model = encodeCheckpoint({ model: createModel(config, vocab.length, new Rng(1)), vocab, config });
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
const server = createServer((req, res) => {
  const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  if (rel === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>gen</title>');
  if (rel === '/model.safetensors') return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(model);
  const path = normalize(join(ROOT, rel));
  if (!path.startsWith(join(ROOT, 'dist'))) return void res.writeHead(404).end();
  try {
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: process.env.RNNLM_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', ...(process.env.RNNLM_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean)] });
const page = await browser.newPage();
await page.goto(base + '/');
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const inPage = [];
const inNode = [];
const nodeModel = await loadModel(model);
for (let r = 0; r < ROUNDS; r++) {
  inPage.push(await page.evaluate(async ({ base, tokens }) => {
    const { loadModel } = await import(base + '/dist/src/inference.js');
    // loaded once, as Node's model is: later rounds run kernels V8 has already tiered up
    const m = (globalThis.benchModel ??= await loadModel(base + '/model.safetensors'));
    if (m.backend !== 'wasm') throw new Error(`the page runs the ${m.backend} kernels`);
    const t0 = performance.now();
    await m.text('the time', { numPreds: tokens });
    const text = (performance.now() - t0) / tokens;
    // the forward pass alone (greedy steps without decoding), to tell the kernels from what surrounds them
    let out = m.model.stepToken(0, undefined);
    const t1 = performance.now();
    for (let i = 0; i < tokens; i++) out = m.model.stepToken(i % 27, out.state);
    return { text, steps: (performance.now() - t1) / tokens };
  }, { base, tokens: TOKENS }));
  const t0 = performance.now();
  await nodeModel.text('the time', { numPreds: TOKENS });
  inNode.push((performance.now() - t0) / TOKENS);
}
await browser.close();
server.close();
const [p, s, n] = [median(inPage.map((x) => x.text)), median(inPage.map((x) => x.steps)), median(inNode)];
console.log(`2-layer LSTM 512, greedy, ${TOKENS} tokens, ${ROUNDS} interleaved rounds (medians): page (Chromium, wasm) ${p.toFixed(3)} ms a token = ` +
  `${Math.round(1000 / p)} tokens/s through TextModel.text (forward steps alone ${s.toFixed(3)} ms = ${Math.round(1000 / s)} tokens/s); ` +
  `Node wasm ${n.toFixed(3)} ms = ${Math.round(1000 / n)} tokens/s through TextModel.text; page/Node ${median(inPage.map((x, i) => x.text / inNode[i])).toFixed(2)}`);
