// The Generate card: prefix, length, beam search or sampling at a temperature, and the text as the worker streams it
// (data-done on #output says when it is complete, or 'error'). An error from generating replaces the status only
// until a generation succeeds: the status it replaced (a run's result, say) comes back then.
import type { FromWorker, Send, ToWorker } from './protocol.js';
import { $, enable, number } from './dom.js';
import { setStatus, statusText } from './messages.js';

const output = $('output');
const temperature = $<HTMLInputElement>('temperature');
let beforeGenerateError: string | null = null; // the status a generation error replaced, shown again once one succeeds

/** Sampling's controls are off with beam search, which takes the likeliest hypotheses. */
function beamChanged(): void {
  const why = 'off with beam search: set beam to 0 to sample';
  for (const id of ['sample', 'temperature']) enable(id, !(number('beam') > 0), why);
}

/** The controls, with Generate asking the worker (through `send`) for a text. */
export function setupGeneration(send: Send): void {
  temperature.addEventListener('input', () => ($('temperature-value').textContent = Number(temperature.value).toFixed(1)));
  $('beam').addEventListener('input', beamChanged);
  beamChanged();
  $('generate').addEventListener('click', () => {
    const beamSize = number('beam') || 0; // empty is off
    const sample = $<HTMLInputElement>('sample').checked && !(beamSize > 0);
    output.dataset['done'] = 'false';
    send({
      type: 'generate', prefix: $<HTMLInputElement>('prefix').value, len: number('len'), beam: beamSize,
      sample, temperature: Number(temperature.value), seed: Date.now() % 100000,
    });
  });
}

/** The next piece of the generated text (the first one starts a new text). */
export function showGenerated(m: Extract<FromWorker, { type: 'generated' }>): void {
  output.textContent = m.first ? m.text : (output.textContent ?? '') + m.text;
  output.dataset['done'] = String(m.done);
  if (m.done) {
    if (beforeGenerateError !== null && /^error: /.test(statusText())) setStatus(beforeGenerateError);
    beforeGenerateError = null;
  }
}

/** Notes an error from the worker, before the page shows it: one from generating keeps the status it replaces. */
export function noteError(of: ToWorker['type']): void {
  if (of !== 'generate') {
    beforeGenerateError = null;
    return;
  }
  beforeGenerateError ??= statusText();
  output.dataset['done'] = 'error';
}
