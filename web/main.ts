// The page: choose a text, set the book's hyperparameters, train in a Web Worker while the perplexity chart and
// tokens per second update live, generate at any time, and move checkpoints between the page and the CLI.
import embed, { type Result } from 'vega-embed';
import wasmUrl from '../dist/wasm/kernels.wasm?url';
import { perplexityChart, type EpochStats } from '../src/browser.js';
import type { FromWorker, ToWorker } from './protocol.js';

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
let training = false;
let paused = false;
let backend = 'loading';

function setStatus(s: string): void {
  status.textContent = s;
}

function describeText(): void {
  const n = text.value.length;
  $('text-info').textContent = n ? `${n.toLocaleString('en-US')} characters` : '';
}

async function drawChart(): Promise<void> {
  chart?.finalize();
  chart = await embed(chartDiv, perplexityChart([{ name: 'this run', epochs }], { width: 600, height: 300 }) as never, { actions: false, renderer: 'svg' });
  chartDiv.dataset['points'] = String(epochs.length);
  chartDiv.dataset['trainPpl'] = epochs.map((e) => e.trainPpl.toFixed(4)).join(' ');
  chartDiv.dataset['valPpl'] = epochs.map((e) => e.valPpl.toFixed(4)).join(' ');
}

function setTraining(on: boolean): void {
  training = on;
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
    case 'started':
      setStatus(`training on ${m.chars.toLocaleString('en-US')} characters, vocabulary ${m.vocabSize}, ${m.numTrain} windows (${backend})`);
      generateButton.disabled = false;
      downloadButton.disabled = false;
      break;
    case 'batch': {
      const p = m.progress;
      setStatus(`epoch ${p.epoch}: batch ${p.step}/${p.steps}, train ppl ${p.trainPpl.toFixed(2)}, ` +
        `${Math.round(p.tokensPerSecond).toLocaleString('en-US')} tokens/s${paused ? ' (paused)' : ''}`);
      $('status').dataset['tokensPerSecond'] = String(Math.round(p.tokensPerSecond));
      break;
    }
    case 'epoch':
      epochs.push(m.stats);
      $('model-info').textContent = `epoch ${m.stats.epoch}: train ppl ${m.stats.trainPpl.toFixed(2)}, val ppl ${m.stats.valPpl.toFixed(2)}`;
      void drawChart();
      break;
    case 'done':
      setTraining(false);
      setStatus(m.reason === 'finished' ? `finished ${epochs.length} epochs` : `${m.reason}: ${m.message ?? ''}`);
      document.body.dataset['trained'] = String(epochs.length);
      break;
    case 'generated':
      $('output').textContent = m.text;
      break;
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
      $('model-info').textContent = `opened ${m.name}: ${m.model}, vocabulary ${m.vocabSize}, ${m.numHiddens} hidden units`;
      generateButton.disabled = false;
      downloadButton.disabled = false;
      break;
    case 'error':
      setStatus(`error: ${m.message}`);
      if (training && !/no model|prefix/.test(m.message)) setTraining(false);
      break;
  }
};

$('load-url').addEventListener('click', async () => {
  const url = $<HTMLInputElement>('url').value;
  setStatus(`loading ${url}...`);
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    text.value = await res.text();
    describeText();
    setStatus(`loaded ${url}`);
  } catch (err) {
    setStatus(`cannot load ${url}: ${(err as Error).message} (a local copy works too: open the file)`);
  }
});
$<HTMLInputElement>('file').addEventListener('change', async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  text.value = await file.text();
  describeText();
});
text.addEventListener('input', describeText);

trainButton.addEventListener('click', () => {
  if (!text.value.trim()) return setStatus('choose a text first');
  epochs = [];
  void drawChart();
  setTraining(true);
  const activation = $<HTMLSelectElement>('activation').value === 'relu' ? 'relu' : 'tanh';
  const cellChoice = $<HTMLSelectElement>('cell').value;
  const cell = cellChoice === 'gru' || cellChoice === 'lstm' ? cellChoice : 'rnn';
  send({ type: 'train', text: text.value, config: {
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
generateButton.addEventListener('click', () => send({
  type: 'generate', prefix: $<HTMLInputElement>('prefix').value, len: number('len'),
  sample: $<HTMLInputElement>('sample').checked, temperature: Number(temperature.value), seed: Date.now() % 100000,
}));
downloadButton.addEventListener('click', () => send({ type: 'download' }));
$<HTMLInputElement>('checkpoint').addEventListener('change', async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  const bytes = await file.arrayBuffer();
  send({ type: 'load', bytes, name: file.name }, [bytes]);
});

void drawChart();
send({ type: 'init', wasmUrl });
