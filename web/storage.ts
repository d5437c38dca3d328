// The Checkpoint card: Download saves the current model (with its run, when it has one) as the CLI's safetensors
// file, and Open checkpoint sends such a file to the worker, which answers 'loaded' (web/main.ts shows it).
import type { FromWorker, Send } from './protocol.js';
import { $, fileBytes } from './dom.js';
import { inPageWords, setStatus } from './messages.js';
import { showError } from './errors.js';

const checkpointInput = $<HTMLInputElement>('checkpoint');

/** Download and Open checkpoint, asking the worker through `send`. */
export function setupStorage(send: Send): void {
  $('download').addEventListener('click', () => send({ type: 'download', purpose: 'file' }));
  checkpointInput.addEventListener('change', async () => {
    const file = checkpointInput.files?.[0];
    if (!file) return;
    checkpointInput.value = ''; // the same file can be opened again
    try {
      const bytes = await fileBytes(file);
      send({ type: 'load', bytes, name: file.name, source: 'file' }, [bytes]);
    } catch (err) {
      const message = `error: ${inPageWords((err as Error).message)}`;
      showError('checkpoint', message);
      setStatus(message);
    }
  });
}

/** Saves the worker's checkpoint as a download named after the epochs it holds. */
export function saveCheckpoint(m: Extract<FromWorker, { type: 'checkpoint' }>): void {
  const url = URL.createObjectURL(new Blob([m.bytes as BlobPart], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = m.metrics === null ? 'rnnlm.safetensors' : `rnnlm-epoch${m.metrics.epochs}.safetensors`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** A checkpoint opens between runs only: on or off with its label. */
export function allowOpening(on: boolean): void {
  checkpointInput.disabled = !on;
  checkpointInput.closest('label')?.classList.toggle('off', !on);
}
