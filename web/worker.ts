// The page's training thread (a Web Worker): the same library as the CLI, on the WebAssembly SIMD backend (its kernels
// split over the page's kernel threads when it may share memory: web/parallel.ts).
// It trains between messages (yielding after every batch, so pause, stop and generate are handled mid-epoch),
// generates text under the Generate card's options (streamed to the page as it is produced; the prefix is read as the
// model's text was; Stop ends it), gives the most likely next tokens after a prefix (the probability view), and writes
// and reads the CLI's checkpoint files. A run keeps, after every epoch, what continuing it exactly needs (weights,
// optimizer buffers, random generator, epoch and step counts, curves), through the same trainRun as `rnnlm train` (src/train/run/run.ts);
// downloaded checkpoints carry it, so a run continues in the page or with `rnnlm train --resume`.
import {
  decodeCheckpoint, DifferentText, encodeCheckpoint, encodeRun, ForwardNet, generate as generateAll, generateTexts, getBackend, prefixTokens, startSession,
  kernelThreadsPay, loadWasmBackend, OptionError, runOf, setBackend, nextTask,
  trainRun, TrainingDiverged, TrainingInterrupted, validateConfig, modelLabel, BOOK_CONFIG,
  type EpochStats, type RNNLMScratch, type RunState, type TrainConfig, type Vocab,
} from '../src/browser.js';
import { requestTag, type FromWorker, type ModelMetrics, type RunInfo, type ToWorker } from './protocol.js';
import { GENERATION_LABELS } from './generation-options.js';
import { startWebTeam, threadCount, threadsUnavailable } from './parallel.js';

const post = (m: FromWorker, transfer: Transferable[] = []): void => (self as unknown as Worker).postMessage(m, transfer);

let model: RNNLMScratch | null = null;
let vocab: Vocab | null = null;
let config: TrainConfig = BOOK_CONFIG;
/** The run of the current model; null for a model opened without its run (or no model). */
let run: RunState | null = null;
let stopper: AbortController | null = null; // set while a run trains
let paused = false;
let resume: (() => void) | null = null;
let generating: AbortController | null = null; // the running generation's: Stop, or a newer request, aborts it
/** The kernel threads the backend splits its calls over (1: this thread alone), and why not more when it could not. */
let kernelThreads = 1;
let threadNotice: string | null = null;

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

/** The tokens of each epoch's sample: a line of characters, or a sentence's worth of words. */
const SAMPLE_TOKENS = { char: 60, word: 15 } as const;

/** Counts changes of the current model's weights (a batch trained, a model opened): a net of an older count is stale. */
let weightsVersion = 0;
let net: { net: ForwardNet; model: RNNLMScratch; version: number } | null = null;

/**
 * The current model's forward pass alone, on its weights as they are now (training may go on meanwhile), laid out for
 * the kernels once and pinned in their memory (the model classes' step builds its operands from the parameters at
 * every token); one net while the weights stay as they are, so that each keystroke of the probability view and each
 * generation does not copy and pin all the weights again.
 */
function forwardNet(): ForwardNet {
  if (!model || !vocab) throw new Error('no model yet: train one or open a checkpoint');
  if (net?.model !== model || net.version !== weightsVersion) {
    const weights = new Map(model.params.entries.map(([name, t]) => [name, t.data as Float32Array]));
    net = { net: new ForwardNet(config, vocab.length, weights, getBackend()), model, version: weightsVersion };
  }
  return net.net;
}

/**
 * The current model's greedy continuation of `prefix` (the book's predict after each epoch), or of the text's first
 * word or character when the prefix has nothing this model reads (another script, say); '' when neither can start a text.
 */
function epochSample(v: Vocab, tokens: TrainConfig['tokens'], prefix: string, firstToken: string): string {
  const start = [prefix, firstToken].find((s) => {
    try {
      prefixTokens(v, s); // refuses a prefix with no token the model knows
      return true;
    } catch {
      return false;
    }
  });
  return start === undefined ? '' : generateAll(forwardNet(), v, start, { numPreds: SAMPLE_TOKENS[tokens] });
}

/** The first token of the text that is not blank (book text reads a bare space as no prefix at all). */
function firstWord(corpus: ArrayLike<number>, v: Vocab): string {
  for (let i = 0; i < Math.min(corpus.length, 10_000); i++) {
    const t = v.idxToToken[corpus[i]!] ?? '';
    if (t.trim() !== '') return t;
  }
  return '';
}

/**
 * Trains a new model (`requested`: the page's settings), or continues the current model's run up to `epochs` in all,
 * exactly as the uninterrupted run would have gone: the library's one trainRun, as the command line's, with the
 * page's kernel threads (web/parallel.ts) and a pause between steps. A run continues only on the text it trained on.
 */
async function train(text: string, requested: Partial<TrainConfig> | null, samplePrefix: string, epochs = 0): Promise<void> {
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
  // the kernel threads split each product of the one model (either partition), where the products are large enough
  // to share (kernelThreadsPay, the rule the CLI's auto starts from): a small model (the book's) trains on this
  // thread alone
  const small = kernelThreads > 1 && !kernelThreadsPay(c);
  const threads = small ? 1 : kernelThreads;
  const notice = small ? 'this model is too small to share its products between threads, so it trains on one thread' : threadNotice;
  stopper = new AbortController();
  let firstToken = '';
  try {
    await trainRun(c, text, {
      ...(from ? { from: { ...from, config: c } } : {}),
      threads,
      ...(threads > 1 ? { parallelism: 'kernels' as const } : {}),
      signal: stopper.signal,
      beforeStep: breathe,
      onStart: ({ model: m, data, state }) => {
        [model, vocab, config, run] = [m, data.vocab, c, state];
        weightsVersion++;
        firstToken = firstWord(data.corpus, data.vocab);
        post({
          type: 'started', numTokens: data.corpus.length, vocabSize: data.vocab.length, numTrain: data.numTrain, numVal: data.numVal, split: c.split,
          text: c.text, tokens: c.tokens, chars: data.chars, dropped: data.dropped, history: from ? from.training.history : [], epochs: c.epochs, threads,
          ...(threads === 1 && notice !== null ? { threadNotice: notice } : {}),
        });
      },
      onBatch: (progress) => {
        weightsVersion++;
        post({ type: 'batch', progress });
      },
      onEpoch: (stats, state) => {
        run = state;
        weightsVersion++;
        post({ type: 'epoch', stats, sample: vocab ? epochSample(vocab, c.tokens, samplePrefix, firstToken) : '' });
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
    weightsVersion++;
    const kept = `the model is as ${done > 0 ? `after epoch ${done}` : 'before training'}`;
    post({ type: 'done', reason: e instanceof TrainingInterrupted ? 'stopped' : 'diverged', message: `${e.message}; ${kept}`, run: runInfo() });
  } finally {
    stopper = null;
  }
}


/**
 * Generates the texts the options ask for with the library's decoding (greedy, sampled or beam search; never <unk>),
 * posting each as it comes (at most every 100 ms, with its index), then how it ended and the seed sampling used.
 * A newer request, or Stop, ends it between tokens; Stop keeps the text so far.
 */
async function generate(m: Extract<ToWorker, { type: 'generate' }>): Promise<void> {
  const net = forwardNet();
  generating?.abort(); // a newer request replaces the running one
  const stopper = (generating = new AbortController());
  let [pending, index, first, last] = ['', 0, true, Date.now()];
  const flush = (): void => {
    if (pending === '' && !first) return;
    post({ type: 'generated', id: m.id, index, text: pending, first });
    [pending, first, last] = ['', false, Date.now()];
  };
  try {
    const { texts, seed } = await generateTexts(net, vocab!, m.prefix, { ...m.options, signal: stopper.signal }, (piece, i) => {
      if (generating !== stopper) return;
      if (i !== index) {
        flush();
        index = i;
      }
      pending += piece;
      if (Date.now() - last > 100) flush();
    });
    if (generating !== stopper) return; // a newer request replaced this one
    flush();
    post({ type: 'generation-done', id: m.id, stopped: stopper.signal.aborted, texts: texts.length, ...(seed !== undefined ? { seed } : {}) });
  } finally {
    if (generating === stopper) generating = null;
  }
}

/** The k most likely next tokens after the prefix (the page's probability view), or why the prefix cannot be read. */
function nextTokens(m: Extract<ToWorker, { type: 'next-tokens' }>): Extract<FromWorker, { type: 'next-tokens' }> {
  const { id, prefix } = m;
  try {
    const session = startSession(forwardNet(), vocab!, prefix);
    const unknown = [...new Set(vocab!.tokenize(prefix).filter((t) => !vocab!.has(t)))];
    return { type: 'next-tokens', id, prefix, top: session.top(m.k).map(({ token, p }) => ({ token, p })), unknown };
  } catch (e) {
    return { type: 'next-tokens', id, prefix, error: e instanceof Error ? e.message : String(e) };
  }
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
      // on every core when the page may share memory (the shared build, one memory for all threads), else on this one
      threadNotice = threadsUnavailable();
      const wanted = threadCount();
      if (wanted > 1) {
        const shared = new Uint8Array(await (await fetch(m.sharedWasmUrl)).arrayBuffer());
        const team = await startWebTeam(shared, wanted);
        if (typeof team !== 'string') {
          kernelThreads = wanted;
          setBackend(team);
          post({ type: 'ready', backend: team.name });
          return;
        }
        threadNotice = `${team}, so it trains on one thread`;
      }
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
      return train(m.text, m.config, m.samplePrefix);
    case 'continue':
      return train(m.text, null, m.samplePrefix, m.epochs);
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
    case 'stop-generating':
      generating?.abort();
      return;
    case 'next-tokens':
      post(nextTokens(m));
      return;
    case 'download': {
      const bytes = checkpoint();
      post({ type: 'checkpoint', purpose: m.purpose, bytes, model: describeModel(), label: `${modelLabel(config)}, ${config.numHiddens} hidden units`, metrics: metrics() }, [bytes.buffer]);
      return;
    }
    case 'load': {
      if (stopper) throw new Error('a run is training: stop it before opening a checkpoint');
      const cp = decodeCheckpoint(new Uint8Array(m.bytes), m.name); // checks everything before anything is allocated
      model = cp.model;
      weightsVersion++;
      vocab = cp.vocab;
      config = cp.config;
      const opened = runOf(cp);
      run = opened ? { ...opened, training: { ...opened.training, history: curvesFromFile(opened.training.history) } } : null;
      post({
        type: 'loaded', source: m.source, name: m.name, vocabSize: cp.vocab.length, numHiddens: cp.config.numHiddens, model: modelLabel(cp.config),
        text: cp.config.text, tokens: cp.config.tokens, run: runInfo(), history: run?.training.history ?? [], config: cp.config,
      });
      return;
    }
  }
}

/** An error's message; generation's option errors name the Generate card's controls (their labels, quoted). */
function errorInPageWords(err: unknown): string {
  if (err instanceof OptionError) return err.in((option) => `"${GENERATION_LABELS[option] ?? option}"`);
  return err instanceof Error ? err.message : String(err);
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  handle(e.data).catch((err: unknown) => post({ type: 'error', of: e.data.type, message: errorInPageWords(err), ...requestTag(e.data) }));
};
