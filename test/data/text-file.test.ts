import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, tempDir } from '../helpers.js';
import { decodeText } from '../../src/data/text.js';
import { openTextFile, readTextFile } from '../../src/node/text-file.js';

const TEXT = 'The Time Traveller — “Привет”, 你好 🎉\nline two\n';

/** UTF-16 bytes of a string, little or big endian, with the byte-order mark. */
function utf16(text: string, bigEndian: boolean): Uint8Array {
  const out = new Uint8Array(2 + 2 * text.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0xfeff, !bigEndian);
  for (let i = 0; i < text.length; i++) view.setUint16(2 + 2 * i, text.charCodeAt(i), !bigEndian);
  return out;
}

describe('text files', () => {
  const dir = tempDir();
  const write = (name: string, bytes: Uint8Array | string): string => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  it('reads UTF-8 with and without a byte-order mark, UTF-16 LE and BE by their mark', async () => {
    const cases: [string, Uint8Array, string][] = [
      ['utf8.txt', new TextEncoder().encode(TEXT), 'utf-8'],
      ['bom.txt', Uint8Array.of(0xef, 0xbb, 0xbf, ...new TextEncoder().encode(TEXT)), 'utf-8-bom'],
      ['le.txt', utf16(TEXT, false), 'utf-16le'],
      ['be.txt', utf16(TEXT, true), 'utf-16be'],
    ];
    for (const [name, bytes, encoding] of cases) {
      const r = await readTextFile(write(name, bytes));
      assert.equal(r.encoding, encoding);
      assert.equal(r.text, TEXT, name); // no U+FEFF left at the start
      assert.deepEqual(decodeText(bytes), { text: TEXT, encoding });
    }
  });
  it('falls back to Windows-1252 when the bytes are not UTF-8 (curly quotes 0x93 0x94)', async () => {
    const r = await readTextFile(write('cp1252.txt', Uint8Array.of(0x93, 0x68, 0x69, 0x94, 0x0a)));
    assert.deepEqual(r, { text: '\u201chi\u201d\n', encoding: 'windows-1252' });
  });
  it('reads a large UTF-8 file in pieces that split multi-byte characters, exactly', async () => {
    const text = 'ab你好🎉\n'.repeat(300_000); // 3.9 MB: several 1 MiB chunks, cut inside characters
    const file = await openTextFile(write('big.txt', text));
    let got = '';
    for await (const piece of file.pieces()) got += piece;
    assert.equal(got, text);
  });
  it('refuses binary files: NUL bytes, mostly control codes, an executable', async () => {
    await assert.rejects(openTextFile(write('nul.txt', Uint8Array.of(0x61, 0x62, 0, 0x63))), /looks like a binary file.*NUL byte at offset 2/);
    await assert.rejects(openTextFile(write('ctl.bin', Uint8Array.from({ length: 1000 }, (_, i) => (i % 3 ? 0x01 : 0x41)))), /looks like a binary file.*control codes/);
    await assert.rejects(openTextFile('/usr/bin/ls'), /looks like a binary file/);
    assert.throws(() => decodeText(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0)), /looks like a binary file/);
  });
  it('refuses folders, devices and missing files with one line', async () => {
    await assert.rejects(openTextFile(dir), /is not a regular file \(a folder\)/);
    await assert.rejects(openTextFile('/dev/zero'), /is not a regular file \(a device, pipe or socket\)/);
    await assert.rejects(openTextFile(join(dir, 'none.txt')), /no such file/);
    await assert.rejects(openTextFile(write('small.txt', 'hello'), { maxBytes: 4 }), /5 bytes, above the limit of 4/);
  });
  it('rnnlm train on a binary file: one line, exit code 2', () => {
    let code = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), 'train', '--data', '/usr/bin/ls'], { stdio: 'pipe' });
    } catch (e) {
      code = (e as { status: number }).status;
      stderr = String((e as { stderr: Buffer }).stderr);
    }
    assert.equal(code, 2);
    assert.match(stderr, /^rnnlm train: \/usr\/bin\/ls looks like a binary file, not text \(.*\)\n$/);
  });
});
