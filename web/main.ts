// The page: choose a text, set the book's hyperparameters, train in a Web Worker while the perplexity chart and
// tokens per second update live, generate at any time, and move checkpoints between the page and the CLI.
// The text is read as the book does (letters only, lower case) or raw (every character), as characters or words.
// Messages are in the page's own words: the library's are mapped to the page's controls, never to CLI flags.
import embed, { type Result } from 'vega-embed';
import wasmUrl from '../dist/wasm/kernels.wasm?url';
import { decodeText, perplexityChart, type EpochStats, type TrainConfig } from '../src/browser.js';
import type { FromWorker, TextChoice, ToWorker } from './protocol.js';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
};
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (m: ToWorker, transfer: Transferable[] = []): void => worker.postMessage(m, transfer);

const text = $<HTMLTextAreaElement>('text');
const status = $<HTMLSpanElement>('status');
const [trainButton, pauseButton, stopButton] = [$<HTMLButtonElement>('train'), $<HTMLButtonElement>('pause'), $<HTMLButtonElement>('stop')];
const [generateButton, downloadButton] = [$<HTMLButtonElement>('generate'), $<HTMLButtonElement>('download')];
const chartDiv = $<HTMLDivElement>('chart');

let epochs: EpochStats[] = [];
let chart: Result | null = null;
let paused = false;
let backend = 'loading';
let runInfo = ''; // the model being trained: 'vocabulary 28, book text, char tokens'
let beforeGenerateError: string | null = null; // the status a generation error replaced, shown again once one succeeds

const count = (n: number): string => n.toLocaleString('en-US');

/** The page's names of TrainConfig fields and CLI flags, for the library's messages. */
const LABELS: Record<string, string> = {
  numTrain: 'training windows', numVal: 'validation windows', batchSize: 'batch size', numSteps: 'steps', numHiddens: 'hidden units',
  lr: 'learning rate', clip: 'clip', epochs: 'epochs', seed: 'seed', numLayers: 'layers', minFreq: 'min freq', maxTokens: 'max tokens',
  text: 'text', tokens: 'tokens', split: 'split', activation: 'activation', cell: 'model',
  'num-train': 'training windows', 'num-val': 'validation windows', 'batch-size': 'batch size', 'num-steps': 'steps',
  'num-hiddens': 'hidden units', 'num-layers': 'layers', layers: 'layers', 'min-freq': 'min freq', 'max-tokens': 'max tokens',
  sample: 'sample', temperature: 'temperature', beam: 'beam', len: 'tokens to generate', prefix: 'prefix',
};

/** A library message in the page's words, on one line: the page's control names, never a CLI flag. */
function inPageWords(message: string): string {
  let m = message.replace(/\s+/g, ' ').trim();
  const tooShort = /^the text is too short: (.+?), but numTrain \+ numVal = (\d+)/.exec(m);
  if (tooShort) {
    return `the text is too short: ${tooShort[1]!}, but training + validation windows = ${tooShort[2]!}; ` +
      'choose fewer training or validation windows, or split "full", or use a longer text';
  }
  if (/^the text is too short: .* leave no training window/.test(m)) return `${m}; choose fewer steps or use a longer text`;
  if (/^the text has no letters/.test(m)) {
    return 'the text has no letters A-Z or a-z, the only ones book text keeps; choose text "raw" to keep every character';
  }
  if (/^temperature, alpha, top-k and top-p need sampling/.test(m)) return 'temperature needs sampling: check "sample"';
  m = m.replace(/^(\w+)(?= must be)/, (field) => LABELS[field] ?? field);
  // no CLI flag names: "--num-train" becomes "training windows"
  return m.replace(/--([a-z][a-z-]*)/g, (_, flag: string) => `"${LABELS[flag] ?? flag.replace(/-/g, ' ')}"`).replace(/--/g, '-');
}

function setStatus(s: string): void {
  status.textContent = s.replace(/\s+/g, ' ');
}

/** Characters (code points) of a text, and those the book's preprocessing drops: neither ASCII letters nor whitespace. */
function countText(s: string): { chars: number; dropped: number } {
  let chars = 0;
  let dropped = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0 && (s.charCodeAt(i - 1) & 0xfc00) === 0xd800) continue; // the second half of a pair
    chars++;
    const letter = ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
    const space = c < 0x80 ? c === 0x20 || (c >= 0x09 && c <= 0x0d) : c <= 0xffff && /\s/.test(s[i]!);
    if (!letter && !space) dropped++;
  }
  return { chars, dropped };
}

const DROPPED_WHAT = '(digits, punctuation, other scripts)';

/** The text's size, and (for book text) how much of it the book's preprocessing would drop. */
function describeText(): void {
  if (!text.value) {
    $('text-info').textContent = '';
    return;
  }
  const { chars, dropped } = countText(text.value);
  const book = $<HTMLSelectElement>('textMode').value === 'book';
  $('text-info').textContent = `${count(chars)} characters` + (book && dropped > 0
    ? `; the book's preprocessing would drop ${count(dropped)} of them ${DROPPED_WHAT}; choose raw text to keep them` : '');
}

/** What the book's preprocessing dropped from the text a run read; '' when nothing (or raw text). */
function droppedNote(m: { text: TextChoice['text']; chars: number; dropped: number }): string {
  return m.text === 'book' && m.dropped > 0
    ? `the book's preprocessing dropped ${count(m.dropped)} of ${count(m.chars)} characters read ${DROPPED_WHAT}; choose raw text to keep them` : '';
}

const tokenization = (m: TextChoice): string => `${m.text} text, ${m.tokens} tokens`;

/** The file or download's bytes as text (UTF-8, UTF-16 with a byte-order mark, or Windows-1252); binary files refused. */
function readText(bytes: ArrayBuffer, name: string): string {
  try {
    return decodeText(new Uint8Array(bytes), name).text;
  } catch (e) {
    if (/looks like a binary file/.test((e as Error).message)) throw new Error(`${name} looks like a binary file, not text; choose a text file.`);
    throw e;
  }
}

async function drawChart(): Promise<void> {
  chart?.finalize();
  chart = await embed(chartDiv, perplexityChart([{ name: 'this run', epochs }], { width: 600, height: 300 }) as never, { actions: false, renderer: 'svg' });
  chartDiv.dataset['points'] = String(epochs.length);
  chartDiv.dataset['trainPpl'] = epochs.map((e) => e.trainPpl.toFixed(4)).join(' ');
  chartDiv.dataset['valPpl'] = epochs.map((e) => e.valPpl.toFixed(4)).join(' ');
}

function setTraining(on: boolean): void {
  trainButton.disabled = on;
  pauseButton.disabled = !on;
  stopButton.disabled = !on;
  pauseButton.textContent = 'Pause';
  paused = false;
}

function number(id: string): number {
  return Number($<HTMLInputElement>(id).value);
}

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  switch (m.type) {
    case 'ready':
      backend = m.backend;
      setStatus(`ready (${m.backend} backend${m.notice ? `: ${m.notice}` : ''})`);
      document.body.dataset['ready'] = 'true';
      break;
    case 'started': {
      const note = droppedNote(m);
      runInfo = `vocabulary ${m.vocabSize}, ${tokenization(m)}`;
      setStatus(`training on ${count(m.numTokens)} ${m.tokens === 'word' ? 'words' : 'characters'}, vocabulary ${m.vocabSize}, ` +
        `${count(m.numTrain)} windows${m.split === 'full' ? ' per epoch' : ''} (${backend})${note ? `; ${note}` : ''}`);
      $('text-info').textContent = `${tokenization(m)}: ${note || `${count(m.chars)} characters read`}`;
      $('model-info').textContent = runInfo;
      generateButton.disabled = false;
      downloadButton.disabled = false;
      break;
    }
    case 'batch': {
      const p = m.progress;
      setStatus(`epoch ${p.epoch}: batch ${p.step}/${p.steps}, train ppl ${p.trainPpl.toFixed(2)}, ` +
        `${Math.round(p.tokensPerSecond).toLocaleString('en-US')} tokens/s${paused ? ' (paused)' : ''}`);
      $('status').dataset['tokensPerSecond'] = String(Math.round(p.tokensPerSecond));
      break;
    }
    case 'epoch':
      epochs.push(m.stats);
      $('model-info').textContent = `${runInfo}; epoch ${m.stats.epoch}: train ppl ${m.stats.trainPpl.toFixed(2)}, val ppl ${m.stats.valPpl.toFixed(2)}`;
      void drawChart();
      break;
    case 'done':
      setTraining(false);
      setStatus(m.reason === 'finished' ? `finished ${epochs.length} epochs` : `${m.reason}: ${inPageWords(m.message ?? '')}`);
      document.body.dataset['trained'] = String(epochs.length);
      break;
    case 'generated': {
      const output = $('output');
      output.textContent = m.first ? m.text : (output.textContent ?? '') + m.text;
      output.dataset['done'] = String(m.done);
      if (m.done) {
        if (beforeGenerateError !== null && /^error: /.test(status.textContent ?? '')) setStatus(beforeGenerateError);
        beforeGenerateError = null;
      }
      break;
    }
    case 'checkpoint': {
      const url = URL.createObjectURL(new Blob([m.bytes as BlobPart], { type: 'application/octet-stream' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = 'rnnlm.safetensors';
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      break;
    }
    case 'loaded':
      $('model-info').textContent = `opened ${m.name}: ${m.model}, vocabulary ${m.vocabSize}, ${m.numHiddens} hidden units, ${tokenization(m)}`;
      generateButton.disabled = false;
      downloadButton.disabled = false;
      break;
    case 'error':
      if (m.of !== 'generate') beforeGenerateError = null;
      else if (beforeGenerateError === null) beforeGenerateError = status.textContent ?? '';
      setStatus(`error: ${inPageWords(m.message)}`);
      if (m.of === 'train') setTraining(false);
      if (m.of === 'generate') $('output').dataset['done'] = 'error';
      break;
  }
};

$('load-url').addEventListener('click', async () => {
  const url = $<HTMLInputElement>('url').value;
  setStatus(`loading ${url}...`);
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    text.value = readText(await res.arrayBuffer(), 'the page at this URL');
    describeText();
    setStatus(`loaded ${url}`);
  } catch (err) {
    const why = inPageWords((err as Error).message);
    setStatus(/binary file/.test(why) ? why : `cannot load ${url}: ${why} (a local copy works too: open the file)`);
  }
});
$<HTMLInputElement>('file').addEventListener('change', async (e) => {
  const input = e.target as HTMLInputElement;
  const file = input.files?.[0];
  if (!file) return;
  input.value = ''; // the same file can be opened again
  try {
    text.value = readText(await file.arrayBuffer(), file.name);
    describeText();
    setStatus(`opened ${file.name}`);
  } catch (err) {
    setStatus(inPageWords((err as Error).message));
  }
});
text.addEventListener('input', describeText);
$('textMode').addEventListener('change', describeText);

/** Turns a control and its label on or off, saying why in its title when off. */
function enable(id: string, on: boolean, why: string): void {
  const input = $<HTMLInputElement>(id);
  input.disabled = !on;
  input.title = on ? '' : why;
  const label = input.closest('label');
  label?.classList.toggle('off', !on);
  if (label) label.title = on ? '' : why;
}

const split = $<HTMLSelectElement>('split');
function splitChanged(): void {
  const why = 'not used with the full split: it trains on the first 90% of the text and validates on the rest';
  for (const id of ['numTrain', 'numVal']) enable(id, split.value !== 'full', why);
}
split.addEventListener('change', splitChanged);
splitChanged();

trainButton.addEventListener('click', () => {
  if (!text.value.trim()) return setStatus('choose a text first');
  epochs = [];
  void drawChart();
  setTraining(true);
  const activation = $<HTMLSelectElement>('activation').value === 'relu' ? 'relu' : 'tanh';
  const cellChoice = $<HTMLSelectElement>('cell').value;
  const cell = cellChoice === 'gru' || cellChoice === 'lstm' ? cellChoice : 'rnn';
  const choices: Pick<TrainConfig, 'text' | 'tokens' | 'split'> = {
    text: $<HTMLSelectElement>('textMode').value === 'raw' ? 'raw' : 'book',
    tokens: $<HTMLSelectElement>('tokens').value === 'word' ? 'word' : 'char',
    split: split.value === 'full' ? 'full' : 'book',
  };
  send({ type: 'train', text: text.value, config: {
    ...choices, minFreq: number('minFreq'), maxTokens: number('maxTokens'),
    cell, numLayers: number('numLayers'), concise: $<HTMLInputElement>('concise').checked,
    epochs: number('epochs'), batchSize: number('batchSize'), numSteps: number('numSteps'), numHiddens: number('numHiddens'),
    lr: number('lr'), clip: number('clip'), numTrain: number('numTrain'), numVal: number('numVal'), activation, seed: number('seed'),
  } });
});
pauseButton.addEventListener('click', () => {
  paused = !paused;
  send({ type: paused ? 'pause' : 'resume' });
  pauseButton.textContent = paused ? 'Resume' : 'Pause';
  if (paused) setStatus(`${status.textContent ?? ''} (paused)`);
});
stopButton.addEventListener('click', () => send({ type: 'stop' }));

const temperature = $<HTMLInputElement>('temperature');
temperature.addEventListener('input', () => ($('temperature-value').textContent = Number(temperature.value).toFixed(1)));
const beam = $<HTMLInputElement>('beam');
function beamChanged(): void {
  const why = 'off with beam search: set beam to 0 to sample';
  for (const id of ['sample', 'temperature']) enable(id, !(number('beam') > 0), why);
}
beam.addEventListener('input', beamChanged);
beamChanged();
generateButton.addEventListener('click', () => {
  const beamSize = number('beam') || 0; // empty is off
  const sample = $<HTMLInputElement>('sample').checked && !(beamSize > 0);
  $('output').dataset['done'] = 'false';
  send({
    type: 'generate', prefix: $<HTMLInputElement>('prefix').value, len: number('len'), beam: beamSize,
    sample, temperature: Number(temperature.value), seed: Date.now() % 100000,
  });
});
downloadButton.addEventListener('click', () => send({ type: 'download' }));
$<HTMLInputElement>('checkpoint').addEventListener('change', async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  const bytes = await file.arrayBuffer();
  send({ type: 'load', bytes, name: file.name }, [bytes]);
});

void drawChart();
send({ type: 'init', wasmUrl });
