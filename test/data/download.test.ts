import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync, readdirSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { tempDir } from '../helpers.js';
import { cacheDir, dataUrl, download, sha1 } from '../../src/node/download.js';
import { removeStaleTemps, writeFileAtomic } from '../../src/node/durable-write.js';
import { startTimeOf } from '../../src/node/process-identity.js';

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

/** A local HTTP server on a free port; close() also ends the connections a test left hanging. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/book.txt`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A cache folder holding an old (corrupt) copy of book.txt, which every failed download must leave as it was. */
function cacheWithOldCopy(): { cache: string; intact(): void } {
  const cache = tempDir();
  writeFileSync(join(cache, 'book.txt'), 'the old copy');
  return {
    cache,
    intact() {
      assert.deepEqual(readdirSync(cache), ['book.txt'], 'no temp file left');
      assert.equal(readFileSync(join(cache, 'book.txt'), 'utf8'), 'the old copy');
    },
  };
}

/** Rejects within ms, with a one-line message matching re. */
async function failsWithin(ms: number, p: Promise<unknown>, re: RegExp): Promise<string> {
  const t0 = Date.now();
  let message = '';
  await assert.rejects(p, (e: Error) => ((message = e.message), true));
  assert.match(message, re);
  assert.ok(!message.includes('\n'), message);
  assert.ok(Date.now() - t0 < ms, `took ${Date.now() - t0} ms`);
  return message;
}

const HASH = sha1(new TextEncoder().encode('the real text'));

describe('download over HTTP: streamed, capped and timed', () => {
  it('streams a body in pieces to the cache with its sha1', async () => {
    const server = await serve((_req, res) => {
      res.write('the real ');
      setTimeout(() => res.end('text'), 50);
    });
    const { cache } = cacheWithOldCopy();
    try {
      const path = await download(server.url, HASH, cache);
      assert.equal(readFileSync(path, 'utf8'), 'the real text');
      assert.deepEqual(readdirSync(cache), ['book.txt']);
    } finally {
      await server.close();
    }
  });
  it('cuts off a body that never ends at maxBytes', async () => {
    let sent = 0;
    const server = await serve((_req, res) => {
      const chunk = Buffer.alloc(16 * 1024, 0x61);
      let open = true;
      res.on('close', () => (open = false));
      const pump = (): void => {
        while (open && res.write(chunk)) sent += chunk.length;
        if (open) res.once('drain', pump);
      };
      pump();
    });
    const old = cacheWithOldCopy();
    try {
      const m = await failsWithin(5000, download(server.url, HASH, old.cache, { maxBytes: 256 * 1024 }), /cannot download http:\/\/127\.0\.0\.1:\d+\/book\.txt \(the server sent more than 256 KiB\)/);
      assert.match(m, /the cached .*book\.txt fails its checksum; set RNNLM_DATA_URL=file:/);
      old.intact();
      assert.ok(sent < 64 * 1024 * 1024, `the server got to send ${sent} bytes`);
    } finally {
      await server.close();
    }
  });
  it('refuses a body whose announced length is above maxBytes without reading it', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(100 * 1024 * 1024) });
      res.write('x'); // and never the rest
    });
    const old = cacheWithOldCopy();
    try {
      await failsWithin(5000, download(server.url, HASH, old.cache), /the server would send 104857600 bytes, more than 64 MiB/);
      old.intact();
    } finally {
      await server.close();
    }
  });
  it('gives up on a server that never answers after the connect timeout', async () => {
    const server = await serve(() => undefined);
    const old = cacheWithOldCopy();
    try {
      await failsWithin(3000, download(server.url, HASH, old.cache, { connectTimeoutMs: 300 }), /\(the server did not answer within 0\.3 s\)/);
      old.intact();
    } finally {
      await server.close();
    }
  });
  it('gives up on a server that stalls in the middle of the body after the idle timeout', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('the real'); // then nothing, with the connection open
    });
    const old = cacheWithOldCopy();
    try {
      await failsWithin(3000, download(server.url, HASH, old.cache, { idleTimeoutMs: 300, connectTimeoutMs: 5000 }), /\(the server stalled for 0\.3 s\)/);
      old.intact();
    } finally {
      await server.close();
    }
  });
  it('gives up on a server that drips a byte at a time (never idle) at the overall deadline, keeping the old copy', async () => {
    let timer: NodeJS.Timeout | undefined;
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      timer = setInterval(() => res.write('x'), 50); // well inside the idle timeout, forever
    });
    const old = cacheWithOldCopy();
    try {
      await failsWithin(3000, download(server.url, HASH, old.cache, { idleTimeoutMs: 1000, connectTimeoutMs: 5000, deadlineMs: 400 }), /\(the download took longer than 0\.4 s\)/);
      old.intact();
    } finally {
      clearInterval(timer);
      await server.close();
    }
  });
  it('keeps the previous cached file on a checksum mismatch and on an HTTP error', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/book.txt') res.end('tampered text');
      else res.writeHead(404).end();
    });
    const old = cacheWithOldCopy();
    try {
      await failsWithin(5000, download(server.url, HASH, old.cache), /checksum mismatch for .*book\.txt: sha1 [0-9a-f]{40}, expected [0-9a-f]{40}; the file was not kept/);
      old.intact();
      const missing = server.url.replace('/book.txt', '/gone/book.txt');
      await failsWithin(5000, download(missing, HASH, old.cache), /cannot download .*\(HTTP 404 Not Found\)/);
      old.intact();
    } finally {
      await server.close();
    }
  });
});

describe('download from file:// URLs: the same caps', () => {
  it('refuses a file above maxBytes and a path that is not a regular file', async () => {
    const { url } = mirror('x'.repeat(5000));
    const old = cacheWithOldCopy();
    await failsWithin(5000, download(url, HASH, old.cache, { maxBytes: 4096 }), /\(the file holds 5000 bytes, more than 4 KiB\)/);
    old.intact();
    const folder = tempDir();
    mkdirSync(join(folder, 'book.txt'));
    await failsWithin(5000, download(pathToFileURL(join(folder, 'book.txt')).href, HASH, old.cache), /book\.txt is not a regular file/);
    old.intact();
  });
});

describe('durable writes', () => {
  it('writeFileAtomic replaces a file and leaves no temp file, also when it fails', async () => {
    const dir = tempDir();
    const target = join(dir, 'm.safetensors');
    await writeFileAtomic(target, 'one');
    await writeFileAtomic(target, new TextEncoder().encode('two'));
    assert.equal(readFileSync(target, 'utf8'), 'two');
    assert.deepEqual(readdirSync(dir), ['m.safetensors']);
    mkdirSync(join(dir, 'taken')); // a rename over a folder fails
    await assert.rejects(writeFileAtomic(join(dir, 'taken'), 'three'));
    assert.deepEqual(readdirSync(dir).sort(), ['m.safetensors', 'taken']);
    await assert.rejects(writeFileAtomic(join(dir, 'missing', 'x'), 'four'), /ENOENT/);
  });
  it('removeStaleTemps removes the temp files of dead processes only', async () => {
    const dir = tempDir();
    const target = join(dir, 'm.safetensors');
    const dead = spawnSync(process.execPath, ['-e', '']).pid!; // a process that has exited
    const self = `${process.pid}-${startTimeOf(process.pid) ?? 0}`;
    const names = [
      `m.safetensors.rnnlm-${dead}-0-0a1b2c3d.tmp`, // a killed writer's: removed
      `m.safetensors.rnnlm-1-12345-0a1b2c3d.tmp`, // pid 1 runs, but started at another time: its pid was reused: removed
      `m.safetensors.rnnlm-${self}-deadbeef.tmp`, // ours, maybe being written: kept
      `m.safetensors.rnnlm-1-0-cafe0000.tmp`, // pid 1 is alive (start unknown): kept
      `other.safetensors.rnnlm-${dead}-0-0a1b2c3d.tmp`, // another target's: kept
      `m.safetensors.${dead}.0a1b2c3d.tmp`, `m.safetensors.99999.ab.tmp`, // the user's files of a like form: kept
      `m.safetensors.lock`, 'm.safetensors', `m.safetensors.${dead}.tmp`, // not temp files of this form: kept
    ];
    for (const n of names) writeFileSync(join(dir, n), 'x');
    const removed = await removeStaleTemps(target);
    assert.deepEqual(removed.sort(), names.slice(0, 2).sort());
    assert.deepEqual(readdirSync(dir).sort(), names.slice(2).sort());
    assert.deepEqual(await removeStaleTemps(join(dir, 'nowhere', 'm.safetensors')), []);
  });
});

describe('the packaged Time Machine', () => {
  it('is used, with one line saying so, when the download fails (same sha1)', async () => {
    const { dataFilePath, TIME_MACHINE } = await import('../../src/node/load.js');
    const saved = [process.env['RNNLM_DATA_URL'], process.env['RNNLM_CACHE_DIR']];
    process.env['RNNLM_DATA_URL'] = 'file:///nonexistent-mirror/';
    process.env['RNNLM_CACHE_DIR'] = tempDir();
    const notices: string[] = [];
    try {
      const path = await dataFilePath(TIME_MACHINE, (m) => notices.push(m));
      assert.match(path, /data\/timemachine\.txt$/);
      assert.equal(sha1(readFileSync(path)), TIME_MACHINE.sha1);
      assert.equal(notices.length, 1);
      assert.match(notices[0]!, /^cannot download file:\/\/\/nonexistent-mirror\/timemachine\.txt \(.*\); using the copy packaged with rnnlm \(same sha1\)$/);
    } finally {
      process.env['RNNLM_DATA_URL'] = saved[0];
      process.env['RNNLM_CACHE_DIR'] = saved[1];
    }
  });
});
