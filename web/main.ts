// The page: choose a text, set the book's hyperparameters, train in a Web Worker while the perplexity chart and
// tokens per second update live, generate at any time, and move checkpoints between the page and the CLI.
// The text is read as the book does (letters only, lower case) or raw (every character), as characters or words.
// Messages are in the page's own words: the library's are mapped to the page's controls, never to CLI flags.
// A run (trained here, or opened from a checkpoint that holds one) continues exactly where it stopped: "Continue
// training" trains it on the current text up to the epochs set, and the chart shows its earlier epochs first.
// Layout is CSS (style.css); here: a progress bar with the time left, and a chart as wide as its card.
import embed, { type Result } from 'vega-embed';
import wasmUrl from '../dist/wasm/kernels.wasm?url';
import { BOOK_TOKENIZATION, chartPoints, decodeText, perplexityChart, TokenStream, type BatchProgress, type EpochStats, type TrainConfig } from '../src/browser.js';
import type { FromWorker, RunInfo, TextChoice, ToWorker } from './protocol.js';
import { FIELD_LABELS, readSettings, renderForm } from './form.js';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
};
renderForm(); // the settings' controls, from the configuration's schema
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (m: ToWorker, transfer: Transferable[] = []): void => worker.postMessage(m, transfer);

const text = $<HTMLTextAreaElement>('text');
const status = $<HTMLSpanElement>('status');
const [trainButton, pauseButton, stopButton] = [$<HTMLButtonElement>('train'), $<HTMLButtonElement>('pause'), $<HTMLButtonElement>('stop')];
const [generateButton, downloadButton] = [$<HTMLButtonElement>('generate'), $<HTMLButtonElement>('download')];
const continueButton = $<HTMLButtonElement>('continue');
const checkpointInput = $<HTMLInputElement>('checkpoint');
const chartDiv = $<HTMLDivElement>('chart');
const [epochBar, runBar] = [$<HTMLProgressElement>('epoch-progress'), $<HTMLProgressElement>('run-progress')];
const timeLeft = $<HTMLSpanElement>('time-left');

let epochs: EpochStats[] = [];
/** Seconds of each epoch of the current run (bench/page-speed.mjs reads them). */
const epochSeconds: number[] = [];
Object.assign(window, { epochSeconds });
let chart: Result | null = null;
let paused = false;
let backend = 'loading';
let runInfo = ''; // the model being trained: 'vocabulary 28, book text, char tokens'
let beforeGenerateError: string | null = null; // the status a generation error replaced, shown again once one succeeds
let training = false;
let run: RunInfo | null = null; // the current model's run, when it can be continued

/** The largest file the page opens (a text or a checkpoint), and the longest wait for a URL's next bytes. */
const MAX_FILE_BYTES = 1024 ** 3;
const URL_IDLE_SECONDS = 30;

const count = (n: number): string => n.toLocaleString('en-US');

/** The page's names of TrainConfig fields and CLI flags (from the schema), and of the generation controls, for the library's messages. */
const LABELS: Record<string, string> = {
  ...FIELD_LABELS, layers: 'layers', lr_schedule: 'schedule',
  sample: 'sample', temperature: 'temperature', beam: 'beam', len: 'length', prefix: 'prefix',
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

const megabytes = (n: number): string => `${(n / 1024 ** 2).toFixed(n < 10 * 1024 ** 2 ? 1 : 0)} MB`;
const tooBig = (name: string, size: number): Error =>
  new Error(`${name} is ${megabytes(size)}, more than the ${megabytes(MAX_FILE_BYTES)} the page opens`);

/** Characters (code points) of a text, and those the book's preprocessing drops, counted as training counts them. */
function countText(s: string): { chars: number; dropped: number } {
  const stream = new TokenStream(BOOK_TOKENIZATION, () => {});
  stream.push(s);
  stream.end();
  return { chars: stream.chars, dropped: stream.dropped };
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

let drawing: Promise<void> = Promise.resolve();
let drawnWidth = 0; // the container width of the last drawing

/** A line of text in place of the chart while there are no epochs: no empty frame. */
function placeholder(): HTMLParagraphElement {
  const p = document.createElement('p');
  p.className = 'placeholder';
  p.textContent = training ? 'the curves appear here after the first epoch' : 'the perplexity curves appear here when training starts';
  return p;
}

/** Redraws the chart from `epochs`; drawings run one after another, so the last one shows the latest epochs. */
function drawChart(): Promise<void> {
  // the numbers first (every digit, for tests that compare the page's numbers with the command line's), then the drawing
  chartDiv.dataset['points'] = String(epochs.length);
  chartDiv.dataset['trainPpl'] = epochs.map((e) => String(e.trainPpl)).join(' ');
  chartDiv.dataset['valPpl'] = epochs.map((e) => String(e.valPpl)).join(' ');
  const shown = [...epochs];
  const curves = [{ name: 'this run', epochs: shown }];
  drawing = drawing.catch(() => {}).then(async () => { // a failed drawing does not stop the next
    if (chart && shown.length > 0 && chartDiv.clientWidth === drawnWidth) {
      // a new epoch: new data in the drawn view (re-embedding the figure cost the page ~70 ms of main thread per epoch)
      await chart.view.data('points', chartPoints(curves)).runAsync();
      chartDiv.dataset['drawn'] = String(shown.length);
      return;
    }
    chart?.finalize();
    chart = null;
    drawnWidth = chartDiv.clientWidth;
    if (shown.length === 0) {
      chartDiv.replaceChildren(placeholder());
    } else {
      // the whole figure (axes and legend too) fits the card's width; on a phone the legend goes below the plot
      const narrow = drawnWidth < 480;
      const spec = {
        ...perplexityChart(curves, { width: Math.max(200, drawnWidth), height: narrow ? 240 : 300 }),
        autosize: { type: 'fit', contains: 'padding' },
        ...(narrow ? { config: { legend: { orient: 'bottom' } } } : {}),
      };
      chart = await embed(chartDiv, spec as never, { actions: false, renderer: 'svg' });
    }
    chartDiv.dataset['drawn'] = String(shown.length); // the epochs the drawing shows
  });
  return drawing;
}

// a new width (a rotated phone, a resized window) redraws the chart, once the resizing settles
let resizeTimer = 0;
new ResizeObserver(() => {
  if (chartDiv.clientWidth === drawnWidth || epochs.length === 0) return;
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => void drawChart(), 150) as unknown as number;
}).observe(chartDiv);

/** A duration as people say it: "40 s", "3 min 20 s", "2 h 5 min". */
function duration(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  const m = Math.round(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** The run's clock, paused time left out: when it started, when the current epoch started, how long the last epoch took. */
const clock = { total: 0, runStart: 0, epochStart: 0, lastEpoch: 0, steps: 0, pausedAt: 0 };

function showProgress(epoch: number, step: number, steps: number): void {
  const part = steps > 0 ? step / steps : 0;
  epochBar.value = part;
  runBar.value = clock.total > 0 ? Math.min(1, (epoch - 1 + part) / clock.total) : 0;
  $('epoch-count').textContent = steps > 0 ? `batch ${step} / ${steps}` : '–';
  $('run-count').textContent = clock.total > 0 ? `epoch ${Math.min(epoch, clock.total)} / ${clock.total}` : '–';
}

/** The time left, from this epoch's rate of batches (and, once one is done, the time a whole epoch with validation takes). */
function estimate(epoch: number, step: number, steps: number): string {
  if (step < 1) return '';
  const perBatch = (performance.now() - clock.epochStart) / step;
  const perEpoch = clock.lastEpoch || perBatch * steps;
  return `about ${duration((steps - step) * perBatch + (clock.total - epoch) * perEpoch)} left`;
}

/**
 * Batch progress is shown at most every BATCH_UPDATE_MS (the latest batch; an epoch's last one always): every update
 * restyles and repaints the page, and on a machine with few cores the page's drawing takes its time from training
 * (in one interleaved run on 2 cores, updating at every batch of the book's run made one-thread training 1.47x
 * Node's time, against 1.28x with no batch updates).
 */
const BATCH_UPDATE_MS = 100;
let pendingBatch: BatchProgress | null = null;
let batchShownAt = -Infinity;
let batchTimer = 0;

/** A batch's progress, shown now or when BATCH_UPDATE_MS have passed since the last. */
function showBatch(p: BatchProgress): void {
  pendingBatch = p;
  const wait = batchShownAt + BATCH_UPDATE_MS - performance.now();
  if (wait <= 0) flushBatch();
  else if (batchTimer === 0) batchTimer = setTimeout(flushBatch, wait) as unknown as number;
}

/** Forgets a batch update waiting to be shown. */
function dropBatch(): void {
  clearTimeout(batchTimer);
  batchTimer = 0;
  pendingBatch = null;
}

/** Shows the latest batch's progress now, if one is waiting. */
function flushBatch(): void {
  const p = pendingBatch;
  dropBatch();
  if (p === null) return;
  batchShownAt = performance.now();
  setStatus(`epoch ${p.epoch}: batch ${p.step}/${p.steps}, train ppl ${p.trainPpl.toFixed(2)}, ` +
    `${Math.round(p.tokensPerSecond).toLocaleString('en-US')} tokens/s${paused ? ' (paused)' : ''}`);
  $('status').dataset['tokensPerSecond'] = String(Math.round(p.tokensPerSecond));
  clock.steps = p.steps;
  showProgress(p.epoch, p.step, p.steps);
  if (!paused) timeLeft.textContent = estimate(p.epoch, p.step, p.steps);
}

function setTraining(on: boolean): void {
  training = on;
  if (!on) clock.pausedAt = 0;
  trainButton.disabled = on;
  pauseButton.disabled = !on;
  stopButton.disabled = !on;
  checkpointInput.disabled = on; // a checkpoint opens between runs
  checkpointInput.closest('label')?.classList.toggle('off', on);
  pauseButton.textContent = 'Pause';
  paused = false;
  runChanged(run);
}

/** Notes the run the current model belongs to: "Continue training" continues it. */
function runChanged(r: RunInfo | null): void {
  run = r;
  continueButton.disabled = training || r === null;
  continueButton.title = r === null ? 'no run to continue: train a model, or open a checkpoint saved with its run'
    : `continues the run (${r.epochsDone} epochs done; ${r.optimizer}) on the text, up to the epochs set in Training`;
  document.body.dataset['epochsDone'] = r === null ? '' : String(r.epochsDone);
}

const runNote = (r: RunInfo): string => `${r.epochsDone} of ${r.epochs} epochs done (${r.optimizer})`;

function number(id: string): number {
  return Number($<HTMLInputElement>(id).value);
}

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  switch (m.type) {
    case 'ready':
      backend = m.backend;
      setStatus(`ready (${m.backend} backend${m.notice ? `: ${m.notice}` : ''})`);
      $('backend').textContent = m.backend === 'wasm' ? 'WebAssembly SIMD' : `${m.backend} backend`;
      document.body.dataset['ready'] = 'true';
      break;
    case 'started': {
      dropBatch(); // nothing of an earlier run
      const note = droppedNote(m);
      runInfo = `vocabulary ${m.vocabSize}, ${tokenization(m)}`;
      epochs = [...m.history];
      void drawChart();
      Object.assign(clock, { total: m.epochs, runStart: performance.now(), epochStart: performance.now(), lastEpoch: 0, steps: 0, pausedAt: 0 });
      showProgress(m.history.length + 1, 0, 0);
      timeLeft.textContent = 'estimating the time left…';
      const continuing = m.history.length > 0 ? `continuing from epoch ${m.history.length} to ${m.epochs}: ` : '';
      setStatus(`${continuing}training on ${count(m.numTokens)} ${m.tokens === 'word' ? 'words' : 'characters'}, vocabulary ${m.vocabSize}, ` +
        `${count(m.numTrain)} windows${m.split === 'full' ? ' per epoch' : ''} (${backend}, ${m.threads} thread${m.threads > 1 ? 's' : ''})` +
        `${m.threadNotice ? `; ${m.threadNotice}` : ''}${note ? `; ${note}` : ''}`);
      document.body.dataset['threads'] = String(m.threads);
      document.body.dataset['threadNotice'] = m.threadNotice ?? '';
      epochSeconds.length = 0;
      $('text-info').textContent = `${tokenization(m)}: ${note || `${count(m.chars)} characters read`}`;
      $('model-info').textContent = runInfo;
      generateButton.disabled = false;
      downloadButton.disabled = false;
      break;
    }
    case 'batch':
      showBatch(m.progress);
      break;
    case 'epoch': {
      flushBatch();
      const now = performance.now();
      [clock.lastEpoch, clock.epochStart] = [now - clock.epochStart, now];
      showProgress(m.stats.epoch, clock.steps, clock.steps);
      epochs.push(m.stats);
      epochSeconds.push(m.stats.seconds);
      $('model-info').textContent = `${runInfo}; epoch ${m.stats.epoch}: train ppl ${m.stats.trainPpl.toFixed(2)}, val ppl ${m.stats.valPpl.toFixed(2)}`;
      void drawChart();
      break;
    }
    case 'done':
      flushBatch();
      run = m.run;
      if (m.reason === 'finished') runBar.value = 1;
      timeLeft.textContent = m.reason === 'finished' ? `took ${duration(performance.now() - clock.runStart)}` : '';
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
      a.download = m.epochsDone === null ? 'rnnlm.safetensors' : `rnnlm-epoch${m.epochsDone}.safetensors`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      break;
    }
    case 'loaded': {
      $('model-info').textContent = `opened ${m.name}: ${m.model}, vocabulary ${m.vocabSize}, ${m.numHiddens} hidden units, ${tokenization(m)}` +
        (m.run ? `; ${runNote(m.run)}: set epochs and continue training` : '; weights only (no run to continue)');
      generateButton.disabled = false;
      downloadButton.disabled = false;
      runChanged(m.run);
      epochs = [...m.history];
      void drawChart();
      if (m.run) {
        // a total to continue to: the run's own when it stopped short of it, else twice the epochs done
        const done = m.run.epochsDone;
        $<HTMLInputElement>('epochs').value = String(m.run.epochs > done ? m.run.epochs : done + Math.max(1, done));
      }
      setStatus(`opened ${m.name}`);
      break;
    }
    case 'error':
      if (m.of !== 'generate') beforeGenerateError = null;
      else if (beforeGenerateError === null) beforeGenerateError = status.textContent ?? '';
      setStatus(`error: ${inPageWords(m.message)}`);
      if (m.of === 'train' || m.of === 'continue') {
        dropBatch(); // a waiting batch update must not cover the error
        setTraining(false);
        timeLeft.textContent = '';
      }
      if (m.of === 'generate') $('output').dataset['done'] = 'error';
      break;
  }
};

/** A URL's body, refused above MAX_FILE_BYTES, and given up when no byte comes for URL_IDLE_SECONDS. */
async function download(url: string): Promise<ArrayBuffer> {
  const abort = new AbortController();
  let timer = 0;
  const idle = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => abort.abort(), URL_IDLE_SECONDS * 1000) as unknown as number;
  };
  try {
    idle();
    let res: Response;
    try {
      res = await fetch(url, { signal: abort.signal });
    } catch (e) {
      throw new Error(abort.signal.aborted ? `no answer in ${URL_IDLE_SECONDS} s` : `the request failed (${(e as Error).message})`);
    }
    if (!res.ok) throw new Error(`the server answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    const stated = Number(res.headers.get('content-length') ?? NaN);
    if (stated > MAX_FILE_BYTES) throw tooBig('the page at this URL', stated);
    if (!res.body) return await res.arrayBuffer();
    const reader = res.body.getReader();
    const parts: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      idle();
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch {
        throw new Error(abort.signal.aborted ? `no data for ${URL_IDLE_SECONDS} s` : 'the download broke off');
      }
      if (chunk.done) break;
      size += chunk.value.length;
      if (size > MAX_FILE_BYTES) {
        void reader.cancel();
        throw tooBig('the page at this URL', size);
      }
      parts.push(chunk.value);
    }
    const all = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return all.buffer;
  } finally {
    clearTimeout(timer);
  }
}

$('load-url').addEventListener('click', async () => {
  const url = $<HTMLInputElement>('url').value;
  setStatus(`loading ${url}...`);
  try {
    text.value = readText(await download(url), 'the page at this URL');
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
    if (file.size > MAX_FILE_BYTES) throw tooBig(file.name, file.size);
    text.value = readText(await file.arrayBuffer(), file.name);
    describeText();
    setStatus(`opened ${file.name}`);
  } catch (err) {
    setStatus(inPageWords((err as Error).message));
  }
});
text.addEventListener('input', describeText);
$('textMode').addEventListener('change', describeText);

/** Turns a control and its label on or off, saying why in its title when off (and its hint again when on). */
function enable(id: string, on: boolean, why: string): void {
  const input = $<HTMLInputElement>(id);
  input.disabled = !on;
  const label = input.closest('label');
  label?.classList.toggle('off', !on);
  for (const el of [input, label]) {
    if (!el) continue;
    el.dataset['hint'] ??= el.title;
    el.title = on ? el.dataset['hint'] : why;
  }
}

const split = $<HTMLSelectElement>('split');
function splitChanged(): void {
  const why = 'not used with the full split: it trains on the first 90% of the text and validates on the rest';
  for (const id of ['numTrain', 'numVal']) enable(id, split.value !== 'full', why);
}
split.addEventListener('change', splitChanged);
splitChanged();

const [cellSelect, concise] = [$<HTMLSelectElement>('cell'), $<HTMLInputElement>('concise')];
/** Activation is the RNN cell's; dropout acts between concise layers. */
function modelChanged(): void {
  enable('activation', cellSelect.value === 'rnn', 'GRU and LSTM cells have their own gates: the activation is for RNN cells');
  enable('dropout', concise.checked && number('numLayers') > 1, 'dropout acts between concise layers: check concise layers and choose 2 layers or more');
}
cellSelect.addEventListener('change', modelChanged);
concise.addEventListener('change', modelChanged);
$('numLayers').addEventListener('input', modelChanged);
modelChanged();

// every text, model and training choice back to the value the page opened with: the book's
$('defaults').addEventListener('click', () => {
  for (const el of Array.from(document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('.settings .fields :is(input, select)'))) {
    if (el instanceof HTMLSelectElement) el.value = Array.from(el.options).find((o) => o.defaultSelected)?.value ?? el.options[0]?.value ?? '';
    else if (el.type === 'checkbox') el.checked = el.defaultChecked;
    else el.value = el.defaultValue;
  }
  splitChanged();
  modelChanged();
  describeText();
  lastOptimizer = optimizerChoice();
});

trainButton.addEventListener('click', () => {
  if (!text.value.trim()) return setStatus('choose a text first');
  let config: Partial<TrainConfig>;
  try {
    config = readSettings();
  } catch (e) {
    return setStatus(`error: ${(e as Error).message}`);
  }
  epochs = [];
  void drawChart();
  setTraining(true);
  send({ type: 'train', text: text.value, config });
});
continueButton.addEventListener('click', () => {
  if (!text.value.trim()) return setStatus('choose a text first: the run continues on the text above (the one it trained on, to continue it exactly)');
  setTraining(true);
  send({ type: 'continue', text: text.value, epochs: number('epochs') });
});
const optimizerSelect = $<HTMLSelectElement>('optimizer');
function optimizerChoice(): TrainConfig['optimizer'] {
  const v = optimizerSelect.value;
  return v === 'momentum' || v === 'adam' || v === 'rmsprop' ? v : 'sgd';
}
/** A learning rate that suits each optimizer: the book's 1 for SGD; adaptive ones take far smaller steps. */
const SUGGESTED_LR: Record<TrainConfig['optimizer'], number> = { sgd: 1, momentum: 0.1, adam: 0.01, rmsprop: 0.01 };
let lastOptimizer = optimizerChoice();
optimizerSelect.addEventListener('change', () => {
  const lr = $<HTMLInputElement>('lr');
  if (Number(lr.value) === SUGGESTED_LR[lastOptimizer]) lr.value = String(SUGGESTED_LR[optimizerChoice()]);
  lastOptimizer = optimizerChoice();
});

pauseButton.addEventListener('click', () => {
  paused = !paused;
  send({ type: paused ? 'pause' : 'resume' });
  pauseButton.textContent = paused ? 'Resume' : 'Pause';
  if (paused) setStatus(`${status.textContent ?? ''} (paused)`);
  // paused time is not training time: the clock (and so the time left) skips it
  if (paused) {
    clock.pausedAt = performance.now();
    timeLeft.textContent = 'paused';
  } else if (clock.pausedAt) {
    const away = performance.now() - clock.pausedAt;
    [clock.runStart, clock.epochStart, clock.pausedAt] = [clock.runStart + away, clock.epochStart + away, 0];
  }
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
checkpointInput.addEventListener('change', async () => {
  const file = checkpointInput.files?.[0];
  if (!file) return;
  checkpointInput.value = ''; // the same file can be opened again
  try {
    if (file.size > MAX_FILE_BYTES) throw tooBig(file.name, file.size);
    const bytes = await file.arrayBuffer();
    send({ type: 'load', bytes, name: file.name }, [bytes]);
  } catch (err) {
    setStatus(`error: ${inPageWords((err as Error).message)}`);
  }
});

void drawChart();
send({ type: 'init', wasmUrl });
