// Where the WebAssembly kernels' bytes come from: beside this module by default (dist/wasm/kernels.wasm, found with
// new URL(..., import.meta.url), which Vite, webpack and Rollup with a plugin copy and rewrite), or a URL or the bytes
// the caller gives, for bundlers that do not copy the file (esbuild leaves the URL pointing where nothing is served).
// Browser-safe: Node's file system is reached through util/node-fs.ts, which no bundler follows.

import { nodeFs } from '../util/node-fs.js';

/** The kernels as a URL to fetch (relative to the page) or their bytes: `rnnlm/kernels.wasm`, served or read. */
export type WasmSource = URL | string | BufferSource;

/** What to do when a bundled page finds no kernels beside it. */
const PASS_THE_WASM = "a bundler that does not copy it (esbuild) needs rnnlm/kernels.wasm's URL or bytes: loadModel(m, { wasm })";

/**
 * The kernels' bytes from a source, or from beside this module when there is none. Throws a one-line reason; for the
 * default location it ends with how to pass the file instead.
 */
export async function kernelBytes(source?: WasmSource): Promise<BufferSource> {
  if (source !== undefined && typeof source !== 'string' && !(source instanceof URL)) return source; // WebAssembly takes any BufferSource
  try {
    // the default is a literal new URL(..., import.meta.url), the form bundlers recognise, copy and rewrite (it
    // throws where a bundle's format has no import.meta.url); a given URL is fetched as given, relative to the page
    const url = source ?? new URL('../../wasm/kernels.wasm', import.meta.url);
    // Node reads a file: URL from disk (its fetch cannot); elsewhere fetch takes it (Deno and Bun fetch file: URLs)
    const fs = nodeFs();
    if (fs && String(url).startsWith('file:')) return fs.readFileSync(new URL(url));
    const res = await fetch(url);
    if (!res.ok) throw new Error(`cannot fetch ${res.url || url}: HTTP ${res.status}`);
    return await res.arrayBuffer();
  } catch (e) {
    throw source === undefined ? new Error(`${(e as Error).message}; ${PASS_THE_WASM}`) : e;
  }
}
