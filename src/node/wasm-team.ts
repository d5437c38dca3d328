// The WebAssembly backend's kernel threads in Node: helpers are worker_threads (wasm-team-worker.ts) over the shared
// build of the kernels (dist/wasm/kernels-shared.wasm). The page does the same with Web Workers (web/team-worker.ts).
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { loadWasmTeamBackend, type WasmBackend } from '../backend/wasm.js';
import type { TeamHelper, TeamJoin } from '../backend/wasm-team.js';

/** Starts one helper thread and resolves once it has joined the team. Unreferenced: it never keeps the process alive. */
function spawnHelper(join: TeamJoin): Promise<TeamHelper> {
  const worker = new Worker(new URL('./wasm-team-worker.js', import.meta.url));
  return new Promise((resolve, reject) => {
    worker.once('message', () => {
      worker.unref();
      resolve(worker);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`a kernel thread exited with code ${code} before it joined`)));
    worker.postMessage(join);
  });
}

/**
 * The WebAssembly backend on `threads` threads of this process (one memory, one copy of every array), or a one-line
 * reason it cannot run. minWork: the least multiply-adds a call splits at (tests split every call with 0).
 */
export async function loadWasmTeam(threads: number, minWork?: number): Promise<WasmBackend | string> {
  let wasm: Uint8Array<ArrayBuffer>;
  try {
    wasm = readFileSync(new URL('../../wasm/kernels-shared.wasm', import.meta.url));
  } catch (e) {
    return `the shared kernels are not built (npm run build:wasm): ${(e as Error).message}`;
  }
  return loadWasmTeamBackend(wasm, threads, spawnHelper, minWork);
}
