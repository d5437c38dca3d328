// The page's threads: the training thread (web/worker.ts) and Web Workers of web/team-worker.ts share one
// WebAssembly memory and split each large kernel call of one model (src/backend/wasm-team.ts), as the CLI's native
// kernels split theirs over threads: no model copies, no gradient sums, the same floats on any number of threads.
// Shared memory is given only to cross-origin isolated pages (served with COOP: same-origin and COEP: require-corp);
// without it the page trains on one thread and says why.
import { loadWasmTeamBackend, type TeamHelper, type TeamJoin, type WasmBackend } from '../src/browser.js';

/** Why the page cannot train on several threads here, or null when it can. */
export function threadsUnavailable(): string | null {
  if (!(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated || typeof SharedArrayBuffer === 'undefined') {
    return 'this page is not cross-origin isolated (it needs the COOP and COEP headers), so it trains on one thread';
  }
  return null;
}

/** The threads to train on: one per core (one model: memory does not grow with them), when the page may share memory. */
export function threadCount(): number {
  return threadsUnavailable() === null ? Math.max(1, navigator.hardwareConcurrency || 1) : 1;
}

/** Starts one kernel thread and resolves once it has joined the team. */
function spawnHelper(join: TeamJoin): Promise<TeamHelper> {
  const worker = new Worker(new URL('./team-worker.ts', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<'ready' | { error: string }>) => {
      worker.onmessage = null;
      if (e.data === 'ready') resolve(worker);
      else reject(new Error(e.data.error));
    };
    worker.onerror = (e) => reject(new Error(e.message || 'a kernel thread failed to start'));
    worker.postMessage(join);
  });
}

/** The WebAssembly backend on `threads` threads from the shared build's bytes, or a one-line reason it cannot run. */
export function startWebTeam(shared: Uint8Array<ArrayBuffer>, threads: number): Promise<WasmBackend | string> {
  return loadWasmTeamBackend(shared, threads, spawnHelper);
}
