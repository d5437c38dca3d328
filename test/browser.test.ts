// The browser page in real Chromium (Debian's, driven by playwright-core): it loads without console errors, loads a
// text from a URL, trains two epochs on a small pasted text with the chart and perplexity updating, generates text,
// and exchanges checkpoints with the CLI both ways; it trains on raw mixed-script text (vocabulary and generation
// checked against the text's own characters), reports what the book's preprocessing drops, refuses binary files,
// and never shows a CLI flag in its status line. A screenshot of the trained page goes to test-artifacts/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT, tempDir } from './helpers.js';
import { decodeSafetensors } from '../src/train/safetensors.js';

const CHROMIUM = process.env['RNNLM_CHROMIUM'] ?? '/usr/bin/chromium';
const SITE = join(ROOT, 'web', 'dist');
const DATA = join(ROOT, '..', 'shared', 'data');
const BIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.txt': 'text/plain',
};

/** Serves the built site at / and the data mirror at /data/. */
function serve(): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [base, rel] = url.pathname.startsWith('/data/') ? [DATA, url.pathname.slice(6)] : [SITE, url.pathname === '/' ? 'index.html' : url.pathname.slice(1)];
    const path = normalize(join(base, decodeURIComponent(rel)));
    if (!path.startsWith(base) || !existsSync(path)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A short text mixing English (capitals, punctuation, digits), Chinese, Russian and an emoji; NFC, LF line ends. */
const MIXED = ('The Time Traveller (for so it will be convenient to speak of him) was expounding a recondite matter to us. ' +
  'His grey eyes shone & twinkled; 42 times, "Yes!" he said. 中文的句子在这里。 Русский текст, тоже здесь. 🙂 End.\n').repeat(12);

/** Characters (code points) of a text that the book's preprocessing drops: neither ASCII letters nor whitespace. */
const droppedByBook = (text: string): number => [...text].filter((c) => !/[A-Za-z]/.test(c) && !/\s/.test(c)).length;

function rnnlm(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the browser page', { timeout: 180000 }, () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let origin: string;
  const errors: string[] = [];

  before(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`browser tests need Chromium at ${CHROMIUM}: apt-get install chromium (or set RNNLM_CHROMIUM)`);
    if (!existsSync(join(SITE, 'index.html'))) throw new Error('the page is not built: npm run build:web');
    server = await serve();
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1100, height: 1400 } });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    // every text the status and text-info lines show, for the check that no CLI flag ever appears
    await page.addInitScript(() => {
      const log: string[] = [];
      (window as unknown as { statusLog: string[] }).statusLog = log;
      document.addEventListener('DOMContentLoaded', () => {
        for (const id of ['status', 'text-info', 'model-info']) {
          const el = document.getElementById(id)!;
          new MutationObserver(() => log.push(el.textContent ?? '')).observe(el, { childList: true, characterData: true, subtree: true });
        }
      });
    });
    await page.goto(origin + '/');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  it('loads without console errors, on the WebAssembly backend', async () => {
    assert.match(await page.textContent('#status') ?? '', /ready \(wasm backend\)/);
    assert.deepEqual(errors, []);
  });

  it('loads a text from a URL (the local mirror)', async () => {
    await page.fill('#url', `${origin}/data/timemachine.txt`);
    await page.click('#load-url');
    await page.waitForFunction(() => (document.getElementById('text') as HTMLTextAreaElement).value.length > 100000);
    assert.match(await page.inputValue('#text'), /The Time Machine/);
  });

  it('trains two epochs on a pasted text: the chart shows points and perplexity falls', async () => {
    const text = readFileSync(join(DATA, 'timemachine.txt'), 'utf8').slice(0, 30000);
    await page.fill('#text', text);
    for (const [id, v] of [['epochs', '2'], ['batchSize', '64'], ['numSteps', '16'], ['numTrain', '2000'], ['numVal', '500']] as const) {
      await page.fill(`#${id}`, v);
    }
    await page.click('#train');
    await page.waitForSelector('body[data-trained="2"]', { timeout: 60000 });
    assert.equal(await page.getAttribute('#chart', 'data-points'), '2');
    const marks = await page.locator('#chart svg path').count();
    assert.ok(marks > 2, `${marks} paths in the chart`);
    const series = async (name: string): Promise<number[]> => ((await page.getAttribute('#chart', name)) ?? '').split(' ').map(Number);
    const [train, val] = [await series('data-train-ppl'), await series('data-val-ppl')];
    assert.equal(val.length, 2);
    assert.ok(train[1]! < train[0]! && val[1]! < val[0]!, `perplexity falls: train ${train}, validation ${val}`);
    assert.ok(val[1]! < 28, 'below uniform over 28 characters');
    const tokens = Number(await page.getAttribute('#status', 'data-tokens-per-second'));
    assert.ok(tokens > 0, 'tokens per second shown');
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'test-artifacts', 'browser-trained.png'), fullPage: true });
    assert.deepEqual(errors, []);
  });

  it('pauses, resumes and stops a run while the page stays responsive', async () => {
    await page.fill('#epochs', '1000');
    await page.click('#train');
    await page.waitForSelector('#pause:not([disabled])');
    await page.waitForFunction(() => /batch \d+\//.test(document.getElementById('status')?.textContent ?? ''));
    await page.click('#pause');
    assert.equal(await page.textContent('#pause'), 'Resume');
    await page.waitForTimeout(300); // let a batch in flight finish
    const frozen = await page.textContent('#status');
    await page.waitForTimeout(700);
    assert.equal(await page.textContent('#status'), frozen, 'no progress while paused');
    await page.fill('#prefix', 'the'); // the page answers input while the worker holds a paused run
    await page.click('#pause');
    await page.waitForFunction((before) => document.getElementById('status')?.textContent !== before, frozen);
    await page.click('#stop');
    await page.waitForFunction(() => /^stopped: training interrupted during epoch \d+/.test(document.getElementById('status')?.textContent ?? ''));
    assert.equal(await page.isDisabled('#stop'), true);
    await page.fill('#epochs', '2');
  });

  it('trains a 2-layer concise GRU chosen in the page, and its checkpoint names the model', async () => {
    await page.selectOption('#cell', 'gru');
    await page.fill('#numLayers', '2');
    await page.check('#concise');
    await page.fill('#epochs', '1');
    await page.click('#train');
    await page.waitForFunction(() => /^finished 1 epochs/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 60000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    const path = join(tempDir(), 'gru.safetensors');
    await download.saveAs(path);
    const meta = decodeSafetensors(readFileSync(path)).metadata;
    assert.deepEqual(JSON.parse(meta['model']!), { kind: 'concise', cell: 'gru', layers: 2, dropout: 0, bidirectional: false });
    await page.selectOption('#cell', 'rnn');
    await page.fill('#numLayers', '1');
    await page.uncheck('#concise');
    await page.fill('#epochs', '2');
    assert.deepEqual(errors, []);
  });

  it('generates text from the trained model, greedy and sampled', async () => {
    // 200 characters at temperature 2 (the slider's top): a sampled text equals the greedy one only if every draw
    // picks the most likely character; a model after one epoch, its logits halved, gives that character well under
    // 0.9 on average, so the chance is below 0.9^200 = 7e-10 per sample. Sampling that fell back to argmax fails here.
    const generated = async (): Promise<string> => {
      await page.click('#generate');
      await waitGenerated();
      const text = await page.textContent('#output') ?? '';
      assert.ok(text.startsWith('the time') && text.length === 208, `the prefix and 200 characters: ${JSON.stringify(text)}`);
      return text;
    };
    const setTemperature = (v: string): Promise<void> => page.locator('#temperature').evaluate((el, value) => {
      (el as HTMLInputElement).value = value;
      el.dispatchEvent(new Event('input'));
    }, v);
    await page.fill('#prefix', 'the time');
    await page.fill('#len', '200');
    await page.uncheck('#sample');
    const greedy = await generated();
    assert.equal(await generated(), greedy, 'greedy decoding is deterministic');
    await page.check('#sample');
    await setTemperature('2');
    assert.equal(await page.textContent('#temperature-value'), '2.0');
    const sampled = [await generated(), await generated()];
    for (const text of sampled) assert.notEqual(text, greedy, 'a sampled text differs from the greedy one');
    // leave the controls as the next tests expect them
    await setTemperature('1');
    await page.uncheck('#sample');
    await page.fill('#len', '40');
  });

  it('downloads a checkpoint that the CLI loads', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    const path = join(tempDir(), 'page.safetensors');
    await download.saveAs(path);
    const r = rnnlm('generate', '--model', path, '--prefix', 'the time', '--len', '20');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^the time.{20}\n$/);
  });

  it('opens a CLI checkpoint and generates from it', async () => {
    const path = join(tempDir(), 'cli.safetensors');
    const t = rnnlm('train', '--epochs', '1', '--batch-size', '32', '--num-steps', '8', '--num-hiddens', '12', '--num-train', '300', '--num-val', '50', '--out', path);
    assert.equal(t.code, 0, t.stderr);
    // the book split reads only its windows' tokens, so a short run's vocabulary may lack rare letters: read its size
    const vocabSize = (JSON.parse(decodeSafetensors(readFileSync(path)).metadata['vocab']!) as string[]).length;
    await page.setInputFiles('#checkpoint', path);
    await page.waitForFunction((v) => new RegExp(`opened cli\\.safetensors: rnn, vocabulary ${v}, 12 hidden units, book text, char tokens$`)
      .test(document.getElementById('model-info')?.textContent ?? ''), vocabSize);
    await page.uncheck('#sample');
    await page.fill('#prefix', 'it has');
    await page.click('#generate');
    // the same WebAssembly kernels in Node and in Chromium compute the same floats, so greedy text is identical
    const expected = rnnlm('generate', '--model', path, '--prefix', 'it has', '--len', '40', '--backend', 'wasm').stdout.replace(/\n$/, '');
    await page.waitForFunction((want) => document.getElementById('output')?.textContent === want, expected);
    assert.deepEqual(errors, []);
  });
  /** Sets the train section's inputs and selects. */
  async function settings(values: Record<string, string>): Promise<void> {
    for (const [id, v] of Object.entries(values)) {
      if (await page.locator(`#${id}`).evaluate((el) => el.tagName === 'SELECT')) await page.selectOption(`#${id}`, v);
      else await page.fill(`#${id}`, v);
    }
  }
  const statusLog = (): Promise<string[]> => page.evaluate(() => (window as unknown as { statusLog: string[] }).statusLog);
  const waitGenerated = (): Promise<unknown> => page.waitForSelector('#output[data-done="true"]', { timeout: 30000 });

  it('trains on raw mixed-script text over the full split: every character is in the vocabulary and generation uses only them', async () => {
    assert.equal(MIXED, MIXED.normalize('NFC'));
    const chars = new Set(MIXED);
    await page.fill('#text', MIXED);
    await settings({ textMode: 'raw', tokens: 'char', split: 'full', epochs: '2', batchSize: '16', numSteps: '8', numHiddens: '16', lr: '1' });
    assert.equal(await page.isDisabled('#numTrain'), true, 'training windows do not apply to the full split');
    assert.equal(await page.isDisabled('#numVal'), true);
    assert.match(await page.getAttribute('#numTrain', 'title') ?? '', /full split/);
    assert.doesNotMatch(await page.textContent('#text-info') ?? '', /drop/, 'raw text drops nothing');
    await page.click('#train');
    await page.waitForFunction(() => /^finished 2 epochs/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 60000 });
    const vocabSize = chars.size + 1; // every distinct code point, and <unk>
    assert.ok((await statusLog()).some((t) => t.startsWith('training on ') && t.includes(`, vocabulary ${vocabSize},`)), `vocabulary ${vocabSize} reported`);
    assert.match(await page.textContent('#model-info') ?? '', new RegExp(`^vocabulary ${vocabSize}, raw text, char tokens`));
    assert.doesNotMatch(await page.textContent('#text-info') ?? '', /drop/);

    await settings({ prefix: 'The', len: '80' });
    await page.click('#generate');
    await waitGenerated();
    const greedy = await page.textContent('#output') ?? '';
    assert.ok(greedy.startsWith('The') && [...greedy].length === 83, `prefix and 80 characters: ${JSON.stringify(greedy)}`);
    assert.deepEqual([...greedy].filter((c) => !chars.has(c)), [], `only the text's characters: ${JSON.stringify(greedy)}`);

    await page.fill('#beam', '3');
    assert.equal(await page.isDisabled('#sample'), true, 'sampling is off with beam search');
    assert.equal(await page.isDisabled('#temperature'), true);
    await page.click('#generate');
    await waitGenerated();
    const beamed = await page.textContent('#output') ?? '';
    assert.ok(beamed.startsWith('The'), beamed);
    assert.deepEqual([...beamed].filter((c) => !chars.has(c)), [], `only the text's characters: ${JSON.stringify(beamed)}`);
    await page.fill('#beam', '0');
    assert.equal(await page.isDisabled('#sample'), false);
    assert.deepEqual(errors, []);
  });

  it("says how many characters the book's preprocessing drops from the same text", async () => {
    const dropped = droppedByBook(MIXED);
    const read = [...MIXED].length;
    assert.ok(dropped > 50, `${dropped} dropped`);
    await page.selectOption('#textMode', 'book');
    assert.match(await page.textContent('#text-info') ?? '', new RegExp(`would drop ${dropped.toLocaleString('en-US')} of them`), 'a preview before training');
    await settings({ split: 'full', epochs: '1' });
    await page.click('#train');
    await page.waitForFunction(() => /^finished 1 epochs/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 60000 });
    const note = `the book's preprocessing dropped ${dropped.toLocaleString('en-US')} of ${read.toLocaleString('en-US')} characters read`;
    assert.ok((await page.textContent('#text-info') ?? '').includes(note), await page.textContent('#text-info') ?? '');
    assert.ok((await statusLog()).some((t) => t.startsWith('training on ') && t.includes(note)), 'in the status line when training starts');
    assert.match(await page.textContent('#model-info') ?? '', /book text, char tokens/);
  });

  it("explains a text too short for the book split in the page's words", async () => {
    await settings({ split: 'book', numTrain: '10000', numVal: '5000' });
    assert.equal(await page.isDisabled('#numTrain'), false);
    await page.click('#train');
    await page.waitForFunction(() => /^error: the text is too short/.test(document.getElementById('status')?.textContent ?? ''));
    const message = await page.textContent('#status') ?? '';
    assert.match(message, /training \+ validation windows = 15000; choose fewer training or validation windows, or split "full"/);
    assert.doesNotMatch(message, /numTrain|numVal|--/);
    assert.equal(await page.isDisabled('#train'), false, 'the page can train again');
  });

  it('refuses a binary file with a one-line message', async () => {
    const path = join(tempDir(), 'blob.bin');
    writeFileSync(path, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0x3e, 0]));
    const before = await page.inputValue('#text');
    await page.setInputFiles('#file', path);
    await page.waitForFunction(() => /looks like a binary file/.test(document.getElementById('status')?.textContent ?? ''));
    assert.equal(await page.textContent('#status'), 'blob.bin looks like a binary file, not text; choose a text file.');
    assert.equal(await page.inputValue('#text'), before, 'the text is kept');
  });

  it('opens a UTF-16 text file', async () => {
    const path = join(tempDir(), 'utf16.txt');
    writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Привет, мир! 你好', 'utf16le')]));
    await page.setInputFiles('#file', path);
    await page.waitForFunction(() => (document.getElementById('text') as HTMLTextAreaElement).value === 'Привет, мир! 你好');
  });

  it('never shows a CLI flag in its status line', async () => {
    const log = await statusLog();
    assert.ok(log.length > 10, `${log.length} status texts seen`);
    assert.deepEqual(log.filter((t) => t.includes('--')), []);
    assert.deepEqual(errors, []);
  });
});
