// The page: choose a text, set the book's hyperparameters, train in a Web Worker while the perplexity chart and
// tokens per second update live, generate at any time, and move checkpoints between the page and the CLI.
// The text is read as the book does (letters only, lower case) or raw (every character), as characters or words.
// Messages are in the page's own words: the library's are mapped to the page's controls, never to CLI flags.
// A run (trained here, or opened from a checkpoint that holds one) continues exactly where it stopped: "Continue
// training" trains it on the current text up to the epochs set, and the chart shows its earlier epochs first.
// This file creates the worker, holds the Train card's buttons and hands the worker's messages to the views:
// form.ts (the settings' controls), settings-view.ts (their interplay), text-source.ts (the text), chart-view.ts and
// progress-view.ts (the run), samples-view.ts (a sample after each epoch), generation-view.ts (Generate),
// probability-view.ts (the next token's chances after the prefix), storage.ts (checkpoint files) and
// saved-models-view.ts (models saved in the browser, read after the first paint); state.ts is what they share.
// The page opens ready to generate, offline: The Time Machine in the text area (presets.ts) and the model shipped with
// the page (shipped-model.ts), both fetched from the page's own origin after the first paint; body[data-ready] is set
// once the kernels, the text and the model are all in (or the model failed: the page then trains without it).
// Errors show beside the control that caused them (errors.ts) as well as in the status line, a live region.
import wasmUrl from '../dist/wasm/kernels.wasm?url';
import sharedWasmUrl from '../dist/wasm/kernels-shared.wasm?url';
import type { TrainConfig } from '../src/browser.js';
import type { FromWorker, RunInfo, ToWorker } from './protocol.js';
import { readSettings, renderForm } from './form.js';
import { $, count, number } from './dom.js';
import { inPageWords, setStatus, statusText } from './messages.js';
import { state } from './state.js';
import { addEpoch, setupChart, showEpochs } from './chart-view.js';
import { epochDone, forgetPause, pauseClock, runDone, runFailed, showBatch, startClock } from './progress-view.js';
import { currentText, droppedNote, openPreset, setupTextSource, tokenization } from './text-source.js';
import { followCheckpoint, setupSettings, unlockSettings } from './settings-view.js';
import { addSample, clearSamples } from './samples-view.js';
import { generationDone, noteError, setupGeneration, showGenerated } from './generation-view.js';
import { modelChanged, setupProbabilityView, showNextTokens } from './probability-view.js';
import { allowOpening, saveCheckpoint, setupStorage } from './storage.js';
import { allowOpeningSaved, savedRequestFailed, setupSavedModels, storeCheckpoint, takeOpened, textNote } from './saved-models-view.js';
import type { TextNote } from './model-store.js';
import { clearError, showError, showRequestError } from './errors.js';
import { openShippedModel } from './shipped-model.js';

renderForm(); // the settings' controls, from the configuration's schema (the views below wire them)
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
let userOpened = false; // a model was sent to be opened by the visitor: the shipped one no longer replaces it
const send = (m: ToWorker, transfer: Transferable[] = []): void => {
  if (m.type === 'load' && m.source !== 'shipped') userOpened = true;
  worker.postMessage(m, transfer);
};

const [trainButton, pauseButton, stopButton] = [$<HTMLButtonElement>('train'), $<HTMLButtonElement>('pause'), $<HTMLButtonElement>('stop')];
const continueButton = $<HTMLButtonElement>('continue');

let backend = 'loading';
let backendNote = ''; // 'wasm backend', as the ready status says it
let kernelsReady: () => void = () => {};
const kernels = new Promise<void>((resolve) => (kernelsReady = resolve));
let shipped: 'waiting' | 'loaded' | 'failed' = 'waiting'; // the model shipped with the page
let shippedSettled: () => void = () => {};
const shippedAnswer = new Promise<void>((resolve) => (shippedSettled = resolve)); // the worker opened it, or failed to
let hasModel = false; // a model is open (shipped, trained or opened): the shipped one no longer replaces it
let runInfo = ''; // the model being trained: 'vocabulary 28, book text, char tokens'
let askedText: TextNote | null = null; // the text of the last Train or Continue, the model's once it starts

function setTraining(on: boolean): void {
  state.training = on;
  if (!on) forgetPause();
  trainButton.disabled = on;
  pauseButton.disabled = !on;
  stopButton.disabled = !on;
  allowOpening(!on); // a checkpoint opens between runs, and so does a saved model
  allowOpeningSaved(!on);
  pauseButton.textContent = 'Pause';
  state.paused = false;
  runChanged(state.run);
}

/** Notes the run the current model belongs to: "Continue training" continues it. */
function runChanged(r: RunInfo | null): void {
  state.run = r;
  continueButton.disabled = state.training || r === null;
  continueButton.title = r === null ? 'no run to continue: train a model, or open a checkpoint saved with its run'
    : `continues the run (${r.epochsDone} epochs done; ${r.optimizer}) on the text, up to the epochs set in Training`;
  document.body.dataset['epochsDone'] = r === null ? '' : String(r.epochsDone);
}

const runNote = (r: RunInfo): string => `${r.epochsDone} of ${r.epochs} epochs done (${r.optimizer})`;

/** There is a model: it can generate, be downloaded and be saved in the browser. */
function modelReady(): void {
  hasModel = true;
  for (const id of ['generate', 'download', 'save']) $<HTMLButtonElement>(id).disabled = false;
  modelChanged();
}

/** The kernels, the text and the shipped model are in (or the model failed): the page is ready, and says with what. */
function pageReady(text: Promise<void>, model: Promise<true | string>): void {
  void (async () => {
    const [, , sent] = await Promise.all([kernels, text, model]);
    if (sent === true) await shippedAnswer;
    else shipped = 'failed';
    if (!state.training && (shipped === 'loaded' || !hasModel)) {
      setStatus(`ready (${backendNote})` + (shipped === 'loaded' ? ': a GRU trained on The Time Machine is loaded; generate from it, or train your own'
        : `; the ready-trained model did not open${typeof sent === 'string' ? ` (${inPageWords(sent)})` : ''}: train a model or open a checkpoint`));
    }
    document.body.dataset['model'] = shipped === 'loaded' ? 'shipped' : 'none';
    document.body.dataset['ready'] = 'true';
  })();
}

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  switch (m.type) {
    case 'ready':
      backend = m.backend;
      backendNote = `${m.backend} backend${m.notice ? `: ${m.notice}` : ''}`;
      setStatus(`ready (${backendNote}); opening the ready-trained model…`);
      $('backend').textContent = m.backend === 'wasm' ? 'WebAssembly SIMD' : `${m.backend} backend`;
      kernelsReady();
      break;
    case 'started': {
      const note = droppedNote(m);
      runInfo = `vocabulary ${m.vocabSize}, ${tokenization(m)}`;
      clearError('train');
      if (m.history.length === 0) unlockSettings(); // a new model: the settings an opened run locked are now this run's
      showEpochs(m.history);
      clearSamples();
      startClock(m.epochs, m.history.length);
      const continuing = m.history.length > 0 ? `continuing from epoch ${m.history.length} to ${m.epochs}: ` : '';
      setStatus(`${continuing}training on ${count(m.numTokens)} ${m.tokens === 'word' ? 'words' : 'characters'}, vocabulary ${m.vocabSize}, ` +
        `${count(m.numTrain)} windows${m.split === 'full' ? ' per epoch' : ''} (${backend}, ${m.threads} thread${m.threads > 1 ? 's' : ''})` +
        `${m.threadNotice ? `; ${m.threadNotice}` : ''}${note ? `; ${note}` : ''}`);
      document.body.dataset['threads'] = String(m.threads);
      document.body.dataset['threadNotice'] = m.threadNotice ?? '';
      $('text-info').textContent = `${tokenization(m)}: ${note || `${count(m.chars)} characters read`}`;
      $('model-info').textContent = runInfo;
      state.modelText = askedText;
      modelReady();
      break;
    }
    case 'batch':
      showBatch(m.progress);
      break;
    case 'epoch':
      epochDone(m.stats);
      $('model-info').textContent = `${runInfo}; epoch ${m.stats.epoch}: train ppl ${m.stats.trainPpl.toFixed(2)}, val ppl ${m.stats.valPpl.toFixed(2)}`;
      addEpoch(m.stats);
      addSample(m.stats.epoch, m.sample);
      modelChanged();
      break;
    case 'done':
      runDone(m.reason === 'finished');
      state.run = m.run;
      setTraining(false);
      setStatus(m.reason === 'finished' ? `finished ${state.epochs.length} epochs` : `${m.reason}: ${inPageWords(m.message ?? '')}`);
      if (m.reason === 'diverged') showError('train', `${m.reason}: ${inPageWords(m.message ?? '')}`);
      document.body.dataset['trained'] = String(state.epochs.length);
      break;
    case 'generated':
      showGenerated(m);
      break;
    case 'generation-done':
      generationDone(m);
      break;
    case 'next-tokens':
      showNextTokens(m);
      break;
    case 'checkpoint':
      if (m.purpose === 'store') {
        void storeCheckpoint(m);
      } else {
        clearError('checkpoint');
        saveCheckpoint(m);
      }
      break;
    case 'loaded': {
      if (m.source === 'shipped') {
        shipped = 'loaded';
        shippedSettled();
        state.modelText = { source: "The Time Machine (the page's ready-trained model)", excerpt: '', chars: null };
      } else {
        clearError('checkpoint');
        // the form shows its settings (the shipped model leaves the book's); not when a run started since it was sent
        if (!state.training) followCheckpoint(m.config, m.name, m.run !== null);
        // a model saved in the browser brings its text; a file does not say which text it trained on
        state.modelText = (m.source === 'saved' ? takeOpened() : null) ?? { source: `not known (opened from ${m.name})`, excerpt: '', chars: null };
      }
      $('model-info').textContent = `opened ${m.name}: ${m.model}, vocabulary ${m.vocabSize}, ${m.numHiddens} hidden units, ${tokenization(m)}` +
        (m.run ? `; ${runNote(m.run)}: set epochs and continue training` : '; weights only (no run to continue)');
      modelReady();
      runChanged(m.run);
      showEpochs(m.history);
      clearSamples();
      if (m.run && !state.training) {
        // a total to continue to: the run's own when it stopped short of it, else twice the epochs done
        const done = m.run.epochsDone;
        $<HTMLInputElement>('epochs').value = String(m.run.epochs > done ? m.run.epochs : done + Math.max(1, done));
      }
      if (m.source !== 'shipped') setStatus(`opened ${m.name}`);
      break;
    }
    case 'error':
      if (m.of === 'load' && m.source === 'shipped') { // the shipped model did not open: the page says so once ready
        shipped = 'failed';
        shippedSettled();
        break;
      }
      if (!noteError(m.of, m.id)) break; // an older generation's, which a newer one replaced
      setStatus(`error: ${inPageWords(m.message)}`);
      if (!savedRequestFailed(m, `error: ${inPageWords(m.message)}`)) showRequestError(m.of, `error: ${inPageWords(m.message)}`);
      if (m.of === 'train' || m.of === 'continue') {
        runFailed();
        setTraining(false);
      }
      break;
  }
};

/** The text each epoch's sample continues: the Generate card's prefix. */
const samplePrefix = (): string => $<HTMLInputElement>('prefix').value;

/** An error of the Train card's own checks: beside its buttons and in the status line. */
function trainError(message: string): void {
  showError('train', message);
  setStatus(message);
}

trainButton.addEventListener('click', () => {
  if (!currentText().trim()) return trainError('choose a text first');
  let config: Partial<TrainConfig>;
  try {
    config = readSettings();
  } catch (e) {
    return trainError(`error: ${(e as Error).message}`);
  }
  showEpochs([]);
  setTraining(true);
  askedText = textNote();
  send({ type: 'train', text: currentText(), config, samplePrefix: samplePrefix() });
});
continueButton.addEventListener('click', () => {
  if (!currentText().trim()) return trainError('choose a text first: the run continues on the text above (the one it trained on, to continue it exactly)');
  setTraining(true);
  askedText = textNote();
  send({ type: 'continue', text: currentText(), epochs: number('epochs'), samplePrefix: samplePrefix() });
});
pauseButton.addEventListener('click', () => {
  state.paused = !state.paused;
  send({ type: state.paused ? 'pause' : 'resume' });
  pauseButton.textContent = state.paused ? 'Resume' : 'Pause';
  if (state.paused) setStatus(`${statusText()} (paused)`);
  pauseClock(state.paused); // paused time is not training time: the clock (and so the time left) skips it
});
stopButton.addEventListener('click', () => send({ type: 'stop' }));

setupTextSource();
setupSettings();
setupGeneration(send);
setupProbabilityView(send);
setupStorage(send);
setupSavedModels(send);
setupChart();
send({ type: 'init', wasmUrl, sharedWasmUrl });
pageReady(openPreset('timemachine', true), openShippedModel(send, kernels, () => !hasModel && !userOpened && !state.training));
