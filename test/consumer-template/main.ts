// A page as a web developer writes it: inference from 'rnnlm/inference', training in a Worker from 'rnnlm' (whose
// browser condition gives the browser build). The same source is built by Vite, webpack, Rollup and esbuild, none
// with aliases. A bundler that does not copy rnnlm's .wasm (esbuild) is given its URL as the wasm option: this page
// takes it from ?wasm=URL, so that the test can open it both with and without.
import { BOOK_CONFIG } from 'rnnlm';
import { loadModel } from 'rnnlm/inference';

interface EpochMessage { epoch: number; trainPpl: number; valPpl: number; backend: string }

const out = document.getElementById('out')!;
const train = document.getElementById('train')!;
const wasm = new URLSearchParams(location.search).get('wasm') ?? undefined;
const fail = (e: unknown): void => {
  document.body.dataset['error'] = e instanceof Error ? e.message : String(e);
};

async function generate(): Promise<void> {
  const m = await loadModel('./model.safetensors', { wasm });
  out.dataset['backend'] = m.backend;
  out.textContent = await m.text('it has', { numPreds: 40 });
  out.dataset['done'] = 'true';
}

// './worker.js' names the compiled worker, as TypeScript's own imports do: each bundler finds worker.ts
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
worker.onmessage = (e: MessageEvent<EpochMessage | { error: string }>) => {
  if ('error' in e.data) return fail(e.data.error);
  train.textContent = JSON.stringify({ ...e.data, bookEpochs: BOOK_CONFIG.epochs });
  train.dataset['done'] = 'true';
};
worker.onerror = (e) => fail(e.message || 'the worker failed to load');
worker.postMessage({ wasm: wasm === undefined ? undefined : new URL(wasm, location.href).href });
generate().catch(fail);
