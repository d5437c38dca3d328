// rnnlm sweep: trains a grid of configurations one at a time and ranks them by validation perplexity
// (D2L 9.5 exercise 1: tune the hyperparameters). Results are appended to a JSON-lines file as each run finishes,
// so an interrupted sweep resumes where it stopped. With --out the best-ranked run's model is saved, as train --out saves
// one.
import { appendDurable, removeStaleTemps } from '../node/durable-write.js';
import { checkFilePlan } from '../node/file-plan.js';
import { readLines } from '../node/files.js';
import { acquireOutLock, describeOnDisk, type OutLock } from '../node/out-file.js';
import { loadCheckpointContents, saveCheckpoint } from '../node/checkpoint-file.js';
import { onStopSignal, signalExitCode, type StopSignal } from '../node/signals.js';
import { selectBackend, type BackendName } from '../node/select-backend.js';
import type { Corpus } from '../data/corpus.js';
import { loadCorpus } from '../node/load.js';
import { TimeMachine } from '../data/timemachine.js';
import { BOOK_CONFIG, corpusOptions, modelLabel, TRAIN_SCHEMA, type TrainConfig, type TrainField } from '../train/config/config.js';
import { canonical, validateConfig } from '../train/config/config-schema.js';
import { trainRun } from '../node/train-run.js';
import { autoParallelism, type RunResult } from '../train/run/run.js';
import { TrainingDiverged, TrainingInterrupted } from '../train/run/trainer.js';
import { CommandError, UsageError } from './args.js';
import { notice } from './terminal.js';
import { commandHelp, flagName, parseCommand, type CommandSpec, type GivenFlags } from './command.js';
import { BACKEND, DATA, defaultThreads, THREADS } from './common-options.js';
import { CONFIG_FLAGS, configFromFlags } from './config-flags.js';
import type { Schema } from '../util/schema.js';

/** The fields a grid may list several values for. */
export const GRID_FIELDS = ['epochs', 'numHiddens', 'numSteps', 'lr', 'batchSize', 'embedding', 'clip', 'activation', 'cell', 'numLayers',
  'optimizer', 'momentum', 'weightDecay', 'lrSchedule', 'lrGamma', 'lrEvery', 'lrStart', 'warmup'] as const satisfies readonly TrainField[];

/** The most configurations one sweep trains: a typo such as --num-hiddens 1,2,...,1000 x --lr ... is refused up front. */
export const MAX_GRID = 10_000;

export const SWEEP_COMMAND = {
  usage: 'rnnlm sweep [grid and training flags] [--results FILE] [--out FILE] [--json]',
  description: `Trains every combination of the listed values, one configuration at a time, and prints a table sorted by
validation perplexity. Any of ${GRID_FIELDS.map((f) => flagName(f, TRAIN_SCHEMA[f])).join(', ')} may list comma-separated values,
e.g. rnnlm sweep --num-hiddens 32,64,128 --lr 0.5,1,2 --optimizer sgd,adam --lr-schedule constant,cosine --epochs 20 (at most
${MAX_GRID} runs). Other training flags take one value. Finished runs are appended to the results file; running the same
sweep again skips them. With --out, the best run's model is saved as train --out saves one (train --resume can continue it).`,
  group: 'Sweep',
  options: {
    results: { kind: 'string', default: 'sweep.jsonl', meta: 'FILE', nonEmpty: true, help: 'JSON-lines file of finished runs' },
    out: { kind: 'string', meta: 'FILE', nonEmpty: true,
      help: 'save the model of the best run so far (lowest validation perplexity) to FILE, with its run, each time a better one finishes' },
    ...DATA,
    ...BACKEND,
    ...THREADS,
    json: { kind: 'boolean', default: false, help: 'print the final ranking as JSON lines' },
  },
} as const satisfies CommandSpec<Schema>;

export const SWEEP_HELP = commandHelp(SWEEP_COMMAND, [CONFIG_FLAGS]);

export interface SweepResult {
  config: TrainConfig;
  trainPpl: number;
  valPpl: number;
  seconds: number;
  diverged?: string;
}

/** Every combination of the grid flags' listed values, as configurations (the other flags fixed). */
export function expandGrid(flags: GivenFlags): TrainConfig[] {
  let grids: GivenFlags[] = [flags];
  for (const name of GRID_FIELDS) {
    const v = flags[name];
    if (typeof v !== 'string' || !v.includes(',')) continue;
    const values = v.split(',');
    if (values.some((x) => x === '')) throw new UsageError(`${flagName(name, TRAIN_SCHEMA[name])} has an empty value in '${v}'`);
    if (grids.length * values.length > MAX_GRID) throw new UsageError(`the grid has more than ${MAX_GRID} configurations; list fewer values`);
    grids = grids.flatMap((g) => values.map((x) => ({ ...g, [name]: x })));
  }
  return grids.map((g) => configFromFlags(g));
}

const key = (c: TrainConfig): string => JSON.stringify(canonical({ ...BOOK_CONFIG, ...c }));

/** The optimizer and schedule in a few words: 'sgd', 'adam, cosine schedule, warmup 100'. */
function optimizerLabel(c: TrainConfig): string {
  return `${c.optimizer}${c.lrSchedule !== 'constant' ? `, ${c.lrSchedule} schedule` : ''}${c.warmup > 0 ? `, warmup ${c.warmup}` : ''}`;
}

function describe(c: TrainConfig): string {
  return `epochs ${c.epochs}, hidden ${c.numHiddens}, steps ${c.numSteps}, lr ${c.lr}, batch ${c.batchSize}, ` +
    `embedding ${c.embedding || 'one-hot'}, clip ${c.clip}, ${modelLabel(c)}, ${optimizerLabel(c)}`;
}

/** Whether a is ranked above b: a lower validation perplexity; a diverged run (NaN) below every other. */
const better = (a: SweepResult, b: SweepResult | null): boolean => !Number.isNaN(a.valPpl) && (b === null || Number.isNaN(b.valPpl) || a.valPpl < b.valPpl);

export async function sweepCommand(argv: string[], print: (line: string) => void): Promise<void> {
  const { values: flags, given, help } = parseCommand(SWEEP_COMMAND, argv, [CONFIG_FLAGS]);
  if (help) return print(SWEEP_HELP);
  const configs = expandGrid(given);
  const resultsFile = flags.results ?? 'sweep.jsonl';
  const backendName = flags.backend ?? 'auto';
  const threads = flags.threads; // none given: defaultThreads for each run's configuration
  const json = flags.json === true;
  const progress = json ? (l: string): void => void process.stderr.write(l + '\n') : print;
  // before any run: the results file is writable, not the text, and no other sweep appends to it
  const dataFile = flags.data;
  const out = flags.out;
  await checkFilePlan({
    inputs: [{ flag: '--results', path: resultsFile }, ...(dataFile !== undefined ? [{ flag: '--data', path: dataFile }] : []),
      ...(out !== undefined ? [{ flag: '--out', path: out }] : [])],
    outputs: [{ flag: '--results', path: resultsFile, updates: '--results' }, ...(out !== undefined ? [{ flag: '--out', path: out, updates: '--out' }] : [])],
  });
  // a file that is not a checkpoint (a typo naming notes.txt) is never overwritten, as with train --out
  if (out !== undefined && (await describeOnDisk(out)) === 'an unreadable file') throw new UsageError(`--out ${out} exists and is not an rnnlm checkpoint: refusing to overwrite it`);
  const done = new Map<string, SweepResult>();
  for (const r of await readResults(resultsFile)) done.set(key(r.config), r);
  const locks: OutLock[] = [await acquireOutLock(resultsFile, '--results')];
  try {
    if (out !== undefined) locks.push(await acquireOutLock(out));
    await removeStaleTemps(resultsFile);
    if (out !== undefined) await removeStaleTemps(out);
    const saved = out !== undefined ? await savedConfigKey(out) : null;
    await runSweep(configs, done, { resultsFile, dataFile, out, saved, backendName, threads, json, progress }, print);
  } finally {
    for (const lock of locks.reverse()) await lock.release();
  }
}

/** The key of the configuration the checkpoint at out was trained with; null when there is no file yet. */
async function savedConfigKey(out: string): Promise<string | null> {
  if ((await describeOnDisk(out)) === 'nothing (no file)') return null;
  return key((await loadCheckpointContents(out)).config);
}

/** The most bytes of results a sweep reads back (10,000 runs of a few hundred bytes each, with room to spare). */
export const MAX_RESULTS_BYTES = 64 * 1024 * 1024;

/** One line of a results file as a result, or null when it is not one (its config checked as a checkpoint's is). */
function parseResult(line: string): SweepResult | null {
  let r: unknown;
  try {
    r = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return null;
  const { config, trainPpl, valPpl, seconds, diverged } = r as Record<string, unknown>;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return null;
  // NaN (a diverged run) is written as null by JSON
  const ppl = (x: unknown): number | undefined => (x === null ? NaN : typeof x === 'number' && x > 0 ? x : undefined);
  const [t, v] = [ppl(trainPpl), ppl(valPpl)];
  if (t === undefined || v === undefined || typeof seconds !== 'number' || !(seconds >= 0)) return null;
  if (diverged !== undefined && typeof diverged !== 'string') return null;
  try {
    // validated before canonical() keeps only the schema's keys: an unknown setting is refused, as in a checkpoint
    const c = canonical(validateConfig({ ...BOOK_CONFIG, ...config } as TrainConfig));
    return { config: c, trainPpl: t, valPpl: v, seconds, ...(diverged !== undefined ? { diverged } : {}) };
  } catch {
    return null;
  }
}

/** The finished runs of an earlier sweep (none when the file does not exist); a line that is not one is refused. */
async function readResults(resultsFile: string): Promise<SweepResult[]> {
  const results: SweepResult[] = [];
  try {
    for await (const [l, lineNo] of readLines(resultsFile, { what: 'results file', maxBytes: MAX_RESULTS_BYTES, limitName: ' for a sweep results file' })) {
      if (l.trim() === '') continue;
      const r = parseResult(l);
      if (r === null) throw new UsageError(`${resultsFile} line ${lineNo} is not a sweep result (JSON); use another --results file`);
      results.push(r);
    }
  } catch (e) {
    // no file yet: a new sweep (the open's own error, not a line's)
    if (!(e instanceof UsageError) && (e as Error).message.startsWith('no such results file')) return [];
    throw e;
  }
  return results;
}

interface SweepOptions {
  resultsFile: string;
  dataFile: string | undefined;
  out: string | undefined; // --out: where the best run's model goes
  saved: string | null; // the key of the configuration whose model out holds (an earlier sweep's best), if any
  backendName: BackendName;
  threads: number | undefined;
  json: boolean;
  progress: (line: string) => void;
}

async function runSweep(configs: TrainConfig[], done: Map<string, SweepResult>, { resultsFile, dataFile, out, saved, backendName, threads, json, progress }: SweepOptions,
  print: (line: string) => void): Promise<void> {
  const backend = await selectBackend(backendName, notice);
  const threadsFor = (c: TrainConfig): number => threads ?? defaultThreads(autoParallelism(c, backend));
  // each run's corpus is built by streaming over the file (never the whole text in memory), once per way of reading
  // it: the runs that read the text alike (tokens, vocabulary limits, the book split's length) share one
  const corpora = new Map<string, Promise<Corpus>>();
  const corpusFor = (c: TrainConfig): Promise<Corpus> => {
    const options = { ...corpusOptions(c), limit: TimeMachine.tokensNeeded(c) };
    const id = JSON.stringify(options);
    if (!corpora.has(id)) corpora.set(id, loadCorpus(dataFile, options));
    return corpora.get(id)!;
  };
  const results: SweepResult[] = [];
  let savedKey = saved; // the configuration whose model out holds now
  /** Saves a finished run to out, with its run (train --resume FILE continues it), as train --out does. */
  const save = async (run: RunResult): Promise<void> => {
    const { model, data, state } = run;
    await saveCheckpoint(out!, { model, vocab: data.vocab, config: state.config,
      training: { ...state.training, ...(dataFile !== undefined ? { data: dataFile } : {}) }, optimizerState: state.optimizerState });
    savedKey = key(state.config);
  };
  let best: SweepResult | null = null; // the best-ranked run so far, of this sweep and the runs done before
  // one stop request for the whole sweep: a signal during a run stops it between batches, one between runs (while a
  // result is appended, a corpus read) stops the sweep before the next run; the results file is whole either way
  const stop = new AbortController();
  let stoppedBy: StopSignal = 'SIGINT';
  const stopListening = onStopSignal((signal) => {
    stoppedBy = signal;
    stop.abort();
  });
  try {
    for (const [i, config] of configs.entries()) {
      const tag = `[${i + 1}/${configs.length}] ${describe(config)}`;
      const previous = done.get(key(config));
      if (previous) {
        progress(`${tag}: done before, ${previous.diverged ?? `val ppl ${previous.valPpl.toFixed(2)}`}`);
        results.push(previous);
        if (better(previous, best)) best = previous;
        continue;
      }
      const t0 = performance.now();
      let result: SweepResult;
      try {
        const run = await trainRun(config, await corpusFor(config), { threads: threadsFor(config), backend: backendName, signal: stop.signal });
        const last = run.history[run.history.length - 1];
        result = { config, trainPpl: last?.trainPpl ?? NaN, valPpl: last?.valPpl ?? NaN, seconds: (performance.now() - t0) / 1000 };
        // saved before its result is appended: a results file never ranks first a run whose model out lacks
        if (out !== undefined && better(result, best)) await save(run);
      } catch (e) {
        if (e instanceof TrainingInterrupted) {
          throw new CommandError(`interrupted (${stoppedBy}) during run ${i + 1} of ${configs.length}; ${resultsFile} holds the runs finished before it`, signalExitCode(stoppedBy));
        }
        if (!(e instanceof TrainingDiverged)) throw e;
        result = { config, trainPpl: NaN, valPpl: NaN, seconds: (performance.now() - t0) / 1000, diverged: e.message };
      }
      // all or nothing: a full disk leaves the file as it was, without a torn last line
      await appendDurable(resultsFile, JSON.stringify(result) + '\n');
      progress(`${tag}: ${result.diverged ?? `val ppl ${result.valPpl.toFixed(2)}`} (${result.seconds.toFixed(1)} s)`);
      results.push(result);
      if (better(result, best)) best = result;
      if (stop.signal.aborted && i + 1 < configs.length) {
        throw new CommandError(`interrupted (${stoppedBy}) after run ${i + 1} of ${configs.length}; ${resultsFile} holds the runs finished so far`, signalExitCode(stoppedBy));
      }
    }
    // the best run finished in an earlier sweep whose model out does not hold (no --out then, or another file): runs
    // are deterministic (the seed is in the configuration), so training it again gives that model
    if (out !== undefined && best !== null && savedKey !== key(best.config)) {
      progress(`training the best run again to save its model to ${out} (it finished before this sweep, and ${out} does not hold it)`);
      await save(await trainRun(best.config, await corpusFor(best.config), { threads: threadsFor(best.config), backend: backendName, signal: stop.signal }));
    }
  } catch (e) {
    if (e instanceof TrainingInterrupted) throw new CommandError(`interrupted (${stoppedBy}) while training the best run again; ${resultsFile} holds every run`, signalExitCode(stoppedBy));
    throw e;
  } finally {
    stopListening();
  }
  if (out !== undefined) progress(best === null ? `every run diverged: no model was saved to ${out}` : `saved the best run's model to ${out}`);
  const ranked = [...results].sort((a, b) => (Number.isNaN(a.valPpl) ? 1 : Number.isNaN(b.valPpl) ? -1 : a.valPpl - b.valPpl));
  if (json) return ranked.forEach((r) => print(JSON.stringify(r)));
  print('');
  print('| rank | val ppl | train ppl | epochs | hidden | steps | lr | batch | embedding | clip | model | optimizer | seconds |');
  print('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  ranked.forEach((r, i) => {
    const c = r.config;
    print(`| ${i + 1} | ${r.diverged ? 'diverged' : r.valPpl.toFixed(2)} | ${r.diverged ? '' : r.trainPpl.toFixed(2)} | ${c.epochs} | ${c.numHiddens} | ` +
      `${c.numSteps} | ${c.lr} | ${c.batchSize} | ${c.embedding || 'one-hot'} | ${c.clip} | ${modelLabel(c)} | ${optimizerLabel(c)} | ${r.seconds.toFixed(1)} |`);
  });
}
