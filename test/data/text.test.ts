import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers.js';
import { decodeText, EncodingSniffer, GutenbergFilter, gutenbergBody, stripGutenberg } from '../../src/data/text.js';

describe('reading real-world text', () => {
  it('decodes UTF-8, and falls back to Windows-1252 for other bytes (curly quotes 0x93, 0x94)', () => {
    assert.deepEqual(decodeText(new TextEncoder().encode('“café”')), { text: '“café”', encoding: 'utf-8' });
    assert.deepEqual(decodeText(Uint8Array.of(0x93, 0x68, 0x69, 0x94)), { text: '“hi”', encoding: 'windows-1252' });
  });
  it('refuses a file that mixes UTF-8 characters with a byte that is not UTF-8, naming the byte; cp1252 alone still reads', () => {
    const utf8 = new TextEncoder().encode('naïve ');
    const mixed = Uint8Array.from([...utf8, 0x93, 0x68, 0x69, 0x94]); // 'naïve ' in UTF-8, then “hi” in cp1252
    assert.throws(() => decodeText(mixed, 'x.txt'), (e: Error) => e.message ===
      'x.txt mixes encodings: it holds 1 UTF-8 character but the byte at offset 7 is not UTF-8; save it as UTF-8 (for example iconv -f windows-1252 -t utf-8 on the part that is not)');
    // the other order: the invalid byte first, the UTF-8 character later
    assert.throws(() => decodeText(Uint8Array.from([0x41, 0x93, ...utf8])), /holds 1 UTF-8 character but the byte at offset 1 is not UTF-8/);
    // a sequence cut short by the file's end is the invalid byte (offset of its lead byte)
    assert.throws(() => decodeText(Uint8Array.from([...utf8, 0xe2, 0x80])), /byte at offset 7 is not UTF-8/);
    // stray 0x80-0x9F bytes and no multibyte character: the shipped Gutenberg texts' case, still Windows-1252
    assert.deepEqual(decodeText(Uint8Array.of(0x41, 0x85, 0x80, 0x9f)), { text: 'A…€Ÿ', encoding: 'windows-1252' });
  });
  it('the UTF-8 check agrees with the standard decoder on every byte string, in chunks cut anywhere', () => {
    // the plain twin: TextDecoder is the WHATWG decoder; its first U+FFFD marks the first byte that is not UTF-8 (the
    // valid text before it re-encodes to the same bytes), and its other non-ASCII characters are the UTF-8 characters
    let seed = 12345;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    // pieces drawn where UTF-8 is subtle: characters at the edges of each length (U+80, U+7FF, U+800, U+D7FF, U+E000,
    // U+FFFF, U+10000, U+10FFFF) and raw bytes: lead bytes C0-C2, E0, ED, F0, F4, F5+ and the edges of the
    // continuation ranges (80/8F/90/9F/A0/BF), which make overlong forms, surrogates and code points past U+10FFFF
    const chars = [0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfffc, 0x10000, 0x10ffff].map((c) => [...new TextEncoder().encode(String.fromCodePoint(c))]);
    const leads = [0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xff, 0x80, 0xbf];
    const continuations = [0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0x61];
    const raw = (): number[] => [leads[rand(leads.length)]!, ...Array.from({ length: rand(4) }, () => continuations[rand(continuations.length)]!)];
    const replace = new TextDecoder('utf-8');
    const seen = { 'utf-8': 0, 'windows-1252': 0, mixed: 0 };
    // every lead byte followed by every string of 0 to 3 continuation-edge bytes (6,400 strings), each between random
    // pieces (characters, letters, more raw bytes), so that the mixed case meets each of them too
    const sequences: number[][] = [];
    const extend = (s: number[], left: number): void => {
      sequences.push(s);
      if (left > 0) for (const c of continuations) extend([...s, c], left - 1);
    };
    for (const lead of leads) extend([lead], 3);
    for (const sequence of sequences) {
      const piece = (): number[] => (rand(4) === 0 ? raw() : rand(2) ? chars[rand(chars.length)]! : [0x61]);
      const body = [...Array.from({ length: rand(3) }, piece).flat(), ...sequence, ...Array.from({ length: rand(3) }, piece).flat()];
      // after 100 letters, so that the binary check (mostly control bytes at the start) never decides
      const bytes = Uint8Array.from([...new Uint8Array(100).fill(0x61), ...body]);
      const decoded = replace.decode(bytes);
      const bad = decoded.indexOf('\uFFFD');
      const firstInvalid = bad < 0 ? -1 : new TextEncoder().encode(decoded.slice(0, bad)).length;
      const multibyte = [...decoded].filter((c) => c !== '\uFFFD' && c.codePointAt(0)! >= 0x80).length;
      const expected = firstInvalid < 0 ? 'utf-8' : multibyte === 0 ? 'windows-1252' :
        `the file mixes encodings: it holds ${multibyte} UTF-8 character${multibyte > 1 ? 's' : ''} but the byte at offset ${firstInvalid} is not UTF-8`;
      const cut = 100 + rand(body.length + 1);
      const sniffer = new EncodingSniffer('the file');
      let got: string;
      try {
        sniffer.push(bytes.subarray(0, cut));
        sniffer.push(bytes.subarray(cut));
        got = sniffer.end();
      } catch (e) {
        got = (e as Error).message.replace(/; save it as UTF-8.*/, '');
      }
      assert.equal(got, expected, String(body));
      seen[got in seen ? (got as keyof typeof seen) : 'mixed']++;
    }
    for (const [kind, count] of Object.entries(seen)) assert.ok(count > 100, `${kind} was drawn ${count} times`);
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
  it('gutenbergBody gives stripGutenberg\'s body as pieces, and stops reading the source at the end line', async () => {
    const text = decodeText(readFileSync(join(ROOT, '..', 'shared', 'data', 'frankenstein.txt'))).text;
    const whole = stripGutenberg(text);
    let read = 0; // pieces the source gave
    const source = async function* (): AsyncGenerator<string> {
      for (let i = 0; i < text.length; i += 4096, read++) yield text.slice(i, i + 4096);
    };
    const body = gutenbergBody(source);
    let out = '';
    for await (const piece of body.pieces()) out += piece;
    assert.equal(out, whole.text);
    assert.equal(body.stripped, true);
    // the licence after the end line is about 18 kB: the pieces holding it were never read
    assert.ok(read < Math.ceil(text.length / 4096) - 2, `read ${read} of ${Math.ceil(text.length / 4096)} pieces`);
    const plain = gutenbergBody(async function* () { yield 'just '; yield 'a text'; });
    let kept = '';
    for await (const piece of plain.pieces()) kept += piece;
    assert.deepEqual({ kept, stripped: plain.stripped }, { kept: 'just a text', stripped: false });
  });
});
