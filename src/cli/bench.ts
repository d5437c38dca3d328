// rnnlm bench: training runs of each model on rnnlm (scratch and concise) and on D2L's PyTorch code (the book's
// scratch loop and torch.nn's layers), run by run interleaved on the same machine, with the machine's peak
// measured in the same run by an FMA probe, so that ratios and shares of peak are comparable although the
// machine's speed changes from hour to hour. By default the book's runs; --data, --text and the window flags give
// both engines any text and sizes (char-rnn's), read alike, so that they train on the same tokens. FLOPs:
// src/node/bench/flops.ts.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataFilePath, loadCorpus, TIME_MACHINE } from '../node/load.js';
import { Rng } from '../tensor/random.js';
import { CELL_KINDS, type CellKind } from '../models/cell-factory.js';
import type { TextMode } from '../data/tokenizer.js';
import { TimeMachine } from '../data/timemachine.js';
import { median, runRnnlm, runTorch, TAIL_EPOCHS, torchVersion, type EngineRun, type Workload } from '../node/bench/engines.js';
import { flopsPerEpoch, type EpochWindows } from '../node/bench/flops.js';
import { measurePeak, type Peak } from '../node/bench/peak.js';
import { bookPreset } from '../train/config/presets.js';
import { BOOK_CONFIG, TRAIN_SCHEMA } from '../train/config/config.js';
import { TRAIN_FIELD_HELP } from '../train/config/config-help.js';
import type { Schema, ValueOf } from '../util/schema.js';
import { UsageError } from './args.js';
import { commandHelp, parseCommand, readFlag, type CommandSpec } from './command.js';
import { BACKEND, DATA, MAX_THREADS, PARALLELISM } from './common-options.js';

const ENGINES = ['rnnlm', 'rnnlm-concise', 'torch', 'torch-concise'] as const;
type EngineName = (typeof ENGINES)[number];

const MODELS = "Models (the book's runs: rnn 9.5, lr 1, 100 epochs; gru 10.2 and lstm 10.1, lr 4, 50 epochs; 2 layers 10.3, lr 2, 100 epochs)";
const TEXT_AND_WINDOWS = "Text and windows (both engines read the text alike and train on the same windows; defaults: the book's)";

/** The element of --vocabs that means the text itself (The Time Machine read the book's way has 28); others are synthetic. */
const BOOK_V = 28;

/** What one element of each list flag may be (the flag holds comma-separated elements; docs/limits.md shows them). */
export const LIST_ELEMENTS = {
  cells: { kind: 'choice', default: 'rnn', choices: CELL_KINDS, help: '' },
  layers: { kind: 'int', default: 1, min: 1, max: TRAIN_SCHEMA.numLayers.max, help: '' },
  hiddens: { kind: 'int', default: 32, min: 1, max: TRAIN_SCHEMA.numHiddens.max, help: '' },
  vocabs: { kind: 'int', default: 28, min: 2, max: 1_000_000, help: '' },
  engines: { kind: 'choice', default: 'rnnlm', choices: ENGINES, help: '' },
  threads: { kind: 'int', default: 1, min: 1, max: MAX_THREADS, help: '' },
} as const satisfies Schema;

export const BENCH_COMMAND = {
  usage: 'rnnlm bench [options]',
  description: `Times training runs of each model on rnnlm and, when the Python interpreter can import torch, on D2L's PyTorch code
(bench/torch_rnn.py, one BLAS thread): the book's scratch loop (--impl scratch) and torch.nn's layers (--impl
concise). By default the book's runs: The Time Machine read the book's way, batch 1024, 32 steps, 10,000 training
and 5,000 validation windows, clip 1, each model with its section's learning rate and epochs. --data and --text give
any text, and --batch-size, --num-steps, --num-train, --num-val and --lr any sizes; every engine reads the text as
rnnlm train does and trains on the same windows, so all see the same tokens. char-rnn's configurations (Karpathy's
char-rnn on Tiny Shakespeare):
  rnnlm bench --data tinyshakespeare.txt --text raw --cells lstm --layers 2 --hiddens 128,256,512
              --batch-size 50 --num-steps 50 --num-train 4000 --num-val 0 --epochs 1
Engines alternate run by run; an FMA probe measures the machine's peak GFLOP/s in the same run, and each engine's
GFLOP/s is reported as a share of it. Ratios are of median wall times, and of seconds per epoch (without start-up).
Run r uses seed r on every engine, so the final perplexities of several runs show each engine's spread over seeds.
--python names any interpreter, such as a virtual environment's with a PyTorch 2.x CPU wheel (MKL, oneDNN) beside
Debian's python3-torch:
  python3 -m venv .venv-torch && .venv-torch/bin/pip install torch numpy
  rnnlm bench --python .venv-torch/bin/python`,
  group: 'Engines and runs',
  options: {
    cells: { kind: 'string', default: 'rnn', meta: 'LIST', group: MODELS, help: 'cells to measure, comma-separated: rnn, gru, lstm' },
    layers: { kind: 'string', default: '1', meta: 'LIST', group: MODELS, help: `layer counts, comma-separated (each 1 to ${LIST_ELEMENTS.layers.max})` },
    hiddens: { kind: 'string', default: '32', meta: 'LIST', group: MODELS, help: `hidden sizes, comma-separated (each 1 to ${LIST_ELEMENTS.hiddens.max})` },
    epochs: { kind: 'int', min: 1, max: TRAIN_SCHEMA.epochs.max, meta: 'N', group: MODELS,
      help: "epochs per run instead of the book's (ratios per epoch do not depend on it); default: the book's" },
    lr: { kind: 'number', min: TRAIN_SCHEMA.lr.min, minExclusive: TRAIN_SCHEMA.lr.minExclusive, max: TRAIN_SCHEMA.lr.max, meta: 'X', group: MODELS,
      help: "learning rate of every model instead of the book's; default: each model's section's" },
    vocabs: { kind: 'string', default: '28', meta: 'LIST', group: MODELS,
      help: `vocabulary sizes, comma-separated (each 2 to ${LIST_ELEMENTS.vocabs.max}); 28 is the text itself (The Time Machine's vocabulary read the book's way; ` +
        'with --text raw or --data, whatever that text has); another size V trains on a synthetic raw text of V - 1 distinct characters in random ' +
        'order (the output layer V wide, as a raw Chinese text or a word vocabulary has), on every engine; with --data only 28 is allowed' },
    data: { ...DATA.data, group: TEXT_AND_WINDOWS, help: 'the text every engine trains on (UTF-8, UTF-16 with a byte-order mark, or Windows-1252); default: The Time Machine' },
    text: { ...TRAIN_SCHEMA.text, group: TEXT_AND_WINDOWS, help: `how the text is read, as rnnlm train --text: ${TRAIN_FIELD_HELP.text}` },
    batchSize: { ...TRAIN_SCHEMA.batchSize, group: TEXT_AND_WINDOWS, help: TRAIN_FIELD_HELP.batchSize },
    numSteps: { ...TRAIN_SCHEMA.numSteps, group: TEXT_AND_WINDOWS, help: TRAIN_FIELD_HELP.numSteps },
    numTrain: { ...TRAIN_SCHEMA.numTrain, group: TEXT_AND_WINDOWS, help: 'training windows, the first ones of the text (one starting at every character)' },
    numVal: { ...TRAIN_SCHEMA.numVal, group: TEXT_AND_WINDOWS, help: 'validation windows, right after them; 0 trains without validation (its perplexity shows n/a)' },
    runs: { kind: 'int', default: 1, min: 1, max: 1000, meta: 'N', help: 'runs of each engine per model, interleaved' },
    engines: { kind: 'string', default: ENGINES.join(','), meta: 'LIST', help: 'any of rnnlm, rnnlm-concise, torch, torch-concise (torch ones need PyTorch)' },
    ...BACKEND,
    threads: { kind: 'string', meta: 'LIST',
      help: `thread counts, comma-separated (each 1 to ${MAX_THREADS}, 4 per core): every model runs at each, on every engine (rnnlm --threads N, ` +
        'PyTorch torch.set_num_threads(N)), and a table gives each engine\'s speed-up over the first count and its peak memory against ' +
        '2 threads\' (the first count\'s without 2); default: each engine\'s own (rnnlm train\'s; PyTorch\'s, one per physical core)' },
    parallelism: { ...PARALLELISM.parallelism, help: 'how rnnlm\'s threads share the work, as rnnlm train --parallelism' },
    python: { kind: 'string', default: '/usr/bin/python3', meta: 'PATH', nonEmpty: true, help: 'interpreter for the PyTorch reference' },
    noTorch: { kind: 'boolean', default: false, help: 'measure rnnlm only' },
  },
} as const satisfies CommandSpec<Schema>;

export const BENCH_HELP = commandHelp(BENCH_COMMAND);

const ENGINE_TITLES: Record<EngineName, string> = {
  'rnnlm': 'rnnlm scratch', 'rnnlm-concise': 'rnnlm concise', 'torch': 'PyTorch scratch (D2L)', 'torch-concise': 'torch.nn',
};

/** The windows both engines train on, and how many make a batch. */
type Windows = EpochWindows & { batchSize: number };

/** The book's learning rate and epochs for a model (the --book presets), unless --lr and --epochs set them. */
function bookRun(cell: CellKind, layers: number, lr: number | undefined, epochs: number | undefined): { lr: number; epochs: number } {
  // the section whose run sets lr and epochs: 10.3 for any deep model, else the cell's own (presets.ts)
  const run = bookPreset(layers > 1 ? '10.3' : { rnn: '9.5', gru: '10.2', lstm: '10.1' }[cell], false);
  return { lr: lr ?? run.lr, epochs: epochs ?? run.epochs };
}

/**
 * The text's vocabulary size as rnnlm reads it (<unk> and the distinct tokens of the windows the book split reads), once
 * the text is found to hold the windows: a file too short for them is refused here, not by each engine in turn.
 */
async function vocabularySize(path: string, text: TextMode, windows: Windows): Promise<number> {
  const corpus = await loadCorpus(path, { tokenization: { text, tokens: 'char' }, limit: TimeMachine.tokensNeeded(windows) });
  const have = corpus.ids.length - windows.numSteps;
  if (have < windows.numTrain + windows.numVal) {
    throw new UsageError(`${path} is too short: its ${corpus.ids.length} characters (${text} text) give ${Math.max(have, 0)} windows of ${windows.numSteps + 1}, ` +
      `but --num-train + --num-val = ${windows.numTrain + windows.numVal}; use a longer text or fewer windows`);
  }
  return corpus.vocab.length;
}

/**
 * A raw text whose vocabulary is V with <unk>: V - 1 private-use characters, each cycle a new random order, enough
 * cycles that the windows' characters hold every one of them (when there are at least V - 1 of them).
 */
async function syntheticText(V: number, dir: string, windows: Windows): Promise<string> {
  const rng = new Rng(V);
  const chars = Array.from({ length: V - 1 }, (_, i) => String.fromCodePoint(0xf0000 + i));
  const cycles = Math.ceil(TimeMachine.tokensNeeded(windows) / (V - 1)) + 1;
  let text = '';
  for (let c = 0; c < cycles; c++) text += rng.shuffle([...chars]).join('');
  const path = join(dir, `vocab-${V}.txt`);
  await writeFile(path, text);
  return path;
}

/**
 * A list flag's elements, each read and checked as its element field (the flag's name in errors), as strictly as any
 * other flag: no spaces around an element (' 5' is refused as --epochs ' 5' is), as sweep reads its lists.
 */
function list<K extends keyof typeof LIST_ELEMENTS>(name: K, text: string): ValueOf<(typeof LIST_ELEMENTS)[K]>[] {
  return text.split(',').map((s) => readFlag(name, LIST_ELEMENTS[name], s) as ValueOf<(typeof LIST_ELEMENTS)[K]>);
}

export async function benchCommand(argv: string[], print: (line: string) => void): Promise<void> {
  const { values: flags, help } = parseCommand(BENCH_COMMAND, argv);
  if (help) return print(BENCH_HELP);
  // every flag's value is read and checked here, and the text read, before anything is probed (PyTorch's import
  // takes seconds) or run
  const cells = list('cells', flags.cells ?? 'rnn');
  const layers = list('layers', flags.layers ?? '1');
  const hiddens = list('hiddens', flags.hiddens ?? '32');
  const vocabs = list('vocabs', flags.vocabs ?? String(BOOK_V));
  const requested = list('engines', flags.engines ?? ENGINES.join(','));
  const syntheticSize = vocabs.find((V) => V !== BOOK_V);
  if (flags.data !== undefined && syntheticSize !== undefined) {
    throw new UsageError(`--vocabs ${syntheticSize} trains on a synthetic text and --data names the text: give one of them (with --data, --vocabs is 28: the text's own vocabulary)`);
  }
  const text = flags.text ?? BOOK_CONFIG.text;
  const windows: Windows = {
    batchSize: flags.batchSize ?? BOOK_CONFIG.batchSize, numSteps: flags.numSteps ?? BOOK_CONFIG.numSteps,
    numTrain: flags.numTrain ?? BOOK_CONFIG.numTrain, numVal: flags.numVal ?? BOOK_CONFIG.numVal,
  };
  const runs = flags.runs ?? 1;
  const backend = flags.backend ?? 'auto';
  // every model at each thread count, or once at each engine's default
  const threadCounts: (number | undefined)[] = flags.threads !== undefined ? [...new Set(list('threads', flags.threads))] : [undefined];
  const extra = ['--backend', backend, ...(flags.parallelism !== undefined ? ['--parallelism', flags.parallelism] : [])];
  const bookText = vocabs.includes(BOOK_V); // the text itself, not only synthetic ones
  const dataPath = flags.data ?? (bookText ? await dataFilePath(TIME_MACHINE) : '');
  const V = bookText ? await vocabularySize(dataPath, text, windows) : NaN;
  const python = flags.python ?? '/usr/bin/python3';
  const torch = flags.noTorch ? null : torchVersion(python);
  const engines = requested.filter((e) => torch !== null || !e.startsWith('torch'));
  if (engines.length === 0) throw new UsageError('no engine left to measure (the PyTorch engines need an interpreter that imports torch)');
  const textName = flags.data ?? `The Time Machine (${dataPath})`;
  print(`rnnlm bench: ${bookText ? `${textName}, ${text} text, vocabulary ${V}` : 'synthetic raw texts'}; ` +
    `batch ${windows.batchSize}, ${windows.numSteps} steps, ${windows.numTrain} training and ${windows.numVal} validation windows, clip 1; ` +
    `${runs} run(s) of each engine, interleaved; rnnlm ${extra.join(' ')}; ` +
    `threads ${threadCounts[0] !== undefined ? threadCounts.join(',') : "each engine's default"}; ` +
    (torch ? `PyTorch ${torch} (${python}, OPENBLAS_NUM_THREADS=1)` : 'PyTorch: not available, skipped'));
  const summary: string[][] = [];
  const scaling: ScalingRow[] = [];
  const tmp = await mkdtemp(join(tmpdir(), 'rnnlm-bench-'));
  try {
    // each vocabulary size's text: the text itself (28), or a synthetic one, raw (its characters are not letters)
    const texts = new Map<number, Pick<Workload, 'data' | 'text' | 'V'>>();
    for (const size of new Set(vocabs)) {
      if (size === BOOK_V) {
        texts.set(size, { data: dataPath, text, V });
        continue;
      }
      const path = await syntheticText(size, tmp, windows);
      texts.set(size, { data: path, text: 'raw', V: await vocabularySize(path, 'raw', windows) });
    }
    for (const cell of cells) {
      for (const L of layers) {
        for (const H of hiddens) for (const size of vocabs) for (const threads of threadCounts) {
          const w: Workload = { cell, layers: L, H, ...bookRun(cell, L, flags.lr, flags.epochs), seed: 0, ...windows, ...texts.get(size)!, threads };
          const model = `${cell}${L > 1 ? ` x${L}` : ''}, hidden ${H}${size !== BOOK_V ? `, V = ${w.V} (synthetic)` : ''}`;
          const name = threads !== undefined ? `${model}, ${threads} thread(s)` : model;
          const results = new Map<EngineName, EngineRun[]>(engines.map((e) => [e, []]));
          const peaks: Peak[] = [];
          for (let r = 0; r < runs; r++) {
            print(`  ${name}, run ${r + 1}/${runs}: FMA probe...`);
            peaks.push(await measurePeak());
            for (const e of results.keys()) {
              print(`  ${name}, run ${r + 1}/${runs}: ${ENGINE_TITLES[e]}...`);
              const wr = { ...w, seed: r };
              const result = e === 'rnnlm' || e === 'rnnlm-concise' ? await runRnnlm(wr, e === 'rnnlm-concise', extra)
                : await runTorch(python, wr, e === 'torch' ? 'scratch' : 'concise', torch!);
              results.get(e)!.push(result);
            }
          }
          summary.push(...report(print, name, w, results, peaks));
          for (const [e, rs] of results) scaling.push({ model, engine: e, threads: threads ?? 0, perEpoch: perEpoch(rs), peakMB: median(rs.map((r) => r.peakMB)), detail: rs[0]!.detail });
        }
      }
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  if (summary.length > 0) {
    print('Summary (ratio: of median wall times, each process whole; per epoch: of median seconds per epoch, without ' +
      'start-up (an interpreter\'s import, reading the text), which weighs in a short run; share of peak = GFLOP/s over the ' +
      'probe\'s peak in the same run):');
    print('| model | comparison | ratio | per epoch | rnnlm share of peak | PyTorch share of peak |');
    print('| --- | --- | --- | --- | --- | --- |');
    for (const row of summary) print(`| ${row.join(' | ')} |`);
  }
  if (threadCounts.length > 1) printScaling(print, scaling, threadCounts as number[]);
}

/** One engine's run of one model at one thread count, for the scaling table. */
interface ScalingRow {
  model: string;
  engine: EngineName;
  threads: number;
  perEpoch: number; // median seconds per epoch
  peakMB: number; // median peak RSS
  detail: string; // what the engine reported (rnnlm: the threads it started, at most one per core)
}

/** A number in a table: d decimals, or n/a where there is none (no run, no validation). */
function f(x: number, d = 2): string {
  return Number.isFinite(x) ? x.toFixed(d) : 'n/a';
}

/** Median seconds per epoch of an engine's runs. */
function perEpoch(rs: EngineRun[]): number {
  return median(rs.flatMap((r) => r.epochSeconds));
}

/**
 * Each engine's speed at every thread count against the first count's (issue 19's goals are 16 threads against 1),
 * and its peak memory against 2 threads' (the first count's where the list has no 2): what more threads cost.
 */
function printScaling(print: (line: string) => void, rows: ScalingRow[], counts: number[]): void {
  const base = counts[0]!;
  const memoryBase = counts.includes(2) ? 2 : base;
  print('');
  print(`Thread scaling (speed-up: seconds per epoch at ${base} thread(s) over those at N; memory: peak RSS over that at ${memoryBase} thread(s)):`);
  print('| model | engine | threads | reported | s/epoch | speed-up | peak MiB | memory |');
  print('| --- | --- | --- | --- | --- | --- | --- | --- |');
  const models = [...new Set(rows.map((r) => r.model))];
  const ordered = [...rows].sort((a, b) => models.indexOf(a.model) - models.indexOf(b.model) ||
    ENGINES.indexOf(a.engine) - ENGINES.indexOf(b.engine) || counts.indexOf(a.threads) - counts.indexOf(b.threads));
  for (const r of ordered) {
    const at = (n: number): ScalingRow | undefined => rows.find((o) => o.model === r.model && o.engine === r.engine && o.threads === n);
    const speed = (at(base)?.perEpoch ?? NaN) / r.perEpoch;
    const memory = r.peakMB / (at(memoryBase)?.peakMB ?? NaN);
    print(`| ${r.model} | ${ENGINE_TITLES[r.engine]} | ${r.threads} | ${r.detail} | ${f(r.perEpoch, 3)} | ${f(speed)}x | ${f(r.peakMB, 0)} | ${f(memory)}x |`);
  }
}

/** Prints one model's table; returns its summary rows (rnnlm against each PyTorch engine). */
function report(print: (line: string) => void, name: string, w: Workload, results: Map<EngineName, EngineRun[]>, peaks: Peak[]): string[][] {
  const flops = flopsPerEpoch(w.cell, w.layers, w.H, w.V, w);
  const peak = median(peaks.map((p) => p.gflops));
  const wall = (rs: EngineRun[]): number => median(rs.map((r) => r.wall));
  const share = (rs: EngineRun[]): string => (peak > 0 ? `${f((100 * flops) / perEpoch(rs) / 1e9 / peak, 1)}%` : 'n/a');
  print('');
  print(`${name}: lr ${w.lr}, ${w.epochs} epochs, ${(flops / 1e9).toFixed(2)} GFLOP per epoch; machine peak by the FMA probe ` +
    `${peaks.map((p) => f(p.gflops, 0)).join(', ')} GFLOP/s (${peaks[0]?.detail ?? ''})`);
  print(`| engine | wall seconds (runs) | s/epoch median (range) | train tokens/s | GFLOP/s | share of peak | train ppl | val ppl | val ppl, mean of last ${TAIL_EPOCHS} epochs | peak MiB |`);
  print('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [e, rs] of results) {
    const all = rs.flatMap((r) => r.epochSeconds);
    print(`| ${ENGINE_TITLES[e]} (${rs[0]!.detail}) | ${f(wall(rs), 1)} (${rs.map((r) => f(r.wall, 1)).join(', ')}) | ` +
      `${f(perEpoch(rs), 3)} (${f(Math.min(...all), 3)} to ${f(Math.max(...all), 3)}) | ` +
      `${Math.round(median(rs.map((r) => r.tokensPerSecond))).toLocaleString('en-US')} | ${f(flops / perEpoch(rs) / 1e9, 1)} | ${share(rs)} | ` +
      `${rs.map((r) => f(r.trainPpl)).join(', ')} | ${rs.map((r) => f(r.valPpl)).join(', ')} | ${rs.map((r) => f(r.valPplTail)).join(', ')} | ` +
      `${rs.map((r) => String(r.peakMB)).join(', ')} |`);
  }
  const rows: string[][] = [];
  for (const mine of ['rnnlm', 'rnnlm-concise'] as const) {
    for (const theirs of ['torch', 'torch-concise'] as const) {
      const a = results.get(mine);
      const b = results.get(theirs);
      if (!a || !b) continue;
      rows.push([name, `${ENGINE_TITLES[mine]} / ${ENGINE_TITLES[theirs]}`, `${f(wall(a) / wall(b))}x`, `${f(perEpoch(a) / perEpoch(b))}x`, share(a), share(b)]);
    }
  }
  if (rows.length === 0) {
    for (const mine of ['rnnlm', 'rnnlm-concise'] as const) {
      const a = results.get(mine);
      if (a) rows.push([name, `${ENGINE_TITLES[mine]} (no PyTorch)`, '', '', share(a), '']);
    }
  }
  print('');
  return rows;
}
