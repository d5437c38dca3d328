// rnnlm train: the book's run from the command line (defaults are D2L 9.5's), one line or JSON object per epoch.
// With --out, the model is saved after every epoch (atomically), so a run that diverges or is stopped keeps its
// last good epoch.
import { selectBackend, type BackendName } from '../node/select-backend.js';
import { dataFilePath, loadCorpus, TIME_MACHINE } from '../node/load.js';
import { TimeMachine } from '../data/timemachine.js';
import type { RNNLMScratch } from '../models/rnn.js';
import { loadCheckpoint, saveCheckpoint } from '../node/checkpoint-file.js';
import { BOOK_CONFIG, corpusOptions, modelLabel, TRAIN_SCHEMA, type TrainConfig } from '../train/config/config.js';
import { acquireOutLock, describeOnDisk } from '../node/out-file.js';
import { checkFilePlan, type PlannedFile, type PlannedOutput } from '../node/file-plan.js';
import { removeStaleTemps } from '../node/durable-write.js';
import { autoParallelism, type Parallelism, type RunResult } from '../train/run/run.js';
import { DifferentText, type RunState } from '../train/run/run-state.js';
import { trainRun } from '../node/train-run.js';
import { onStopSignal, signalExitCode, type StopSignal } from '../node/signals.js';
import type { Vocab } from '../data/vocab.js';
import { TrainingDiverged, TrainingInterrupted, type BatchProgress, type EpochStats } from '../train/run/trainer.js';
import { CommandError, UsageError } from './args.js';
import { commandHelp, flagName, parseCommand, readFlag, type CommandSpec, type GivenFlags, type Parsed } from './command.js';
import { BACKEND, DATA, defaultThreads, JSON_OUTPUT, PARALLELISM, THREADS } from './common-options.js';
import type { Schema } from '../util/schema.js';
import { writePlot } from './plot.js';
import { escapeControls, notice } from './terminal.js';
import { ProgressBar } from './progress.js';
import { CONFIG_FLAGS, configFromFlags, validateFlagsConfig } from './config-flags.js';

export const TRAIN_COMMAND = {
  usage: 'rnnlm train [options]',
  group: 'Data, output and engine',
  description: `Trains a character language model of D2L: 9.5's RNN by default, or the LSTM, GRU and deep models of chapter 10
(--book 10.1, 10.2, 10.3; --concise for the sections' concise code). The defaults are the book's 9.5 run.`,
  options: {
    ...DATA,
    maxBytes: { kind: 'int', default: 2 ** 31, min: 1, max: 2 ** 53 - 1, meta: 'N', help: 'refuse data files larger than N bytes' },
    out: { kind: 'string', meta: 'FILE', nonEmpty: true,
      help: 'save the model (weights, vocabulary, settings) and its run (optimizer, random generator, epochs done, curves) to FILE after every epoch' },
    resume: { kind: 'string', meta: 'FILE', nonEmpty: true,
      help: 'continue the run FILE holds (interrupted, or finished: raise --epochs) exactly as it would have gone on: same settings, data ' +
        '(the file it read; --data names another copy), optimizer and random state; saves to FILE unless --out is given' },
    initFrom: { kind: 'string', meta: 'FILE', nonEmpty: true,
      help: "start a new run from FILE's weights and vocabulary (fine-tuning, for example on another text); model settings come from FILE, training settings from the flags" },
    engine: { kind: 'choice', default: 'fused', choices: ['fused', 'book'], meta: 'E',
      help: "fused (fast kernels) or book (the book's op-by-op tensor code)" },
    ...BACKEND,
    ...THREADS,
    ...PARALLELISM,
    ...JSON_OUTPUT,
    quiet: { kind: 'boolean', default: false, help: 'print only the final result (and errors)' },
    plot: { kind: 'string', meta: 'FILE.svg', nonEmpty: true,
      help: 'write the perplexity curves (train twice per epoch, validation per epoch) as SVG' },
    plotLog: { kind: 'boolean', default: false, help: 'a logarithmic perplexity axis for --plot' },
  },
  notes: `On a terminal, a progress bar on stderr shows the batches of the current epoch. Ctrl-C stops cleanly: --out keeps
the last completed epoch (and --plot its curves).

The Time Machine is downloaded from $RNNLM_DATA_URL (default: the D2L data bucket) and cached in
$RNNLM_CACHE_DIR (default: ~/.cache/rnnlm). Offline: RNNLM_DATA_URL=file:///path/to/folder/
Training stops (exit code 1) on a non-finite loss or gradient, or a loss above 3 times its starting value.`,
} as const satisfies CommandSpec<Schema>;

export const TRAIN_HELP = commandHelp(TRAIN_COMMAND, [CONFIG_FLAGS]);

type TrainFlags = Parsed<typeof TRAIN_COMMAND.options>['values'];

/** The configuration's fields that make the model's shape and vocabulary: a model's, when training starts from it. */
const MODEL_FIELDS = ['cell', 'numLayers', 'numHiddens', 'embedding', 'concise', 'activation', 'dropout', 'text', 'tokens'] as const;

/** Where a run starts: its configuration, and for --resume or --init-from the checkpoint's state. */
interface Start {
  config: TrainConfig;
  from?: RunState; // --resume: the run to continue
  initialValues?: ArrayLike<number>;
  vocab?: Vocab;
  dataFile?: string;
  out?: string;
}

/** Reads --resume or --init-from (or neither) into the run's starting point. */
async function startFrom(flags: TrainFlags, given: GivenFlags): Promise<Start> {
  const { resume: resumePath, initFrom: initPath, data: dataFile, out } = flags;
  const maybe = <K extends string, V>(k: K, v: V | undefined): Partial<Record<K, V>> => (v === undefined ? {} : ({ [k]: v } as Record<K, V>));
  if (resumePath !== undefined && initPath !== undefined) throw new UsageError('give --resume (continue a run) or --init-from (a new run from a model), not both');
  if (resumePath !== undefined) {
    const cp = await loadCheckpoint(resumePath);
    if (!cp.training || !cp.optimizerState) {
      throw new UsageError(`${resumePath} holds a model without its run (written before checkpoint version 3): start a new run from it with --init-from`);
    }
    const changed = Object.keys(CONFIG_FLAGS).filter((k) => k !== 'epochs' && given[k] !== undefined);
    if (changed.length > 0) throw new UsageError(`--resume continues the run with its own settings; only --epochs can change (drop ${changed.map((k) => flagName(k, CONFIG_FLAGS[k])).join(', ')})`);
    const epochs = given['epochs'] !== undefined ? (readFlag('epochs', TRAIN_SCHEMA.epochs, given['epochs'] as string) as number) : cp.config.epochs;
    const config = validateFlagsConfig({ ...cp.config, epochs });
    if (config.epochs < cp.training.epoch) throw new UsageError(`${resumePath} has ${cp.training.epoch} epochs done; give --epochs above that to train on`);
    const saved = cp.training.data;
    return { config, from: { config, vocab: cp.vocab, values: Float32Array.from(cp.model.params.values), optimizerState: cp.optimizerState, training: cp.training }, vocab: cp.vocab,
      ...maybe('dataFile', dataFile ?? saved ?? undefined), out: out ?? resumePath };
  }
  if (initPath !== undefined) {
    const cp = await loadCheckpoint(initPath);
    const config = configFromFlags(given, { ...BOOK_CONFIG, ...Object.fromEntries(MODEL_FIELDS.map((k) => [k, cp.config[k]])) } as TrainConfig);
    const differs = MODEL_FIELDS.filter((k) => config[k] !== cp.config[k]);
    if (differs.length > 0) throw new UsageError(`--init-from starts from ${initPath}'s model: its ${differs.join(', ')} cannot change`);
    return { config, initialValues: cp.model.params.values, vocab: cp.vocab, ...maybe('dataFile', dataFile), ...maybe('out', out) };
  }
  return { config: configFromFlags(given), ...maybe('dataFile', dataFile), ...maybe('out', out) };
}

export async function trainCommand(argv: string[], print: (line: string) => void): Promise<void> {
  const { values: flags, given, help } = parseCommand(TRAIN_COMMAND, argv, [CONFIG_FLAGS]);
  if (help) return print(TRAIN_HELP);
  const start = await startFrom(flags, given);
  const { dataFile, out } = start;
  const engine = flags.engine ?? 'fused';
  const backendName = flags.backend ?? 'auto';
  const threads = flags.threads; // none given: defaultThreads, once the backend and the sharing are known
  const maxBytes = flags.maxBytes;
  const json = flags.json === true;
  const quiet = flags.quiet === true;
  const plot = flags.plot;
  if (plot !== undefined && !plot.toLowerCase().endsWith('.svg')) throw new UsageError(`--plot writes SVG: give a file ending in .svg, not ${plot}`);
  // before anything is read or trained: the outputs writable, none of them an input or each other (--resume FILE may
  // save back to FILE: that is what resuming does), and --out not in use
  await checkFilePlan({
    inputs: [{ flag: '--data', path: dataFile }, { flag: '--init-from', path: flags.initFrom }, { flag: '--resume', path: flags.resume }]
      .filter((f): f is PlannedFile => f.path !== undefined),
    outputs: [{ flag: '--out', path: out, updates: '--resume' }, { flag: '--plot', path: plot }].filter((f): f is PlannedOutput => f.path !== undefined),
  });
  // a file that is not a checkpoint (a typo naming notes.txt) is never overwritten
  if (out !== undefined && (await describeOnDisk(out)) === 'an unreadable file') throw new UsageError(`--out ${out} exists and is not an rnnlm checkpoint: refusing to overwrite it`);
  if (plot !== undefined) await (await import('../plot/render.js')).checkPlotPackages(); // vega is optional: say so before training
  const lock = out !== undefined ? await acquireOutLock(out) : null;
  try {
    if (out !== undefined) await removeStaleTemps(out);
    if (plot !== undefined) await removeStaleTemps(plot);
    await train(start, { engine, backendName, threads, parallelism: flags.parallelism ?? 'auto', maxBytes, json, quiet, plot, plotLog: flags.plotLog === true, threadsGiven: flags.threads !== undefined }, print);
  } finally {
    await lock?.release();
  }
}

interface TrainOptions {
  engine: 'fused' | 'book';
  backendName: BackendName;
  threads: number | undefined;
  parallelism: Parallelism;
  maxBytes: number | undefined;
  json: boolean;
  quiet: boolean;
  plot: string | undefined;
  plotLog: boolean;
  /** --threads was given (a notice says when it cannot be used). */
  threadsGiven: boolean;
}

/** The run itself, once its inputs and outputs are checked. */
async function train(start: Start, { engine, backendName, threads: given, parallelism: sharing, maxBytes, json, quiet, plot, plotLog, threadsGiven }: TrainOptions, print: (line: string) => void): Promise<void> {
  const { config, dataFile, out } = start;
  const bar = process.stderr.isTTY && !quiet ? new ProgressBar(process.stderr, config.epochs) : null;
  const line = (text: string): void => {
    bar?.clear();
    print(text);
  };
  const stop = new AbortController();
  let stoppedBy: StopSignal = 'SIGINT';
  const stopListening = onStopSignal((signal) => {
    stoppedBy = signal;
    stop.abort();
  });
  const backend = await selectBackend(backendName, notice);
  const threads = given ?? defaultThreads(sharing === 'auto' ? autoParallelism(config, backend) : sharing);

  const dataPath = dataFile ?? (await dataFilePath(TIME_MACHINE, notice));
  const corpus = await loadCorpus(dataPath, { ...corpusOptions(config), limit: TimeMachine.tokensNeeded(config), ...(start.vocab ? { vocab: start.vocab } : {}) }, maxBytes);
  const started = performance.now();
  let lastGood = start.from?.training.epoch ?? 0;
  let current: { model: RNNLMScratch; data: TimeMachine } | null = null;
  /** Saves the model, with its run when there is one to continue. */
  const save = (run?: RunState): Promise<void> =>
    out !== undefined && current ? saveCheckpoint(out, { model: current.model, vocab: current.data.vocab, config,
      ...(run ? { training: { ...run.training, ...(dataFile !== undefined ? { data: dataFile } : {}) }, optimizerState: run.optimizerState } : {}) })
      : Promise.resolve();
  let run: RunResult;
  const writeCurves = async (epochs: EpochStats[]): Promise<void> => {
    if (plot !== undefined) await writePlot(plot, [{ name: dataFile ?? 'The Time Machine', epochs }], { logScale: plotLog });
  };
  try {
    run = await trainRun(config, corpus, {
      ...(start.from ? { from: start.from } : {}),
      ...(start.initialValues ? { initialValues: start.initialValues } : {}),
      threads,
      parallelism: sharing,
      backend: backendName,
      fused: engine === 'fused',
      signal: stop.signal,
      onStart: ({ model, data, threads: n, parallelism }) => {
        current = { model, data };
        if (parallelism === 'replicas' && config.partition === 'sequential' && threadsGiven && threads > 1) {
          notice('sequential partitioning carries one state through the batch: using 1 thread (--parallelism kernels shares each product instead)');
        }
        if (threadsGiven && n < threads && (parallelism === 'kernels' || config.partition !== 'sequential')) {
          notice(`${parallelism === 'kernels' ? 'the kernels use' : 'running'} ${n} threads, one per core this process may use (more would only wait)`);
        }
        if (json || quiet) return;
        line(`training ${modelLabel(config)} (${config.numHiddens} hidden, lr ${config.lr}, ${config.epochs} epochs) on ${dataFile ?? 'The Time Machine'}: ` +
          `${data.corpus.length} ${config.tokens === 'word' ? 'word' : 'character'} tokens (${config.text} text), vocabulary ${data.vocab.length}, ` +
          `${data.numTrain} training / ${data.numVal} validation windows of ${config.numSteps} (${config.split} split, ${config.partition}); ` +
          `${backend.name} backend, ${n} thread${n > 1 ? (parallelism === 'kernels' ? 's sharing each product' : 's, one batch shard each') : ''}`);
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
      throw new CommandError(`interrupted (${stoppedBy}) during epoch ${e.epoch}; ${kept}${plot !== undefined && lastGood > 0 ? `; curves in ${plot}` : ''}`,
        signalExitCode(stoppedBy));
    }
    if (e instanceof DifferentText) {
      throw new UsageError(`${dataFile ?? 'The Time Machine'} is not the text this run read (its sha1 differs): --resume continues a run on its own text; give that file with --data`);
    }
    if (!(e instanceof TrainingDiverged)) throw e;
    throw new CommandError(`${e.message}; ${kept}. Try a smaller --lr or clipping (--clip 1).`, 1);
  } finally {
    stopListening();
  }
  bar?.clear();
  const { model, data, history } = run;
  await writeCurves(history);
  if (config.epochs === 0) await save();
  const last = history[history.length - 1];
  const prefix = finalPrefix(data);
  const prediction = prefix === null ? null : model.predict(prefix, 20, data.vocab);
  const seconds = (performance.now() - started) / 1000;
  if (json) {
    print(JSON.stringify({ done: true, trainPpl: last?.trainPpl ?? NaN, valPpl: last?.valPpl ?? NaN, prediction, seconds,
      peakRssMB: peakRssMB(), backend: backend.name, threads: run.threads, model: modelLabel(config) }));
  } else {
    print(`done in ${seconds.toFixed(1)} s` + (last ? `: train ppl ${last.trainPpl.toFixed(2)}, val ppl ${last.valPpl.toFixed(2)}` : ''));
    if (prediction !== null) print(`predict('${prefix}', 20): ${escapeControls(prediction)}`);
    if (out !== undefined) print(`saved the model to ${out}`);
    if (plot !== undefined) print(`wrote the perplexity curves to ${plot}`);
  }
  // a run whose last numbers are not finite did not train, whatever the trainer's checks let through (weights that
  // overflow only in validation, a text too short for its split); without validation windows there is no val ppl
  const valNeeded = data.numVal > 0;
  if (last && (!Number.isFinite(last.trainPpl) || (valNeeded && !Number.isFinite(last.valPpl)))) {
    throw new CommandError(`the run ended with a perplexity that is not finite (train ${last.trainPpl}, validation ${last.valPpl}); ` +
      `${out !== undefined ? `${out} holds it, but ` : ''}the model did not train: try a smaller --lr or --sigma, clipping (--clip 1), or a longer text`, 1);
  }
}

/**
 * The book's 'it has' when the model knows its tokens; else the text's first two tokens when the model knows both,
 * else its first token the model knows that is not whitespace (any language; two tokens picked apart would read as
 * one word); null when there is none (a vocabulary capped to <unk> and a space): no preview is shown then.
 */
function finalPrefix(data: TimeMachine): string | null {
  const { vocab, corpus } = data;
  if (vocab.tokenize('it has').every((t) => vocab.has(t))) return 'it has';
  if (corpus.length >= 2 && corpus[0] !== vocab.unk && corpus[1] !== vocab.unk) return vocab.decode(corpus.subarray(0, 2));
  const head = corpus.subarray(0, 10_000);
  const i = head.findIndex((id) => id !== vocab.unk && /\S/.test(vocab.idxToToken[id]!));
  return i >= 0 ? vocab.decode(head.subarray(i, i + 1)) : null;
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
