// The page's training thread (a Web Worker): the same library as the CLI, on the WebAssembly SIMD backend.
// It trains between messages (yielding after every batch, so pause, stop and generate are handled mid-epoch),
// generates text (streamed to the page as it is produced; the prefix is read as the model's text was), and writes
// and reads the CLI's checkpoint files. A run keeps, after every epoch, what continuing it exactly needs (weights,
// optimizer buffers, random generator, epoch and step counts, curves), through the same trainRun as `rnnlm train` (src/train/run/run.ts);
// downloaded checkpoints carry it, so a run continues in the page or with `rnnlm train --resume`.
import {
  decodeCheckpoint, DifferentText, encodeCheckpoint, encodeRun, ForwardNet, generateText, getBackend, loadWasmBackend, parameterCount, runOf, setBackend, nextTask,
  trainRun, TrainingDiverged, TrainingInterrupted, validateConfig, modelLabel, BOOK_CONFIG,
  type EpochStats, type GenerateOptions, type RNNLMScratch, type RunState, type TrainConfig, type Vocab,
} from '../src/browser.js';
import type { FromWorker, ModelMetrics, RunInfo, ToWorker } from './protocol.js';
import { startWebDataParallel, threadCount, threadsUnavailable } from './parallel.js';

const post = (m: FromWorker, transfer: Transferable[] = []): void => (self as unknown as Worker).postMessage(m, transfer);

let model: RNNLMScratch | null = null;
let vocab: Vocab | null = null;
let config: TrainConfig = BOOK_CONFIG;
/** The run of the current model; null for a model opened without its run (or no model). */
let run: RunState | null = null;
let stopper: AbortController | null = null; // set while a run trains
let paused = false;
let resume: (() => void) | null = null;
let generation = 0; // the latest generate request; an older one still streaming stops
let kernels: Uint8Array<ArrayBuffer> | null = null; // the WebAssembly kernels' bytes, for the training threads

/** Lets queued messages run, and waits while paused. */
async function breathe(): Promise<void> {
  await nextTask();
  while (paused) await new Promise<void>((r) => (resume = r));
}

function runInfo(): RunInfo | null {
  if (!run) return null;
  const c = run.config;
  return {
    epochsDone: run.training.epoch, epochs: c.epochs,
    optimizer: `${c.optimizer}, learning rate ${c.lr}${c.lrSchedule === 'constant' ? '' : `, ${c.lrSchedule} schedule`}`,
  };
}

/** Curves read from a file: JSON has no NaN (a run without validation windows), so null stands for it. */
function curvesFromFile(history: EpochStats[]): EpochStats[] {
  return history.map((e) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v === null ? NaN : v])) as unknown as EpochStats);
}

/**
 * Trains a new model (`requested`: the page's settings), or continues the current model's run up to `epochs` in all,
 * exactly as the uninterrupted run would have gone: the library's one trainRun, as the command line's, with the
 * page's Web Workers as its threads and a pause between steps. A run continues only on the text it trained on.
 */
async function train(text: string, requested: Partial<TrainConfig> | null, epochs = 0): Promise<void> {
  if (stopper) throw new Error('a run is training: stop it first');
  const from = requested ? null : run;
  let c: TrainConfig;
  if (requested) {
    c = validateConfig({ ...BOOK_CONFIG, ...requested });
  } else {
    if (!from) {
      throw new Error(model ? 'this model was saved without its run (weights only), so it cannot be continued: train a new model'
        : 'no run to continue: train a model, or open a checkpoint the page or the command line saved');
    }
    const done = from.training.epoch;
    if (!Number.isInteger(epochs) || epochs <= done) throw new Error(`the run has ${done} epochs done: set epochs above ${done} to continue it`);
    c = validateConfig({ ...from.config, epochs });
  }
  // one thread per core (at most 4, as the CLI) when the page may share memory; sequential streams carry one state
  const threads = kernels && c.partition === 'random' ? threadCount() : 1;
  const notice = threadsUnavailable();
  stopper = new AbortController();
  try {
    await trainRun(c, text, {
      ...(from ? { from: { ...from, config: c } } : {}),
      threads,
      parallel: (n, init) => startWebDataParallel(n, init, kernels!, parameterCount(init.config, init.vocabSize)),
      signal: stopper.signal,
      beforeStep: breathe,
      onStart: ({ model: m, data, state }) => {
        [model, vocab, config, run] = [m, data.vocab, c, state];
        post({
          type: 'started', numTokens: data.corpus.length, vocabSize: data.vocab.length, numTrain: data.numTrain, numVal: data.numVal, split: c.split,
          text: c.text, tokens: c.tokens, chars: data.chars, dropped: data.dropped, history: from ? from.training.history : [], epochs: c.epochs, threads,
          ...(threads === 1 && notice !== null ? { threadNotice: notice } : {}),
        });
      },
      onBatch: (progress) => post({ type: 'batch', progress }),
      onEpoch: (stats, state) => {
        run = state;
        post({ type: 'epoch', stats });
      },
    });
    post({ type: 'done', reason: 'finished', run: runInfo() });
  } catch (e) {
    if (e instanceof DifferentText) { // refused before anything changed: the current model and its run stay
      throw new Error('this run trained on another text: to continue it, open or paste the text it trained on (the same characters, line ends aside); ' +
        'or train a new model on this one');
    }
    if (!(e instanceof TrainingInterrupted || e instanceof TrainingDiverged) || !model) throw e;
    // as the command line keeps the last completed epoch: the model goes back to it, and the run continues from there
    const done = run?.training.epoch ?? 0;
    if (run) model.params.values.set(run.values);
    const kept = `the model is as ${done > 0 ? `after epoch ${done}` : 'before training'}`;
    post({ type: 'done', reason: e instanceof TrainingInterrupted ? 'stopped' : 'diverged', message: `${e.message}; ${kept}`, run: runInfo() });
  } finally {
    stopper = null;
  }
}

/** Generates text with the library's decoding (greedy, sampled or beam search; never <unk>), posting it as it comes. */
async function generate(m: Extract<ToWorker, { type: 'generate' }>): Promise<void> {
  if (!model || !vocab) throw new Error('no model yet: train one or open a checkpoint');
  if (!Number.isInteger(m.len) || m.len < 1) throw new Error(`the number of tokens to generate must be a whole number of at least 1, got ${m.len}`);
  if (!Number.isInteger(m.beam) || m.beam < 0) throw new Error(`the beam must be 0 (off) or a whole number of hypotheses, got ${m.beam}`);
  if (m.beam > 0 && m.sample) throw new Error('choose sampling or beam search, not both');
  const options: GenerateOptions = m.beam > 0 ? { numPreds: m.len, beam: m.beam }
    : m.sample ? { numPreds: m.len, sample: true, temperature: m.temperature, seed: m.seed } : { numPreds: m.len };
  const id = ++generation;
  let pending = '';
  let first = true;
  let last = Date.now();
  const flush = (done: boolean): void => {
    post({ type: 'generated', text: pending, first, done });
    [pending, first, last] = ['', false, Date.now()];
  };
  // the forward pass alone, on the weights as they are now (training may go on meanwhile), laid out for the kernels
  // once and pinned in their memory: the model classes' step builds its operands from the parameters at every token
  const weights = new Map(model.params.entries.map(([name, t]) => [name, t.data as Float32Array]));
  const net = new ForwardNet(config, vocab.length, weights, getBackend());
  for await (const piece of generateText(net, vocab, m.prefix, options)) {
    if (id !== generation) return; // a newer request replaced this one
    pending += piece;
    if (Date.now() - last > 100) flush(false);
  }
  flush(true);
}

/** The current model as a checkpoint file: with its run as of the last completed epoch (weights then, not mid-epoch). */
function checkpoint(): Uint8Array {
  if (!model || !vocab) throw new Error('no model yet: train one or open a checkpoint');
  // with its run: the weights of the run's last completed epoch (while training, the live ones are mid-epoch)
  return run ? encodeRun(run) : encodeCheckpoint({ model, vocab, config });
}

/** The current model, as the list of saved models describes it: 'gru, 32 hidden units, vocabulary 28, book text, char tokens'. */
function describeModel(): string {
  return `${modelLabel(config)}, ${config.numHiddens} hidden units, vocabulary ${vocab?.length ?? 0}, ${config.text} text, ${config.tokens} tokens`;
}

/** The run a checkpoint holds (as of its last completed epoch): epochs done and that epoch's perplexities; null with no run. */
function metrics(): ModelMetrics | null {
  if (!run) return null;
  const done = run.training.epoch;
  const last = run.training.history.at(-1);
  const finite = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);
  return last && last.epoch === done ? { epochs: done, trainPpl: finite(last.trainPpl), valPpl: finite(last.valPpl) }
    : { epochs: done, trainPpl: null, valPpl: null };
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'init': {
      const bytes = new Uint8Array(await (await fetch(m.wasmUrl)).arrayBuffer());
      const wasm = await loadWasmBackend(bytes);
      if (typeof wasm === 'string') {
        post({ type: 'ready', backend: 'reference', notice: wasm });
      } else {
        kernels = bytes;
        setBackend(wasm);
        post({ type: 'ready', backend: wasm.name });
      }
      return;
    }
    case 'train':
      return train(m.text, m.config);
    case 'continue':
      return train(m.text, null, m.epochs);
    case 'pause':
      paused = true;
      return;
    case 'resume':
      paused = false;
      resume?.();
      return;
    case 'stop':
      stopper?.abort();
      paused = false;
      resume?.();
      return;
    case 'generate':
      return generate(m);
    case 'download': {
      const bytes = checkpoint();
      post({ type: 'checkpoint', purpose: m.purpose, bytes, model: describeModel(), label: `${modelLabel(config)}, ${config.numHiddens} hidden units`, metrics: metrics() }, [bytes.buffer]);
      return;
    }
    case 'load': {
      if (stopper) throw new Error('a run is training: stop it before opening a checkpoint');
      const cp = decodeCheckpoint(new Uint8Array(m.bytes), m.name); // checks everything before anything is allocated
      model = cp.model;
      vocab = cp.vocab;
      config = cp.config;
      const opened = runOf(cp);
      run = opened ? { ...opened, training: { ...opened.training, history: curvesFromFile(opened.training.history) } } : null;
      post({
        type: 'loaded', name: m.name, vocabSize: cp.vocab.length, numHiddens: cp.config.numHiddens, model: modelLabel(cp.config),
        text: cp.config.text, tokens: cp.config.tokens, run: runInfo(), history: run?.training.history ?? [],
      });
      return;
    }
  }
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  handle(e.data).catch((err: unknown) => post({ type: 'error', of: e.data.type, message: err instanceof Error ? err.message : String(err) }));
};
