// Where the WebAssembly kernels come from (src/backend/wasm-source.ts) and how a page falls back without them
// (wasmOrReference in src/backend/wasm.ts): beside the module by default, else a URL or bytes the caller passes (for
// bundlers that do not copy the .wasm); a failure is a one-line reason, and the fallback warns once per page.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { referenceBackend } from '../../src/backend/reference.js';
import { kernelBytes } from '../../src/backend/wasm-source.js';
import { loadWasmBackend, wasmOrReference } from '../../src/backend/wasm.js';
import { ROOT } from '../helpers.js';

const KERNELS = join(ROOT, 'dist', 'wasm', 'kernels.wasm');

describe('the WebAssembly kernels from a source', () => {
  const file = readFileSync(KERNELS);
  let server: Server;
  let origin: string;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/kernels.wasm') res.writeHead(200, { 'content-type': 'application/wasm' }).end(file);
      else if (req.url === '/index.html') res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><p>a dev server\'s index');
      else res.writeHead(404).end('not found');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server?.close());

  /** A source's bytes as one Uint8Array, to compare with the file. */
  const bytesOf = async (source?: Parameters<typeof kernelBytes>[0]): Promise<Uint8Array> => {
    const b = await kernelBytes(source);
    return b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  };

  it('reads the file beside the module by default (Node), and the same bytes from a file: URL, an http URL (string or URL) and bytes', async () => {
    const expected = new Uint8Array(file);
    assert.ok(expected.length > 1000, `${expected.length} bytes`);
    for (const source of [undefined, pathToFileURL(KERNELS), `${origin}/kernels.wasm`, new URL(`${origin}/kernels.wasm`), file, file.buffer.slice(file.byteOffset, file.byteOffset + file.length)]) {
      assert.deepEqual(await bytesOf(source), expected, `from ${String(source).slice(0, 60)}`);
    }
  });

  it('loads the backend from each kind of source, a view at an offset included', async () => {
    const padded = new Uint8Array(file.length + 8);
    padded.set(file, 8);
    for (const source of [`${origin}/kernels.wasm`, pathToFileURL(KERNELS), file.buffer.slice(file.byteOffset, file.byteOffset + file.length), padded.subarray(8)]) {
      const backend = await loadWasmBackend(source);
      assert.notEqual(typeof backend, 'string', String(backend));
      assert.equal((backend as { name: string }).name, 'wasm');
    }
  });

  it('says why in one line: a 404, a page instead of the kernels, a relative URL with no page to resolve it', async () => {
    assert.equal(await loadWasmBackend(`${origin}/missing.wasm`), `cannot fetch ${origin}/missing.wasm: HTTP 404`);
    assert.equal(await loadWasmBackend(`${origin}/index.html`), 'no WebAssembly SIMD here, or not the kernels at that URL');
    assert.equal(await loadWasmBackend(new Uint8Array([1, 2, 3])), 'no WebAssembly SIMD here, or not the kernels at that URL');
    const relative = await loadWasmBackend('./kernels.wasm'); // Node has no page: fetch cannot resolve it
    assert.equal(typeof relative, 'string');
    assert.doesNotMatch(relative as string, /\n/);
  });

  it('wasmOrReference: one backend per source however often asked; the reference kernels and one warning in all when none loads', async (t) => {
    const warn = t.mock.method(console, 'warn', () => {});
    const url = `${origin}/kernels.wasm`;
    const [a, b] = await Promise.all([wasmOrReference(url), wasmOrReference(url)]);
    assert.equal(a!.name, 'wasm');
    assert.equal(a, b);
    assert.equal(await wasmOrReference(), await wasmOrReference());
    assert.equal(warn.mock.callCount(), 0);
    assert.equal(await wasmOrReference(`${origin}/missing.wasm`), referenceBackend);
    assert.equal(await wasmOrReference(`${origin}/index.html`), referenceBackend);
    assert.equal(await wasmOrReference(`${origin}/missing.wasm`), referenceBackend);
    assert.equal(warn.mock.callCount(), 1, 'once per page, however many sources fail');
    assert.deepEqual(warn.mock.calls[0]!.arguments, [`rnnlm: slow reference kernels, not WebAssembly: cannot fetch ${origin}/missing.wasm: HTTP 404`]);
  });
});
