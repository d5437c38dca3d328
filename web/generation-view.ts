// The Generate card: its settings (read by generation-options.ts; sampling's controls are off under beam search and
// without "sample"), Generate and Stop, the texts as the worker streams them (several: one after another, each
// labelled "sample 2 of 3"), the seed sampling used (shown once generated; "Reuse seed" puts it in the seed box, to
// make the same text again) and how it ended: data-done on #output is 'false' while streaming, 'true' once complete,
// 'stopped' after Stop (the text so far stays) or 'error'. An error from generating replaces the status only until
// a generation succeeds: the status it replaced (a run's result, say) comes back then.
import { MAX_BEAM, MAX_NEW_TOKENS, MAX_NGRAM, MAX_SEQUENCES } from '../src/browser.js';
import type { FromWorker, Send, ToWorker } from './protocol.js';
import { $, enable, number } from './dom.js';
import { setStatus, statusText } from './messages.js';
import { clearError, showError } from './errors.js';
import { readGenerationOptions } from './generation-options.js';

const output = $('output');
const temperature = $<HTMLInputElement>('temperature');
const stopButton = $<HTMLButtonElement>('generate-stop');
const reuseButton = $<HTMLButtonElement>('reuse-seed');
const info = $('generate-info');
let beforeGenerateError: string | null = null; // the status a generation error replaced, shown again once one succeeds
let request = 0; // the latest generation asked for: answers to an earlier one are dropped
let asked = { texts: 1, beam: false }; // what it asked for: how its texts are labelled
let texts = new Map<number, Text>(); // each text's node in #output, by index
let lastSeed: number | null = null;

/** Sampling's controls: off with beam search (which takes the likeliest hypotheses), and without "sample". */
function samplingChanged(): void {
  const beam = number('beam') > 0;
  const offBeam = 'off with beam search: set beam to 0 to sample';
  enable('sample', !beam, offBeam);
  const on = !beam && $<HTMLInputElement>('sample').checked;
  for (const id of ['temperature', 'top-k', 'top-p', 'gen-seed']) enable(id, on, beam ? offBeam : 'used when sampling: check "sample"');
}

/** A generation the page refused (its settings): beside Generate and in the status line; one still running goes on. */
function failed(message: string): void {
  if (stopButton.disabled) noteError('generate', request);
  setStatus(message);
  showError('generate', message);
}

/** The controls, with Generate asking the worker (through `send`) for texts, and Stop ending them. */
export function setupGeneration(send: Send): void {
  // the controls' ranges are the library's limits, read from it rather than written again in index.html
  for (const [id, max] of [['samples', MAX_SEQUENCES], ['beam', MAX_BEAM], ['no-repeat-ngram', MAX_NGRAM], ['len', MAX_NEW_TOKENS], ['min-new', MAX_NEW_TOKENS]] as const) {
    $<HTMLInputElement>(id).max = String(max);
  }
  temperature.addEventListener('input', () => ($('temperature-value').textContent = Number(temperature.value).toFixed(1)));
  $('beam').addEventListener('input', samplingChanged);
  $('sample').addEventListener('change', samplingChanged);
  samplingChanged();
  $('generate').addEventListener('click', () => {
    let options;
    try {
      options = readGenerationOptions();
    } catch (e) {
      return failed(`error: ${(e as Error).message}`);
    }
    asked = { texts: options.numReturnSequences ?? 1, beam: options.numBeams !== undefined };
    output.dataset['done'] = 'false';
    info.textContent = '';
    stopButton.disabled = false;
    send({ type: 'generate', id: ++request, prefix: $<HTMLInputElement>('prefix').value, options });
  });
  stopButton.addEventListener('click', () => {
    $('generate').focus(); // Stop turns itself off: the keyboard's focus goes where the next action is
    stopButton.disabled = true;
    send({ type: 'stop-generating' });
  });
  reuseButton.addEventListener('click', () => {
    if (lastSeed === null) return;
    // the seed is sampling's: sampling goes on with it (beam search is off whenever a seed was shown)
    const sample = $<HTMLInputElement>('sample');
    if (!sample.checked && !sample.disabled) {
      sample.checked = true;
      samplingChanged();
    }
    const seed = $<HTMLInputElement>('gen-seed');
    seed.value = String(lastSeed);
    seed.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

/** The node that text `index` grows in: a block of #output, labelled when there are several. */
function textNode(index: number): Text {
  let node = texts.get(index);
  if (node) return node;
  const block = document.createElement('span');
  block.className = 'sample';
  block.dataset['index'] = String(index);
  if (asked.texts > 1) {
    const label = document.createElement('span');
    label.className = 'sample-label';
    label.textContent = `${asked.beam ? 'beam' : 'sample'} ${index + 1} of ${asked.texts}`;
    block.append(label);
  }
  const text = document.createElement('span');
  text.className = 'sample-text';
  node = document.createTextNode('');
  text.append(node);
  block.append(text);
  output.append(block);
  texts.set(index, node);
  return node;
}

/** The next piece of a text (the first piece of a generation replaces what #output showed). */
export function showGenerated(m: Extract<FromWorker, { type: 'generated' }>): void {
  if (m.id !== request) return;
  if (m.first) {
    output.replaceChildren();
    texts = new Map();
    output.setAttribute('aria-busy', 'true'); // the streamed text is one announcement when it is complete, not one per piece
  }
  textNode(m.index).data += m.text;
}

/** Every text is out, or Stop ended them: the page says how it ended, and the seed sampling used. */
export function generationDone(m: Extract<FromWorker, { type: 'generation-done' }>): void {
  if (m.id !== request) return;
  output.removeAttribute('aria-busy');
  output.dataset['done'] = m.stopped ? 'stopped' : 'true';
  stopButton.disabled = true;
  clearError('generate');
  // the seed of the text shown, or none (greedy and beam search draw nothing): Reuse seed offers only the former
  lastSeed = m.seed ?? null;
  reuseButton.disabled = m.seed === undefined;
  reuseButton.title = m.seed === undefined ? 'no seed: the text shown was not sampled'
    : `puts seed ${m.seed} in the seed box: the same settings then give the same text again`;
  const seed = m.seed === undefined ? '' : `seed ${m.seed}${m.texts > 1 ? ` (sample n uses ${m.seed} + n - 1)` : ''}`;
  const stopped = m.texts === 0 ? 'stopped before beam search finished: no text' : `stopped: the text so far (${m.texts === 1 ? 'one text' : `${m.texts} texts`})`;
  info.textContent = [m.stopped ? stopped : '', seed].filter((s) => s !== '').join('; ');
  if (m.stopped) setStatus(`generation ${info.textContent}`);
  else if (beforeGenerateError !== null && /^error: /.test(statusText())) setStatus(beforeGenerateError);
  beforeGenerateError = null;
}

/**
 * Notes an error from the worker, before the page shows it: one from generating keeps the status it replaces. False
 * for an error of an older generation than the latest asked for (a newer one replaced it): the page drops it.
 */
export function noteError(of: ToWorker['type'], id?: number): boolean {
  if (of !== 'generate' && of !== 'stop-generating') {
    beforeGenerateError = null;
    return true;
  }
  if (of === 'generate' && id !== undefined && id !== request) return false;
  beforeGenerateError ??= statusText();
  output.dataset['done'] = 'error';
  output.removeAttribute('aria-busy');
  stopButton.disabled = true;
  return true;
}
