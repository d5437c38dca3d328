// The page's training thread (a Web Worker): the same library as the CLI, on the WebAssembly SIMD backend.
// It trains between messages (yielding after every batch, so pause, stop and generate are handled mid-epoch),
// generates text (streamed to the page as it is produced; the prefix is read as the model's text was), and writes
// and reads the CLI's checkpoint files.
import {
  corpusOptions, createModel, decodeCheckpoint, encodeCheckpoint, generateText, loadWasmBackend, Rng, setBackend, TimeMachine,
  localGradients, Trainer, TrainingDiverged, TrainingInterrupted, validateConfig, modelLabel, BOOK_CONFIG,
  type GenerateOptions, type RNNLMScratch, type TrainConfig, type Vocab,
} from '../src/browser.js';
import type { FromWorker, ToWorker } from './protocol.js';

const post = (m: FromWorker, transfer: Transferable[] = []): void => (self as unknown as Worker).postMessage(m, transfer);

let model: RNNLMScratch | null = null;
let vocab: Vocab | null = null;
let config: TrainConfig = BOOK_CONFIG;
let stopper: AbortController | null = null;
let paused = false;
let resume: (() => void) | null = null;
let generation = 0; // the latest generate request; an older one still streaming stops

/** Lets queued messages run, and waits while paused. */
async function breathe(): Promise<void> {
  await new Promise((r) => setTimeout(r, 0));
  while (paused) await new Promise<void>((r) => (resume = r));
}

async function train(text: string, requested: Partial<TrainConfig>): Promise<void> {
  // the current model (and its configuration) stays until the new one is built: a bad choice keeps it usable
  const c = validateConfig({ ...BOOK_CONFIG, ...requested });
  const data = new TimeMachine(text, { ...c, ...corpusOptions(c) });
  const rng = new Rng(c.seed);
  model = createModel(c, data.vocab.length, rng);
  vocab = data.vocab;
  config = c;
  post({
    type: 'started', numTokens: data.corpus.length, vocabSize: data.vocab.length, numTrain: data.numTrain, numVal: data.numVal, split: c.split,
    text: c.text, tokens: c.tokens, chars: data.chars, dropped: data.dropped,
  });
  stopper = new AbortController();
  const trainer = new Trainer({
    maxEpochs: config.epochs,
    gradientClipVal: config.clip,
    rng,
    signal: stopper.signal,
    onBatch: (progress) => post({ type: 'batch', progress }),
    onEpoch: (stats) => post({ type: 'epoch', stats }),
    computeGradients: async (m, batch) => {
      await breathe();
      return localGradients(m, batch);
    },
  });
  try {
    await trainer.fit(model, data);
    post({ type: 'done', reason: 'finished' });
  } catch (e) {
    if (e instanceof TrainingInterrupted) post({ type: 'done', reason: 'stopped', message: e.message });
    else if (e instanceof TrainingDiverged) post({ type: 'done', reason: 'diverged', message: e.message });
    else throw e;
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
  for await (const piece of generateText(model, vocab, m.prefix, options)) {
    if (id !== generation) return; // a newer request replaced this one
    pending += piece;
    if (Date.now() - last > 100) flush(false);
  }
  flush(true);
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'init': {
      const bytes = new Uint8Array(await (await fetch(m.wasmUrl)).arrayBuffer());
      const wasm = await loadWasmBackend(bytes);
      if (typeof wasm === 'string') {
        post({ type: 'ready', backend: 'reference', notice: wasm });
      } else {
        setBackend(wasm);
        post({ type: 'ready', backend: wasm.name });
      }
      return;
    }
    case 'train':
      return train(m.text, m.config);
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
      if (!model || !vocab) throw new Error('no model yet');
      const bytes = encodeCheckpoint({ model, vocab, config });
      post({ type: 'checkpoint', bytes }, [bytes.buffer]);
      return;
    }
    case 'load': {
      const cp = decodeCheckpoint(new Uint8Array(m.bytes), m.name);
      model = cp.model;
      vocab = cp.vocab;
      config = cp.config;
      post({
        type: 'loaded', name: m.name, vocabSize: cp.vocab.length, numHiddens: cp.config.numHiddens, model: modelLabel(cp.config),
        text: cp.config.text, tokens: cp.config.tokens,
      });
      return;
    }
  }
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  handle(e.data).catch((err: unknown) => post({ type: 'error', of: e.data.type, message: err instanceof Error ? err.message : String(err) }));
};
