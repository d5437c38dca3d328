// The page's training thread (a Web Worker): the same library as the CLI, on the WebAssembly SIMD backend.
// It trains between messages (yielding after every batch, so pause, stop and generate are handled mid-epoch),
// generates text, and writes and reads the CLI's checkpoint files.
import {
  createModel, decodeCheckpoint, encodeCheckpoint, loadWasmBackend, makePicker, preprocess, Rng, setBackend, TimeMachine,
  localGradients, Trainer, TrainingDiverged, TrainingInterrupted, validateConfig, modelLabel, BOOK_CONFIG, type RNNLMScratch, type TrainConfig, type Vocab,
} from '../src/browser.js';
import type { FromWorker, ToWorker } from './protocol.js';

const post = (m: FromWorker, transfer: Transferable[] = []): void => (self as unknown as Worker).postMessage(m, transfer);

let model: RNNLMScratch | null = null;
let vocab: Vocab | null = null;
let config: TrainConfig = BOOK_CONFIG;
let stopper: AbortController | null = null;
let paused = false;
let resume: (() => void) | null = null;

/** Lets queued messages run, and waits while paused. */
async function breathe(): Promise<void> {
  await new Promise((r) => setTimeout(r, 0));
  while (paused) await new Promise<void>((r) => (resume = r));
}

async function train(text: string, requested: Partial<TrainConfig>): Promise<void> {
  config = validateConfig({ ...BOOK_CONFIG, ...requested });
  const data = new TimeMachine(text, config);
  const rng = new Rng(config.seed);
  model = createModel(config, data.vocab.length, rng);
  vocab = data.vocab;
  post({ type: 'started', chars: data.corpus.length, vocabSize: data.vocab.length, numTrain: data.numTrain, numVal: data.numVal });
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
    case 'generate': {
      if (!model || !vocab) throw new Error('no model yet: train one or open a checkpoint');
      const prefix = preprocess(m.prefix);
      if (![...prefix].some((c) => vocab!.has(c))) throw new Error(`the prefix '${m.prefix}' has no character the model knows`);
      const pick = makePicker(m.sample ? { sample: true, temperature: m.temperature, seed: m.seed } : {});
      post({ type: 'generated', text: model.predict(prefix, m.len, vocab, pick) });
      return;
    }
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
      post({ type: 'loaded', name: m.name, vocabSize: cp.vocab.length, numHiddens: cp.config.numHiddens, model: modelLabel(cp.config) });
      return;
    }
  }
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  handle(e.data).catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
};
