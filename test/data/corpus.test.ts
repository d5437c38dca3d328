import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, tempDir } from '../helpers.js';
import { buildCorpus, corpusFromText } from '../../src/data/corpus.js';
import { loadCorpus } from '../../src/node/load.js';
import { openTextFile } from '../../src/node/text-file.js';
import { TimeMachine } from '../../src/data/timemachine.js';
import { Rng } from '../../src/tensor/random.js';

const SHAKESPEARE = join(ROOT, '..', 'shared', 'data', 'tinyshakespeare.txt');
const RAW = { tokenization: { text: 'raw', tokens: 'char' } } as const;

describe('corpus', () => {
  it('refuses a vocabulary past 200,000 distinct characters without a cap, while counting; a cap lets it through', () => {
    const raw = { text: 'raw', tokens: 'char' } as const;
    // distinct characters from U+40000 on (plane 4: unassigned, so NFC leaves each as it is), each once
    const chars = (n: number): string => Array.from({ length: n }, (_, i) => String.fromCodePoint(0x40000 + i)).join('');
    const many = chars(200_001);
    assert.throws(() => corpusFromText(many, { tokenization: raw }), /^Error: the text has more than 200,000 distinct characters \(Unicode assigns about 150,000; no script needs so many\): cap the vocabulary/);
    assert.equal(corpusFromText(chars(200_000), { tokenization: raw }).vocab.length, 200_001, '200,000 characters and <unk>');
    assert.equal(corpusFromText(many, { tokenization: raw, maxTokens: 1000 }).vocab.length, 1000);
  });
  it('tiny Shakespeare, raw: 65 distinct characters (as char-rnn reports), so 66 tokens with <unk>; 16-bit ids', async () => {
    const c = await loadCorpus(SHAKESPEARE, RAW);
    assert.equal(c.vocab.length, 66);
    assert.ok(c.ids instanceof Uint16Array);
    assert.equal(c.ids.length, 1115394); // the file is ASCII: one token per byte
    assert.equal(c.dropped, 0);
  });
  it('The Time Machine, book: 28 tokens as before', async () => {
    const c = await loadCorpus(undefined, { tokenization: { text: 'book', tokens: 'char' } });
    assert.equal(c.vocab.length, 28);
  });
  it('streaming over a file equals reading the text whole, in every mode', async () => {
    const text = readFileSync(SHAKESPEARE, 'utf8').slice(0, 300_000);
    const dir = tempDir();
    const path = join(dir, 's.txt');
    writeFileSync(path, text);
    for (const tokenization of [{ text: 'book', tokens: 'char' }, { text: 'raw', tokens: 'word' }] as const) {
      const streamed = await loadCorpus(path, { tokenization, minFreq: 2 });
      const whole = corpusFromText(text, { tokenization, minFreq: 2 });
      assert.deepEqual(streamed.vocab.idxToToken, whole.vocab.idxToToken);
      assert.deepEqual(streamed.ids, whole.ids);
    }
  });
  it('with a limit, reads only the pieces it needs', async () => {
    let pulled = 0;
    const pieces = async function* (): AsyncGenerator<string> {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield 'abc def '.repeat(10_000); // 80,000 characters a piece
      }
    };
    const c = await buildCorpus(pieces, { ...RAW, limit: 1000 });
    assert.equal(c.ids.length, 1000);
    assert.equal(pulled, 2); // one piece per pass
  });
  it('more than 65,536 distinct tokens: 32-bit ids', () => {
    const text = Array.from({ length: 70_000 }, (_, i) => String.fromCodePoint(0xf0000 + i)).join(''); // private use: NFC keeps them;
    const c = corpusFromText(text, RAW);
    assert.equal(c.vocab.length, 70_001);
    assert.ok(c.ids instanceof Int32Array);
    assert.equal(c.vocab.idxToToken[c.ids[69_999]!], String.fromCodePoint(0xf0000 + 69_999));
  });
});

describe('full split', () => {
  it('one epoch is one pass in non-overlapping windows from a random offset (D2L 9.3 random sampling)', async () => {
    const file = await openTextFile(SHAKESPEARE);
    const corpus = await buildCorpus(() => file.pieces(), RAW);
    const T = 32;
    const data = new TimeMachine(corpus, { batchSize: 256, numSteps: T, split: 'full', valFraction: 0.1 });
    const n = corpus.ids.length; // 1,115,394
    const cut = Math.round(n * 0.9); // 1,003,855 training tokens
    const rng = new Rng(3);
    for (let epoch = 0; epoch < 3; epoch++) {
      const { steps, batches } = data.trainEpoch(rng);
      let windows = 0;
      let batchCount = 0;
      for (const [X] of batches) {
        batchCount++;
        windows += X.shape[0]!;
      }
      // windows of T + 1 tokens at offset o + k T: floor((cut - o - 1) / T) of them, 31,370 or 31,369 here
      assert.ok(windows === Math.floor((cut - 1) / T) || windows === Math.floor((cut - 1 - (T - 1)) / T), `${windows}`);
      assert.equal(batchCount, steps);
      assert.ok(windows * T <= cut && windows * T > cut - 2 * T); // about the training text once, not T times
    }
    // validation: non-overlapping windows of the last 10%
    const val = [...data.valDataloader()].reduce((s, [X]) => s + X.shape[0]!, 0);
    assert.equal(val, Math.floor((n - cut - 1) / T));
  });
  it('windows of an epoch start at one offset modulo T, do not overlap, and targets follow inputs', () => {
    const text = Array.from({ length: 600 }, (_, i) => String.fromCodePoint(0xf0000 + i)).join(''); // distinct tokens
    const T = 5;
    const data = new TimeMachine(text, { batchSize: 7, numSteps: T, split: 'full', valFraction: 0.1, tokenization: { text: 'raw', tokens: 'char' } });
    const { batches } = data.trainEpoch(new Rng(11));
    const starts: number[] = [];
    for (const [X, Y] of batches) {
      for (let b = 0; b < X.shape[0]!; b++) {
        const x = [...X.data.subarray(b * T, b * T + T)];
        const y = [...Y.data.subarray(b * T, b * T + T)];
        const s = data.corpus.indexOf(x[0]!); // every token is distinct: its position is the window's start
        starts.push(s);
        assert.deepEqual(y, x.map((_, j) => data.corpus[s + j + 1]));
      }
    }
    const offsets = new Set(starts.map((s) => s % T));
    assert.equal(offsets.size, 1); // every window at the same offset modulo T: a tiling, no overlap
    assert.equal(new Set(starts).size, starts.length);
    assert.equal(starts.length, Math.floor((540 - [...offsets][0]! - 1) / T)); // 540 = 90% of 600
  });
});
