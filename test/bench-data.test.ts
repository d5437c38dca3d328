// rnnlm bench's workload, the same on every engine: bench/torch_rnn.py reads a text (--text book or raw) as rnnlm's
// own reading does (decoding, normalisation, characters as tokens, the book split's limit, the vocabulary sorted by
// code point), compared token by token through its --dump-tokens against rnnlm's loadCorpus, on Tiny Shakespeare and
// on small files made to differ: CRLF and lone CR, a combining accent (NFC), emoji beyond the BMP, control
// characters, and the encodings rnnlm accepts (UTF-8 with and without a byte-order mark, UTF-16 LE, Windows-1252).
// Those need PyTorch at /usr/bin/python3 (RNNLM_PYTHON names another) and are skipped without it. Then, without
// PyTorch: the FLOPs of an epoch follow the workload's windows, and bench's header states the text and windows.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dataFile, PYTHON, rnnlm, tempDir, withoutTorch } from './helpers.js';
import { loadCorpus } from '../src/node/load.js';
import { TimeMachine } from '../src/data/timemachine.js';
import { TORCH_SCRIPT } from '../src/node/bench/engines.js';
import { flopsPerEpoch, forwardFlopsPerToken } from '../src/node/bench/flops.js';
import type { TextMode } from '../src/data/tokenizer.js';

const skip = withoutTorch();

interface Windows {
  batchSize: number;
  numSteps: number;
  numTrain: number;
  numVal: number;
}

const BOOK: Windows = { batchSize: 1024, numSteps: 32, numTrain: 10000, numVal: 5000 };
const CHAR_RNN: Windows = { batchSize: 50, numSteps: 50, numTrain: 4000, numVal: 0 };

/** rnnlm's reading of a file: the vocabulary and the token ids the book split reads. */
async function rnnlmTokens(path: string, text: TextMode, w: Windows): Promise<{ vocab: string[]; ids: number[] }> {
  const corpus = await loadCorpus(path, { tokenization: { text, tokens: 'char' }, limit: TimeMachine.tokensNeeded(w) });
  return { vocab: [...corpus.vocab.idxToToken], ids: Array.from(corpus.ids) };
}

/** torch_rnn.py's reading of the same file, through --dump-tokens (all the tokens it reads). */
function torchTokens(path: string, text: TextMode, w: Windows): { vocab: string[]; ids: number[] } {
  const r = spawnSync(PYTHON, [TORCH_SCRIPT, '--data', path, '--text', text, '--steps', String(w.numSteps), '--num-train', String(w.numTrain),
    '--num-val', String(w.numVal), '--dump-tokens', String(TimeMachine.tokensNeeded(w))], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { vocab: string[]; ids: number[] };
}

/** Asserts both engines read the same vocabulary and the same tokens; returns rnnlm's reading. */
async function sameTokens(path: string, text: TextMode, w: Windows): Promise<{ vocab: string[]; ids: number[] }> {
  const mine = await rnnlmTokens(path, text, w);
  const theirs = torchTokens(path, text, w);
  assert.deepEqual(theirs.vocab, mine.vocab, 'the same vocabulary, in the same order');
  assert.equal(theirs.ids.length, mine.ids.length, 'the same number of tokens read');
  const first = mine.ids.findIndex((id, i) => id !== theirs.ids[i]);
  assert.equal(first, -1, `token ${first} differs: rnnlm ${JSON.stringify(mine.vocab[mine.ids[first]!])}, torch ${JSON.stringify(theirs.vocab[theirs.ids[first]!])}`);
  return mine;
}

// a line that holds what the readings could disagree on: CRLF and a lone CR (LF in raw text), e + U+0301 (NFC: é),
// Å as A + U+030A, emoji beyond the BMP (one token each, sorted by code point after every BMP character), a bell and
// an escape (removed in raw text), a tab, a no-break space, a ligature NFC keeps, Greek, Chinese, digits, punctuation
const LINE = 'Cafe\u0301 cre\u0300me\r\nA\u030Angstro\u0308m\rline \u{1F600} and \u{1F4A9}\t\u0007bell \u001b[0m \u00a0nbsp \uFB01 \u03A9 \u4E2D\u6587 12, three!\r\n';

describe('bench/torch_rnn.py reads a text as rnnlm does', { skip }, () => {
  const shakespeare = dataFile('tinyshakespeare.txt');
  for (const [text, w, label] of [['raw', CHAR_RNN, "char-rnn's windows"], ['book', CHAR_RNN, "char-rnn's windows"], ['raw', BOOK, "the book's windows"]] as const) {
    it(`Tiny Shakespeare, --text ${text}, ${label}: the same vocabulary and the same ${TimeMachine.tokensNeeded(w)} tokens`, async () => {
      const { vocab } = await sameTokens(shakespeare, text, w);
      if (text === 'raw') assert.ok(vocab.includes('\n') && vocab.includes('A'), 'raw text keeps newlines and case');
      else assert.deepEqual(vocab.filter((t) => !/^[a-z ]$/.test(t)), ['<unk>'], 'book text: letters and space only');
    });
  }

  const dir = tempDir();
  const utf8 = join(dir, 'utf8.txt');
  writeFileSync(utf8, LINE.repeat(20));
  it('UTF-8 with CRLF, combining accents, emoji and control characters, --text raw', async () => {
    const { vocab } = await sameTokens(utf8, 'raw', BOOK);
    // the fixture exercises what it should: NFC composed, line ends LF, controls gone, an emoji one token
    for (const t of ['\u00e9', '\u00e8', '\u00c5', '\u00f6', '\u{1F600}', '\u{1F4A9}', '\t', '\n', '\u00a0', '\uFB01']) assert.ok(vocab.includes(t), JSON.stringify(t));
    for (const t of ['\r', '\u0301', '\u030A', '\u0007', '\u001b']) assert.ok(!vocab.includes(t), JSON.stringify(t));
    // by code point, U+1F600 is the largest; by UTF-16 unit (JavaScript's default sort) U+FB01 would be
    assert.equal(vocab.at(-1), '\u{1F600}', 'sorted by code point');
  });
  it('the same file, --text book', async () => {
    await sameTokens(utf8, 'book', BOOK);
  });
  it('UTF-8 with a byte-order mark and UTF-16 LE with one: the mark is not a token', async () => {
    const bom = join(dir, 'bom.txt');
    writeFileSync(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(LINE.repeat(3))]));
    const { vocab } = await sameTokens(bom, 'raw', BOOK);
    assert.ok(!vocab.includes('\uFEFF'));
    const utf16 = join(dir, 'utf16.txt');
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(LINE.repeat(3), 'utf16le')]));
    await sameTokens(utf16, 'raw', BOOK);
  });
  it('Windows-1252 (not UTF-8): curly quotes, the euro sign, a byte it leaves undefined, both texts', async () => {
    const cp1252 = join(dir, 'cp1252.txt');
    // 0x93 0x94 quotes, 0x80 euro, 0xE9 e acute, 0x81 undefined (kept as U+0081, a control raw text removes)
    writeFileSync(cp1252, Buffer.from(Array.from({ length: 10 }, () => [...Buffer.from('say '), 0x93, ...Buffer.from('caf'), 0xe9, 0x94, 0x20, 0x80, 0x81, 0x0d, 0x0a]).flat()));
    const { vocab } = await sameTokens(cp1252, 'raw', BOOK);
    for (const t of ['\u201c', '\u201d', '\u20ac', '\u00e9']) assert.ok(vocab.includes(t), JSON.stringify(t));
    await sameTokens(cp1252, 'book', BOOK);
  });
});

describe('bench against PyTorch', { skip }, () => {
  it('gives both engines the same thread count, and compares them by wall time and per epoch', () => {
    const path = join(tempDir(), 'fixture.txt');
    writeFileSync(path, LINE.repeat(20));
    const r = rnnlm('bench', '--python', PYTHON, '--engines', 'rnnlm-concise,torch-concise', '--data', path, '--text', 'raw', '--hiddens', '4',
      '--batch-size', '8', '--num-steps', '8', '--num-train', '40', '--num-val', '0', '--epochs', '2', '--lr', '0.5', '--threads', '1');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\| rnnlm concise \(\w+ backend, 1 thread\(s\)\) \|/m);
    assert.match(r.stdout, /^\| torch\.nn \(PyTorch [^,]+, 1 thread\(s\)\) \|/m);
    // model, comparison, wall-time ratio, per-epoch ratio, both shares of the peak
    assert.match(r.stdout, /^\| rnn, hidden 4, 1 thread\(s\) \| rnnlm concise \/ torch\.nn \| [\d.]+x \| [\d.]+x \| ([\d.]+%|n\/a) \| ([\d.]+%|n\/a) \|$/m);
  });
});

describe("bench's workload", () => {
  it("an epoch's FLOPs: 3x the forward per training token, 1x per validation token, from the workload's windows", () => {
    // lstm x2, H 128, V 66 (Tiny Shakespeare raw): per token 2 layers' recurrent 2*128*4*128, the second layer's input
    // product 2*128*4*128, the output layer 2*128*66
    const f = forwardFlopsPerToken('lstm', 2, 128, 66);
    assert.equal(f, 2 * 2 * 128 * 4 * 128 + 2 * 128 * 4 * 128 + 2 * 128 * 66);
    assert.equal(flopsPerEpoch('lstm', 2, 128, 66, CHAR_RNN), 4000 * 50 * 3 * f);
    assert.equal(flopsPerEpoch('lstm', 2, 128, 66, { numSteps: 50, numTrain: 4000, numVal: 100 }), 4000 * 50 * 3 * f + 100 * 50 * f);
    const book = forwardFlopsPerToken('rnn', 1, 32, 28);
    assert.equal(flopsPerEpoch('rnn', 1, 32, 28), (10000 * 32 * 3 + 5000 * 32) * book, "the book's windows by default");
  });
  it('states the text, how it is read, its vocabulary and the windows; no validation shows n/a (no timing asserted)', async () => {
    const path = join(tempDir(), 'fixture.txt');
    writeFileSync(path, LINE.repeat(20));
    const w = { batchSize: 8, numSteps: 8, numTrain: 40, numVal: 0 };
    const { vocab } = await rnnlmTokens(path, 'raw', w);
    const r = rnnlm('bench', '--no-torch', '--engines', 'rnnlm', '--data', path, '--text', 'raw', '--hiddens', '4', '--batch-size', '8',
      '--num-steps', '8', '--num-train', '40', '--num-val', '0', '--epochs', '1', '--lr', '0.5');
    assert.equal(r.code, 0, r.stderr);
    const header = r.stdout.split('\n')[0]!;
    assert.ok(header.startsWith(`rnnlm bench: ${path}, raw text, vocabulary ${vocab.length}; batch 8, 8 steps, 40 training and 0 validation windows, clip 1;`), header);
    assert.match(r.stdout, /^rnn, hidden 4: lr 0\.5, 1 epochs, /m);
    // engine, wall seconds, s/epoch, tokens/s, GFLOP/s, share of peak, train ppl, then val ppl and its tail mean: n/a
    assert.match(r.stdout, /^\| rnnlm scratch \(.*\) \| [\d.]+ \([\d., ]+\) \| .* \| [\d,]+ \| [\d.]+ \| ([\d.]+%|n\/a) \| [\d.]+ \| n\/a \| n\/a \| \d+ \|$/m);
  });
});
