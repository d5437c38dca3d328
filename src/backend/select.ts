// Picks the backend at start-up: WebAssembly SIMD where the runtime supports it, else the reference with a notice.
import { setBackend, type Backend } from './backend.js';
import { referenceBackend } from './reference.js';
import { loadWasmBackend } from './wasm.js';

export type BackendName = 'auto' | 'wasm' | 'reference';
export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'wasm', 'reference'];

/** Selects and returns a backend; 'auto' falls back to the reference (telling notice why), 'wasm' insists. */
export async function selectBackend(name: BackendName = 'auto', notice: (message: string) => void = () => {}): Promise<Backend> {
  let backend: Backend = referenceBackend;
  if (name !== 'reference') {
    const wasm = await loadWasmBackend();
    if (typeof wasm !== 'string') backend = wasm;
    else if (name === 'wasm') throw new Error(`cannot use the wasm backend: ${wasm}`);
    else notice(`using the reference backend: ${wasm}`);
  }
  setBackend(backend);
  return backend;
}
