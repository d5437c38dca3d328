import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers.js';
import { decodeText, GutenbergFilter, stripGutenberg } from '../../src/data/text.js';

describe('reading real-world text', () => {
  it('decodes UTF-8, and falls back to Windows-1252 for other bytes (curly quotes 0x93, 0x94)', () => {
    assert.deepEqual(decodeText(new TextEncoder().encode('“café”')), { text: '“café”', encoding: 'utf-8' });
    assert.deepEqual(decodeText(Uint8Array.of(0x93, 0x68, 0x69, 0x94)), { text: '“hi”', encoding: 'windows-1252' });
  });
  it('strips a Gutenberg header and footer, and leaves other text alone', () => {
    const text = 'Project Gutenberg licence\n*** START OF THIS PROJECT GUTENBERG EBOOK X ***\nThe body.\n' +
      'End of the Project Gutenberg EBook of X\n*** END OF THIS PROJECT GUTENBERG EBOOK X ***\nmore licence';
    assert.deepEqual(stripGutenberg(text), { text: '\nThe body.\n', stripped: true });
    assert.deepEqual(stripGutenberg('just a text'), { text: 'just a text', stripped: false });
  });
  it('reads The War of the Worlds from the mirror: Windows-1252 (0x91 is ‘), header and footer removed', () => {
    const bytes = readFileSync(join(ROOT, '..', 'shared', 'data', 'war-of-the-worlds.txt'));
    const { text, encoding } = decodeText(bytes);
    assert.equal(encoding, 'windows-1252');
    const body = stripGutenberg(text);
    assert.equal(body.stripped, true);
    assert.doesNotMatch(body.text, /Project Gutenberg/i);
    assert.match(body.text.slice(0, 300), /^\s*cover\s+The War of the Worlds\s+by H\. G\. Wells\s+‘But who shall dwell/);
    assert.ok(body.text.length > 0.9 * text.length - 25000, 'most of the book is kept');
  });
  it('stripping in pieces equals stripping the whole text, on both Gutenberg books and on text without markers', () => {
    for (const name of ['war-of-the-worlds.txt', 'frankenstein.txt', 'tinyshakespeare.txt']) {
      const text = decodeText(readFileSync(join(ROOT, '..', 'shared', 'data', name))).text;
      for (const size of [1000, 65_536]) {
        let out = '';
        const filter = new GutenbergFilter((p) => (out += p));
        for (let i = 0; i < text.length; i += size) filter.push(text.slice(i, i + size));
        filter.end();
        const whole = stripGutenberg(text);
        assert.equal(filter.stripped, whole.stripped, name);
        assert.equal(out, whole.text, `${name} in pieces of ${size}`);
      }
    }
  });
});
