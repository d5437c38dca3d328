// A page as a web developer writes it: inference from 'rnnlm/inference', training in a Worker from 'rnnlm' (whose
// browser condition gives the browser build). No aliases, no Vite configuration.
import { BOOK_CONFIG } from 'rnnlm';
import { loadModel } from 'rnnlm/inference';

interface EpochMessage { epoch: number; trainPpl: number; valPpl: number; backend: string }

const out = document.getElementById('out')!;
const train = document.getElementById('train')!;
const fail = (e: unknown): void => {
  document.body.dataset['error'] = e instanceof Error ? e.message : String(e);
};

async function generate(): Promise<void> {
  const m = await loadModel('./model.safetensors');
  out.dataset['backend'] = m.backend;
  out.textContent = await m.text('it has', { numPreds: 40 });
  out.dataset['done'] = 'true';
}

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
worker.onmessage = (e: MessageEvent<EpochMessage | { error: string }>) => {
  if ('error' in e.data) return fail(e.data.error);
  train.textContent = JSON.stringify({ ...e.data, bookEpochs: BOOK_CONFIG.epochs });
  train.dataset['done'] = 'true';
};
worker.onerror = (e) => fail(e.message || 'the worker failed to load');
generate().catch(fail);
