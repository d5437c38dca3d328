// The plain SHA-1 and the text identity built on it, held to node:crypto on lengths around the 64-byte block and its
// 56-byte padding edge, on pieces of every size, and on the line-end rule.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { TextIdentity, textIdentity } from '../../src/data/text-id.js';
import { Rng } from '../../src/tensor/random.js';
import { Sha1 } from '../../src/util/sha1.js';

const nodeSha1 = (b: Uint8Array): string => createHash('sha1').update(b).digest('hex');

describe('Sha1', () => {
  it('equals node:crypto for every length 0..300 and a megabyte, fed whole and in random pieces', () => {
    const rng = new Rng(7);
    const lengths = [...Array.from({ length: 301 }, (_, i) => i), 1 << 20];
    for (const n of lengths) {
      const bytes = Uint8Array.from({ length: n }, () => rng.int(256));
      const want = nodeSha1(bytes);
      assert.equal(new Sha1().update(bytes).hex(), want, `length ${n}`);
      const pieces = new Sha1();
      for (let i = 0; i < n;) {
        const k = Math.min(n - i, 1 + rng.int(97));
        pieces.update(bytes.subarray(i, i + k));
        i += k;
      }
      assert.equal(pieces.hex(), want, `length ${n} in pieces`);
    }
  });
  it('the known digest of "abc" (FIPS 180-4 example)', () => {
    assert.equal(new Sha1().update(new TextEncoder().encode('abc')).hex(), 'a9993e364706816aba3e25717850c26c9cd0d89d');
  });
});

describe('text identity', () => {
  it('is the sha1 of the UTF-8 text, with CRLF and lone CR line ends as LF, whatever the pieces', () => {
    const text = 'the time machine\nby H. G. Wells — 时间机器\n';
    const want = nodeSha1(new TextEncoder().encode(text));
    assert.equal(textIdentity(text), want);
    assert.equal(textIdentity(text.replace(/\n/g, '\r\n')), want);
    assert.equal(textIdentity(text.replace(/\n/g, '\r')), want);
    const crlf = text.replace(/\n/g, '\r\n');
    for (let cut = 0; cut <= crlf.length; cut++) { // a CRLF split between two pieces
      const id = new TextIdentity();
      id.push(crlf.slice(0, cut));
      id.push(crlf.slice(cut));
      assert.equal(id.end(), want, `cut at ${cut}`);
    }
    assert.notEqual(textIdentity(text.replace('time', 'tide')), want);
  });
});
