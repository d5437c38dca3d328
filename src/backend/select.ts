// Picks the backend at start-up. 'auto' takes the fastest that loads: native (Node, when built at install),
// then WebAssembly SIMD (where the runtime supports it), then the reference, with a notice saying why.
import { setBackend, type Backend } from './backend.js';
import { loadNativeBackend } from './native.js';
import { referenceBackend } from './reference.js';
import { loadWasmBackend } from './wasm.js';

export type BackendName = 'auto' | 'native' | 'wasm' | 'reference';
export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'native', 'wasm', 'reference'];

const LOADERS: Record<'native' | 'wasm', () => Promise<Backend | string>> = { native: loadNativeBackend, wasm: loadWasmBackend };

/** Selects and returns a backend; a named one must load, 'auto' falls back (telling notice why only if the wasm one fails). */
export async function selectBackend(name: BackendName = 'auto', notice: (message: string) => void = () => {}): Promise<Backend> {
  let backend: Backend = referenceBackend;
  if (name === 'native' || name === 'wasm') {
    const loaded = await LOADERS[name]();
    if (typeof loaded === 'string') throw new Error(`cannot use the ${name} backend: ${loaded}`);
    backend = loaded;
  } else if (name === 'auto') {
    const native = await loadNativeBackend();
    const chosen = typeof native !== 'string' ? native : await loadWasmBackend();
    if (typeof chosen !== 'string') backend = chosen;
    else notice(`using the reference backend: ${chosen}`);
  }
  setBackend(backend);
  return backend;
}
