import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { tempDir } from '../helpers.js';
import { cacheDir, dataUrl, download, sha1 } from '../../src/data/download.js';

function mirror(content: string): { url: string; hash: string } {
  const dir = tempDir();
  writeFileSync(join(dir, 'book.txt'), content);
  return { url: pathToFileURL(join(dir, 'book.txt')).href, hash: sha1(new TextEncoder().encode(content)) };
}

describe('download', () => {
  it('copies into the cache, then serves the cache even when the source is gone', async () => {
    const { url, hash } = mirror('once upon a time');
    const cache = tempDir();
    const path = await download(url, hash, cache);
    assert.equal(readFileSync(path, 'utf8'), 'once upon a time');
    const gone = url.replace('book.txt', 'missing/../book.txt').replace(/\/[^/]+\/book\.txt$/, '/nowhere/book.txt');
    assert.equal(await download(gone, hash, cache), path); // same name, cache hit, no read of the source
  });
  it('rejects a download whose sha1 differs and keeps nothing', async () => {
    const { url } = mirror('tampered');
    const cache = tempDir();
    await assert.rejects(download(url, '0'.repeat(40), cache), /checksum mismatch .* the file was not kept/);
    assert.deepEqual(readdirSync(cache), []);
  });
  it('replaces a corrupted cached copy', async () => {
    const { url, hash } = mirror('the real text');
    const cache = tempDir();
    writeFileSync(join(cache, 'book.txt'), 'corrupted');
    const path = await download(url, hash, cache);
    assert.equal(readFileSync(path, 'utf8'), 'the real text');
  });
  it('without a network and without a cache, says how to use a local copy', async () => {
    const cache = tempDir();
    await assert.rejects(download('http://127.0.0.1:9/timemachine.txt', null, cache), /cannot download .*RNNLM_DATA_URL=file:/);
    assert.equal(existsSync(join(cache, 'timemachine.txt')), false);
  });
  it('reads its folders from the environment', () => {
    assert.equal(dataUrl({ RNNLM_DATA_URL: 'file:///x' }), 'file:///x/');
    assert.equal(dataUrl({}), 'http://d2l-data.s3-accelerate.amazonaws.com/');
    assert.equal(cacheDir({ RNNLM_CACHE_DIR: '/c' }), '/c');
    assert.equal(cacheDir({ XDG_CACHE_HOME: '/x' }), '/x/rnnlm');
  });
});
