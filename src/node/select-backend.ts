// Picks the backend at start-up. 'auto' takes the fastest that loads: native (Node: a local build or the package's
// prebuilt file), then WebAssembly SIMD (where the runtime supports it), then the reference. When 'auto' does not get the native
// kernels it says why, in one notice: the backend it uses instead and the reason (and the WebAssembly one's, when
// that fails too), e.g. "using the wasm backend, not the native kernels: the native kernels are not built (...)".
import { type Backend } from '../backend/backend.js';
import { setBackend } from '../backend/current.js';
import { loadNativeBackend } from './native.js';
import { referenceBackend } from '../backend/reference.js';
import { loadWasmBackend } from '../backend/wasm.js';
import { availableParallelism } from 'node:os';
import { loadWasmTeam } from './wasm-team.js';

export type BackendName = 'auto' | 'native' | 'wasm' | 'reference';
export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'native', 'wasm', 'reference'];

/**
 * The WebAssembly backend with kernel threads, one per core (setThreads picks how many a run uses; idle helpers sleep),
 * as the native kernels have them; on one core, or where the threads cannot start, the plain build.
 */
async function loadWasm(): Promise<Backend | string> {
  const cores = availableParallelism();
  const team = cores > 1 ? await loadWasmTeam(cores) : 'one core';
  return typeof team === 'string' ? loadWasmBackend() : team;
}

const LOADERS: Record<'native' | 'wasm', () => Promise<Backend | string>> = { native: loadNativeBackend, wasm: loadWasm };

/**
 * Selects, installs and returns a backend. A named one must load (else this throws, saying why); 'auto' falls back,
 * and when it does not use the native kernels it tells notice why, once per call.
 */
export async function selectBackend(name: BackendName = 'auto', notice: (message: string) => void = () => {}): Promise<Backend> {
  let backend: Backend = referenceBackend;
  if (name === 'native' || name === 'wasm') {
    const loaded = await LOADERS[name]();
    if (typeof loaded === 'string') throw new Error(`cannot use the ${name} backend: ${loaded}`);
    backend = loaded;
  } else if (name === 'auto') {
    const native = await loadNativeBackend();
    if (typeof native !== 'string') backend = native;
    else {
      const wasm = await loadWasm();
      if (typeof wasm !== 'string') {
        backend = wasm;
        notice(`using the wasm backend, not the native kernels: ${native}`);
      } else {
        notice(`using the reference backend, not the native kernels: ${native}; nor WebAssembly: ${wasm}`);
      }
    }
  }
  setBackend(backend);
  return backend;
}
