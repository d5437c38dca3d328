import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../helpers.js';
import { joinTokens, normalizeRaw, tokenizeText, TokenStream, type Tokenization } from '../../src/data/tokenizer.js';
import { Rng } from '../../src/tensor/random.js';

const MODES: Tokenization[] = [{ text: 'book', tokens: 'char' }, { text: 'book', tokens: 'word' }, { text: 'raw', tokens: 'char' }, { text: 'raw', tokens: 'word' }];

// every hazard of cutting text into pieces: CRLF, a combining accent (e + U+0301 composes to é under NFC), an emoji
// (a surrogate pair), CJK, runs of punctuation and of whitespace, a word with an apostrophe
const MIXED = 'The Time-Traveller (for so it will be convenient)\r\n\r\nCafe\u0301 — “don’t” 你好世界, Привет, мир!  🎉🎉  x\ty\n' +
  'aaa...!!!   bbb\r\nccc 42 3.14\u00a0end';

function tokensInPieces(text: string, t: Tokenization, rng: Rng): string[] {
  const out: string[] = [];
  const stream = new TokenStream(t, (tok) => void out.push(tok));
  let i = 0;
  while (i < text.length) {
    const n = 1 + rng.int(9);
    stream.push(text.slice(i, i + n)); // cuts anywhere, even inside a surrogate pair or a CRLF
    i += n;
  }
  stream.end();
  return out;
}

describe('tokenizer', () => {
  it('book characters are the book\'s preprocess (letters, lower case, one space per run)', () => {
    assert.deepEqual(tokenizeText('The Time-Traveller (for', { text: 'book', tokens: 'char' }), [...'the time traveller for']);
  });
  it('book words split the preprocessed text at spaces (D2L 9.2)', () => {
    assert.deepEqual(tokenizeText("The Time-Traveller (for so it's", { text: 'book', tokens: 'word' }), ['the', 'time', 'traveller', 'for', 'so', 'it', 's']);
  });
  it('raw characters keep everything: case, punctuation, digits, newlines, scripts, emoji (one token), NFC, CRLF as LF', () => {
    const tokens = tokenizeText('Hi, 你!\r\n🎉e\u0301', { text: 'raw', tokens: 'char' });
    assert.deepEqual(tokens, ['H', 'i', ',', ' ', '你', '!', '\n', '🎉', 'é']);
  });
  it('raw words: words, numbers, single punctuation marks, whitespace runs, one CJK character each', () => {
    const tokens = tokenizeText("Don't stop, 42 times!\n\n你好 Мир", { text: 'raw', tokens: 'word' });
    assert.deepEqual(tokens, ["Don't", ' ', 'stop', ',', ' ', '42', ' ', 'times', '!', '\n\n', '你', '好', ' ', 'Мир']);
  });
  it('raw tokens join back to the normalised text exactly', () => {
    for (const tokens of ['char', 'word'] as const) {
      const t: Tokenization = { text: 'raw', tokens };
      assert.equal(joinTokens(tokenizeText(MIXED, t), t), normalizeRaw(MIXED));
    }
  });
  it('reading in pieces cut anywhere gives the tokens of the whole text, in every mode', () => {
    const rng = new Rng(5);
    for (const t of MODES) {
      const whole = tokenizeText(MIXED, t);
      for (let trial = 0; trial < 20; trial++) assert.deepEqual(tokensInPieces(MIXED, t, rng), whole, JSON.stringify(t));
    }
  });
  it('counts the characters the book\'s preprocessing drops (not ASCII letters or whitespace), in pieces too', () => {
    // 'Hi, 你好!\n' has 8 code points; dropped: ',' '你' '好' '!' = 4
    for (const cut of [1, 2, 3, 100]) {
      const stream = new TokenStream({ text: 'book', tokens: 'char' }, () => {});
      const text = 'Hi, 你好!\n';
      for (let i = 0; i < text.length; i += cut) stream.push(text.slice(i, i + cut));
      stream.end();
      assert.equal(stream.dropped, 4);
      assert.equal(stream.chars, 8);
    }
    const raw = new TokenStream({ text: 'raw', tokens: 'char' }, () => {});
    raw.push('Hi, 你好!');
    raw.end();
    assert.equal(raw.dropped, 0);
  });
  it('a text without whitespace is still read in bounded pieces, at character boundaries', () => {
    const text = '你好🎉'.repeat(400_000); // 1.6 M UTF-16 units, no whitespace: more than one carried piece
    const t: Tokenization = { text: 'raw', tokens: 'char' };
    let n = 0;
    let bad = 0;
    const stream = new TokenStream(t, (tok) => {
      if (tok !== '你' && tok !== '好' && tok !== '🎉') bad++;
      n++;
    });
    for (let i = 0; i < text.length; i += 65_537) stream.push(text.slice(i, i + 65_537)); // odd: cuts surrogate pairs
    stream.end();
    assert.equal(bad, 0);
    assert.equal(n, 1_200_000);
  });
  it('reads in time linear in the text: 16 MB with whitespace only at its start, in every mode (once quadratic)', () => {
    // the carry after a leading space held the rest of the text and was searched again at every piece: with 64 KiB
    // pieces that is 16 MB x 256 pieces; each piece now searches only itself. A guard, not a speed claim.
    const piece = 'abcdefghijklmnop'.repeat(4096); // 64 KiB
    for (const t of MODES) {
      const t0 = performance.now();
      let n = 0;
      const stream = new TokenStream(t, () => void n++);
      stream.push(' ');
      for (let k = 0; k < 256; k++) stream.push(piece);
      stream.end();
      assert.ok(n > 0);
      assert.ok(performance.now() - t0 < 20_000, `${t.text} ${t.tokens}: ${Math.round(performance.now() - t0)} ms`);
    }
  });
  it('a leading whitespace run then a text without whitespace keeps the tokens of the whole text (raw characters)', () => {
    const text = ' ' + 'xy'.repeat(700_000); // longer than one carried piece
    const out: string[] = [];
    const stream = new TokenStream({ text: 'raw', tokens: 'char' }, (tok) => void out.push(tok));
    for (let i = 0; i < text.length; i += 65_536) stream.push(text.slice(i, i + 65_536));
    stream.end();
    assert.deepEqual(out, tokenizeText(text, { text: 'raw', tokens: 'char' }));
  });
});
