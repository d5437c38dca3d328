// rnnlm train: the book's run from the command line (defaults are D2L 9.5's), one line or JSON object per epoch.
// With --out, the model is saved after every epoch (atomically), so a run that diverges or is stopped keeps its
// last good epoch.
import { availableParallelism } from 'node:os';
import { BACKEND_NAMES, selectBackend, type BackendName } from '../backend/select.js';
import { dataFilePath, loadCorpus, TIME_MACHINE } from '../data/load.js';
import { TimeMachine } from '../data/timemachine.js';
import type { RNNLMScratch } from '../models/rnn.js';
import { loadCheckpoint, saveCheckpoint } from '../train/checkpoint-file.js';
import { BOOK_CONFIG, corpusOptions, modelLabel, type TrainConfig } from '../train/config.js';
import { acquireOutLock, checkOutPath, describeOnDisk } from '../train/out-file.js';
import { removeStaleTemps } from '../data/download.js';
import { trainRun, type ResumeFrom, type RunResult, type RunSnapshot } from '../train/run.js';
import type { Vocab } from '../data/vocab.js';
import { TrainingDiverged, TrainingInterrupted, type BatchProgress, type EpochStats } from '../train/trainer.js';
import { choiceFlag, CommandError, numberFlag, parseFlags, positiveInt, stringFlag, UsageError, type Flags } from './args.js';
import { writePlot } from './plot.js';
import { escapeControls } from './terminal.js';
import { ProgressBar } from './progress.js';
import { CONFIG_HELP, CONFIG_OPTIONS, configFromFlags, validateFlagsConfig } from './config-flags.js';

/** One thread per core, up to 4: measured 1.7x faster than one thread on a 2-core machine (README, How it is built). */
export const DEFAULT_THREADS = Math.max(1, Math.min(4, availableParallelism()));

export const TRAIN_HELP = `Usage: rnnlm train [options]

Trains a character language model of D2L: 9.5's RNN by default, or the LSTM, GRU and deep models of chapter 10
(--book 10.1, 10.2, 10.3; --concise for the sections' concise code). The defaults are the book's 9.5 run.

${CONFIG_HELP}

Data, output and engine:
  --data FILE       train on this text file (UTF-8, UTF-16 with a byte-order mark, or Windows-1252) instead of
                    The Time Machine
  --max-bytes N     refuse data files larger than N bytes (default 2 GiB)
  --out FILE        save the model (weights, vocabulary, settings) and its run (optimizer, random generator,
                    epochs done, curves) to FILE after every epoch
  --resume FILE     continue the run FILE holds (interrupted, or finished: raise --epochs) exactly as it would
                    have gone on: same settings, data (the file it read; --data names another copy), optimizer
                    and random state;
                    saves to FILE unless --out is given
  --init-from FILE  start a new run from FILE's weights and vocabulary (fine-tuning, for example on another
                    text); model settings come from FILE, training settings from the flags
  --engine E        fused (fast kernels, default) or book (the book's op-by-op tensor code)
  --backend B       auto (default: native, else WebAssembly SIMD, else reference), native, wasm or reference
  --threads N       split each batch across N threads (default ${DEFAULT_THREADS} here: one per core, at most 4)
  --json            print one JSON object per line instead of text
  --quiet           print only the final result (and errors)
  --plot FILE.svg   write the perplexity curves (train twice per epoch, validation per epoch) as SVG
  --plot-log        a logarithmic perplexity axis for --plot
  -h, --help        show this help

On a terminal, a progress bar on stderr shows the batches of the current epoch. Ctrl-C stops cleanly: --out keeps
the last completed epoch (and --plot its curves).

The Time Machine is downloaded from ${'$'}RNNLM_DATA_URL (default: the D2L data bucket) and cached in
${'$'}RNNLM_CACHE_DIR (default: ~/.cache/rnnlm). Offline: RNNLM_DATA_URL=file:///path/to/folder/
Training stops (exit code 1) on a non-finite loss or gradient, or a loss above 3 times its starting value.
`;

const OPTIONS = {
  ...CONFIG_OPTIONS,
  data: { type: 'string' }, out: { type: 'string' }, engine: { type: 'string' }, backend: { type: 'string' },
  threads: { type: 'string' }, json: { type: 'boolean' }, quiet: { type: 'boolean' }, plot: { type: 'string' },
  'plot-log': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  resume: { type: 'string' }, 'init-from': { type: 'string' }, 'max-bytes': { type: 'string' },
} as const;

/** The configuration's fields that make the model's shape and vocabulary: a model's, when training starts from it. */
const MODEL_FIELDS = ['cell', 'numLayers', 'numHiddens', 'embedding', 'concise', 'activation', 'dropout', 'text', 'tokens'] as const;

/** Where a run starts: its configuration, and for --resume or --init-from the checkpoint's state. */
interface Start {
  config: TrainConfig;
  resume?: ResumeFrom;
  initialValues?: ArrayLike<number>;
  vocab?: Vocab;
  dataFile?: string;
  out?: string;
}

/** Reads --resume or --init-from (or neither) into the run's starting point. */
async function startFrom(flags: Flags): Promise<Start> {
  const resumePath = stringFlag(flags, 'resume');
  const initPath = stringFlag(flags, 'init-from');
  const dataFile = stringFlag(flags, 'data');
  const out = stringFlag(flags, 'out');
  const maybe = <K extends string, V>(k: K, v: V | undefined): Partial<Record<K, V>> => (v === undefined ? {} : ({ [k]: v } as Record<K, V>));
  if (resumePath !== undefined && initPath !== undefined) throw new UsageError('give --resume (continue a run) or --init-from (a new run from a model), not both');
  if (resumePath !== undefined) {
    const cp = await loadCheckpoint(resumePath);
    if (!cp.training || !cp.optimizerState) {
      throw new UsageError(`${resumePath} holds a model without its run (written before checkpoint version 3): start a new run from it with --init-from`);
    }
    const changed = Object.keys(CONFIG_OPTIONS).filter((k) => k !== 'epochs' && flags[k] !== undefined);
    if (changed.length > 0) throw new UsageError(`--resume continues the run with its own settings; only --epochs can change (drop --${changed.join(', --')})`);
    const config = validateFlagsConfig({ ...cp.config, epochs: numberFlag(flags, 'epochs', cp.config.epochs, { integer: true, min: 0 }) });
    if (config.epochs < cp.training.epoch) throw new UsageError(`${resumePath} has ${cp.training.epoch} epochs done; give --epochs above that to train on`);
    const saved = cp.training.data;
    return { config, resume: { values: cp.model.params.values, optimizerState: cp.optimizerState, training: cp.training }, vocab: cp.vocab,
      ...maybe('dataFile', dataFile ?? saved ?? undefined), out: out ?? resumePath };
  }
  if (initPath !== undefined) {
    const cp = await loadCheckpoint(initPath);
    const config = configFromFlags(flags, { ...BOOK_CONFIG, ...Object.fromEntries(MODEL_FIELDS.map((k) => [k, cp.config[k]])) } as TrainConfig);
    const differs = MODEL_FIELDS.filter((k) => config[k] !== cp.config[k]);
    if (differs.length > 0) throw new UsageError(`--init-from starts from ${initPath}'s model: its ${differs.join(', ')} cannot change`);
    return { config, initialValues: cp.model.params.values, vocab: cp.vocab, ...maybe('dataFile', dataFile), ...maybe('out', out) };
  }
  return { config: configFromFlags(flags), ...maybe('dataFile', dataFile), ...maybe('out', out) };
}

export async function trainCommand(argv: string[], print: (line: string) => void): Promise<void> {
  const { flags } = parseFlags(argv, OPTIONS);
  if (flags['help']) return print(TRAIN_HELP.trimEnd());
  const start = await startFrom(flags);
  const { dataFile, out } = start;
  const engine = choiceFlag(flags, 'engine', ['fused', 'book'], 'fused');
  const backendName = choiceFlag(flags, 'backend', BACKEND_NAMES, 'auto');
  const threads = positiveInt(flags, 'threads', DEFAULT_THREADS);
  if (threads > 4 * availableParallelism()) {
    throw new UsageError(`--threads ${threads} is more than 4 times this machine's ${availableParallelism()} cores; threads beyond the cores only wait`);
  }
  const maxBytes = flags['max-bytes'] !== undefined ? positiveInt(flags, 'max-bytes', 1) : undefined;
  const json = flags['json'] === true;
  const quiet = flags['quiet'] === true;
  const plot = stringFlag(flags, 'plot');
  if (plot !== undefined && !plot.toLowerCase().endsWith('.svg')) throw new UsageError(`--plot writes SVG: give a file ending in .svg, not ${plot}`);
  // before anything is read or trained: --out and --plot must be writable, not inputs, and --out not in use
  const inputs = [dataFile, stringFlag(flags, 'init-from')].filter((p): p is string => p !== undefined); // --resume FILE writes FILE on purpose
  if (out !== undefined) {
    await checkOutPath(out, inputs);
    // a file that is not a checkpoint (a typo naming notes.txt) is never overwritten
    if ((await describeOnDisk(out)) === 'an unreadable file') throw new UsageError(`--out ${out} exists and is not an rnnlm checkpoint: refusing to overwrite it`);
  }
  if (plot !== undefined) {
    await checkOutPath(plot, inputs, '--plot');
    await (await import('../plot/render.js')).checkPlotPackages(); // vega is optional: say so before training
  }
  const lock = out !== undefined ? await acquireOutLock(out) : null;
  try {
    if (out !== undefined) await removeStaleTemps(out);
    if (plot !== undefined) await removeStaleTemps(plot);
    await train(flags, start, { engine, backendName, threads, maxBytes, json, quiet, plot }, print);
  } finally {
    await lock?.release();
  }
}

interface TrainOptions {
  engine: 'fused' | 'book';
  backendName: BackendName;
  threads: number;
  maxBytes: number | undefined;
  json: boolean;
  quiet: boolean;
  plot: string | undefined;
}

/** The run itself, once its inputs and outputs are checked. */
async function train(flags: Flags, start: Start, { engine, backendName, threads, maxBytes, json, quiet, plot }: TrainOptions, print: (line: string) => void): Promise<void> {
  const { config, dataFile, out } = start;
  const bar = process.stderr.isTTY && !quiet ? new ProgressBar(process.stderr, config.epochs) : null;
  const line = (text: string): void => {
    bar?.clear();
    print(text);
  };
  const stop = new AbortController();
  const onInterrupt = (): void => stop.abort();
  process.once('SIGINT', onInterrupt);
  const notice = (m: string): void => void process.stderr.write(`rnnlm: ${m}\n`);
  const backend = await selectBackend(backendName, notice);
  if (config.partition === 'sequential' && flags['threads'] !== undefined && threads > 1) {
    notice('sequential partitioning carries one state through the batch: using 1 thread');
  }

  const dataPath = dataFile ?? (await dataFilePath(TIME_MACHINE));
  const corpus = await loadCorpus(dataPath, { ...corpusOptions(config), limit: TimeMachine.tokensNeeded(config), ...(start.vocab ? { vocab: start.vocab } : {}) }, maxBytes);
  const dataSha1 = corpus.sha1!; // loadCorpus hashes the file as it checks it
  const resumed = start.resume?.training.dataSha1;
  if (resumed !== undefined && resumed !== dataSha1) {
    throw new UsageError(`${dataFile ?? 'The Time Machine'} is not the text this run read (its sha1 differs): --resume continues a run on its own text; give that file with --data`);
  }
  const started = performance.now();
  let lastGood = start.resume?.training.epoch ?? 0;
  let current: { model: RNNLMScratch; data: TimeMachine } | null = null;
  /** Saves the model, with its run when there is one to continue. */
  const save = (run?: RunSnapshot): Promise<void> =>
    out !== undefined && current ? saveCheckpoint(out, { model: current.model, vocab: current.data.vocab, config,
      ...(run ? { training: { ...run.training, ...(dataFile !== undefined ? { data: dataFile } : {}), dataSha1 }, optimizerState: run.optimizer.state } : {}) })
      : Promise.resolve();
  let run: RunResult;
  const writeCurves = async (epochs: EpochStats[]): Promise<void> => {
    if (plot !== undefined) await writePlot(plot, [{ name: dataFile ?? 'The Time Machine', epochs }], { logScale: flags['plot-log'] === true });
  };
  try {
    run = await trainRun(config, corpus, {
      ...(start.resume ? { resume: start.resume } : {}),
      ...(start.initialValues ? { initialValues: start.initialValues } : {}),
      threads,
      backend: backendName,
      fused: engine === 'fused',
      signal: stop.signal,
      onStart: ({ model, data, threads: n }) => {
        current = { model, data };
        if (json || quiet) return;
        line(`training ${modelLabel(config)} (${config.numHiddens} hidden, lr ${config.lr}, ${config.epochs} epochs) on ${dataFile ?? 'The Time Machine'}: ` +
          `${data.corpus.length} ${config.tokens === 'word' ? 'word' : 'character'} tokens (${config.text} text), vocabulary ${data.vocab.length}, ` +
          `${data.numTrain} training / ${data.numVal} validation windows of ${config.numSteps} (${config.split} split, ${config.partition}); ` +
          `${backend.name} backend, ${n} thread${n > 1 ? 's' : ''}`);
        if (data.dropped > 0) {
          line(`the book's preprocessing dropped ${data.dropped} of the ${data.chars} characters read (not A-Z, a-z or spaces); --text raw keeps every character`);
        }
      },
      onEpoch: async (s, snapshot) => {
        await save(snapshot);
        lastGood = s.epoch;
        if (json) line(JSON.stringify(s));
        else if (!quiet) line(formatEpoch(s, config.epochs));
      },
      ...(bar ? { onBatch: (p: BatchProgress) => bar.update(p) } : {}),
    });
  } catch (e) {
    bar?.clear();
    const kept = out === undefined ? 'no model was saved (use --out FILE to keep the last completed epoch)' : `${out} holds ${await describeOnDisk(out)}`;
    if (e instanceof TrainingInterrupted) {
      await writeCurves(e.history);
      throw new CommandError(`interrupted during epoch ${e.epoch}; ${kept}${plot !== undefined && lastGood > 0 ? `; curves in ${plot}` : ''}`, 130);
    }
    if (!(e instanceof TrainingDiverged)) throw e;
    throw new CommandError(`${e.message}; ${kept}. Try a smaller --lr or clipping (--clip 1).`, 1);
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
  bar?.clear();
  const { model, data, history } = run;
  await writeCurves(history);
  if (config.epochs === 0) await save();
  const last = history[history.length - 1];
  const prefix = finalPrefix(data);
  const prediction = model.predict(prefix, 20, data.vocab);
  const seconds = (performance.now() - started) / 1000;
  if (json) {
    print(JSON.stringify({ done: true, trainPpl: last?.trainPpl ?? NaN, valPpl: last?.valPpl ?? NaN, prediction, seconds,
      peakRssMB: peakRssMB(), backend: backend.name, threads: run.threads, model: modelLabel(config) }));
  } else {
    print(`done in ${seconds.toFixed(1)} s` + (last ? `: train ppl ${last.trainPpl.toFixed(2)}, val ppl ${last.valPpl.toFixed(2)}` : ''));
    print(`predict('${prefix}', 20): ${escapeControls(prediction)}`);
    if (out !== undefined) print(`saved the model to ${out}`);
    if (plot !== undefined) print(`wrote the perplexity curves to ${plot}`);
  }
}

/** The book's 'it has' when the model knows its tokens; else the first two tokens of the text (any language). */
function finalPrefix(data: TimeMachine): string {
  const tokens = data.vocab.tokenize('it has');
  if (tokens.every((t) => data.vocab.has(t))) return 'it has';
  return data.vocab.decode(data.corpus.subarray(0, 2));
}

function formatEpoch(s: EpochStats, total: number): string {
  const width = String(total).length;
  return `epoch ${String(s.epoch).padStart(width)}/${total}  train ppl ${s.trainPpl.toFixed(2).padStart(6)}  ` +
    `val ppl ${s.valPpl.toFixed(2).padStart(6)}  ${s.seconds.toFixed(2)} s  ${Math.round(s.tokensPerSecond / 1000)}k tokens/s  ` +
    `grad norm median ${s.gradNormMedian.toFixed(2)} max ${s.gradNormMax.toFixed(2)}, ${Math.round(100 * s.clippedFraction)}% clipped`;
}

/** Peak resident memory of this process (all threads), in MiB. */
function peakRssMB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
