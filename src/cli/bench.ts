// rnnlm bench: the book's runs of each model on rnnlm (scratch and concise) and on D2L's PyTorch code (the book's
// scratch loop and torch.nn's layers), run by run interleaved on the same machine, with the machine's peak
// measured in the same run by an FMA probe, so that ratios and shares of peak are comparable although the
// machine's speed changes from hour to hour. FLOPs: src/bench/flops.ts.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataFilePath, TIME_MACHINE } from '../data/load.js';
import { Rng } from '../tensor/random.js';
import { CELL_KINDS, type CellKind } from '../models/cell-factory.js';
import { BACKEND_NAMES } from '../backend/select.js';
import { median, runRnnlm, runTorch, TAIL_EPOCHS, torchVersion, type EngineRun, type Workload } from '../bench/engines.js';
import { flopsPerEpoch } from '../bench/flops.js';
import { measurePeak, type Peak } from '../bench/peak.js';
import { bookPreset } from '../train/presets.js';
import { choiceFlag, parseFlags, positiveInt, stringFlag, UsageError, type Flags } from './args.js';

export const BENCH_HELP = `Usage: rnnlm bench [options]

Times the book's runs (batch 1024, 32 steps, clip 1; each model with its section's learning rate and epochs) on
rnnlm and, when the Python interpreter can import torch, on D2L's PyTorch code (bench/torch_rnn.py, one BLAS
thread): the book's scratch loop (--impl scratch) and torch.nn's layers (--impl concise). Engines alternate run by
run; an FMA probe measures the machine's peak GFLOP/s in the same run, and each engine's GFLOP/s is reported as a
share of it. Ratios are of median wall times. Run r uses seed r on every engine, so the final perplexities of
several runs show each engine's spread over seeds.

Models (the book's runs: rnn 9.5, lr 1, 100 epochs; gru 10.2 and lstm 10.1, lr 4, 50 epochs; 2 layers 10.3, lr 2,
100 epochs):
  --cells LIST     cells to measure, comma-separated: rnn, gru, lstm (default rnn)
  --layers LIST    layer counts, comma-separated (default 1)
  --hiddens LIST   hidden sizes, comma-separated (default 32)
  --epochs N       epochs per run instead of the book's (ratios per epoch do not depend on it)
  --vocabs LIST    vocabulary sizes, comma-separated (default 28, The Time Machine's); another size V trains
                   rnnlm on a synthetic raw text of V - 1 distinct characters in random order (the book's
                   windows, the output layer V wide, as a raw Chinese text or a word vocabulary has); PyTorch's
                   scripts read only The Time Machine, so they run at V = 28 only

Engines and runs:
  --runs N         runs of each engine per model, interleaved (default 1)
  --engines LIST   any of rnnlm,rnnlm-concise,torch,torch-concise (default all four; torch ones need PyTorch)
  --backend B      rnnlm backend: auto, native, wasm or reference (default auto)
  --threads N      rnnlm threads (default: rnnlm train's default)
  --python PATH    interpreter for the PyTorch reference (default /usr/bin/python3)
  --no-torch       measure rnnlm only
  -h, --help       show this help
`;

const OPTIONS = {
  cells: { type: 'string' }, layers: { type: 'string' }, hiddens: { type: 'string' }, epochs: { type: 'string' }, vocabs: { type: 'string' },
  runs: { type: 'string' }, engines: { type: 'string' }, backend: { type: 'string' }, threads: { type: 'string' },
  python: { type: 'string' }, 'no-torch': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

const ENGINES = ['rnnlm', 'rnnlm-concise', 'torch', 'torch-concise'] as const;
type EngineName = (typeof ENGINES)[number];
const ENGINE_TITLES: Record<EngineName, string> = {
  'rnnlm': 'rnnlm scratch', 'rnnlm-concise': 'rnnlm concise', 'torch': 'PyTorch scratch (D2L)', 'torch-concise': 'torch.nn',
};

const BOOK_V = 28; // The Time Machine's vocabulary

/** The book's learning rate and epochs for a model (the --book presets). */
function bookWorkload(cell: CellKind, layers: number, H: number, epochs: number | undefined, V: number): Workload {
  // the section whose run sets lr and epochs: 10.3 for any deep model, else the cell's own (presets.ts)
  const run = bookPreset(layers > 1 ? '10.3' : { rnn: '9.5', gru: '10.2', lstm: '10.1' }[cell], false);
  return { cell, layers, H, lr: run.lr, epochs: epochs ?? run.epochs, seed: 0, V };
}

/**
 * A raw text whose vocabulary is exactly V with <unk>: V - 1 private-use characters, each cycle a new random order,
 * enough cycles that the book split's 15,032 characters hold every one of them.
 */
async function syntheticText(V: number, dir: string): Promise<string> {
  const rng = new Rng(V);
  const chars = Array.from({ length: V - 1 }, (_, i) => String.fromCodePoint(0xf0000 + i));
  const cycles = Math.ceil(16000 / (V - 1)) + 1;
  let text = '';
  for (let c = 0; c < cycles; c++) text += rng.shuffle([...chars]).join('');
  const path = join(dir, `vocab-${V}.txt`);
  await writeFile(path, text);
  return path;
}

function list<T>(flags: Flags, name: string, fallback: string, parse: (s: string) => T): T[] {
  return (stringFlag(flags, name) ?? fallback).split(',').map((s) => parse(s.trim()));
}

function positiveInteger(name: string): (s: string) => number {
  return (s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must list positive whole numbers, got '${s}'`);
    return n;
  };
}

function choice<T extends string>(name: string, choices: readonly T[]): (s: string) => T {
  return (s) => {
    if (!(choices as readonly string[]).includes(s)) throw new UsageError(`--${name} must list some of ${choices.join(', ')}, got '${s}'`);
    return s as T;
  };
}

export async function benchCommand(argv: string[], print: (line: string) => void): Promise<void> {
  const { flags } = parseFlags(argv, OPTIONS);
  if (flags['help']) return print(BENCH_HELP.trimEnd());
  const cells = list(flags, 'cells', 'rnn', choice('cells', CELL_KINDS));
  const layers = list(flags, 'layers', '1', positiveInteger('layers'));
  const hiddens = list(flags, 'hiddens', '32', positiveInteger('hiddens'));
  const vocabs = list(flags, 'vocabs', String(BOOK_V), positiveInteger('vocabs'));
  if (vocabs.some((v) => v < 2)) throw new UsageError('--vocabs: a vocabulary needs at least 2 tokens');
  const epochs = flags['epochs'] !== undefined ? positiveInt(flags, 'epochs', 1) : undefined;
  const runs = positiveInt(flags, 'runs', 1);
  const backend = choiceFlag(flags, 'backend', BACKEND_NAMES, 'auto');
  const threads = stringFlag(flags, 'threads');
  const extra = ['--backend', backend, ...(threads !== undefined ? ['--threads', String(positiveInt(flags, 'threads', 1))] : [])];
  const python = stringFlag(flags, 'python') ?? '/usr/bin/python3';
  const torch = flags['no-torch'] ? null : torchVersion(python);
  const engines = list(flags, 'engines', ENGINES.join(','), choice('engines', ENGINES)).filter((e) => torch !== null || !e.startsWith('torch'));
  if (engines.length === 0) throw new UsageError('no engine left to measure (the PyTorch engines need an interpreter that imports torch)');
  const dataPath = await dataFilePath(TIME_MACHINE);
  print(`rnnlm bench: batch 1024, 32 steps, clip 1; ${runs} run(s) of each engine, interleaved; rnnlm ${extra.join(' ')}; ` +
    (torch ? `PyTorch ${torch} (${python}, OPENBLAS_NUM_THREADS=1)` : 'PyTorch: not available, skipped'));
  const summary: string[][] = [];
  const tmp = await mkdtemp(join(tmpdir(), 'rnnlm-bench-'));
  for (const cell of cells) {
    for (const L of layers) {
      for (const H of hiddens) for (const V of vocabs) {
        const w = { ...bookWorkload(cell, L, H, epochs, V), ...(V !== BOOK_V ? { data: await syntheticText(V, tmp) } : {}) };
        const name = `${cell}${L > 1 ? ` x${L}` : ''}, hidden ${H}${V !== BOOK_V ? `, V = ${V} (synthetic)` : ''}`;
        const results = new Map<EngineName, EngineRun[]>(engines.filter((e) => V === BOOK_V || e.startsWith('rnnlm')).map((e) => [e, []]));
        const peaks: Peak[] = [];
        for (let r = 0; r < runs; r++) {
          print(`  ${name}, run ${r + 1}/${runs}: FMA probe...`);
          peaks.push(await measurePeak());
          for (const e of results.keys()) {
            print(`  ${name}, run ${r + 1}/${runs}: ${ENGINE_TITLES[e]}...`);
            const wr = { ...w, seed: r };
            const result = e === 'rnnlm' || e === 'rnnlm-concise' ? await runRnnlm(wr, e === 'rnnlm-concise', extra)
              : await runTorch(python, dataPath, wr, e === 'torch' ? 'scratch' : 'concise', torch!);
            results.get(e)!.push(result);
          }
        }
        summary.push(...report(print, name, w, results, peaks));
      }
    }
  }
  await rm(tmp, { recursive: true, force: true });
  if (summary.length > 0) {
    print('Summary (median wall-time ratios; share of peak = GFLOP/s over the probe\'s peak in the same run):');
    print('| model | comparison | ratio | rnnlm share of peak | PyTorch share of peak |');
    print('| --- | --- | --- | --- | --- |');
    for (const row of summary) print(`| ${row.join(' | ')} |`);
  }
}

/** Prints one model's table; returns its summary rows (rnnlm against each PyTorch engine). */
function report(print: (line: string) => void, name: string, w: Workload, results: Map<EngineName, EngineRun[]>, peaks: Peak[]): string[][] {
  const flops = flopsPerEpoch(w.cell, w.layers, w.H, w.V);
  const peak = median(peaks.map((p) => p.gflops));
  const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const perEpoch = (rs: EngineRun[]): number => median(rs.flatMap((r) => r.epochSeconds));
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
      rows.push([name, `${ENGINE_TITLES[mine]} / ${ENGINE_TITLES[theirs]}`, `${f(wall(a) / wall(b))}x`, share(a), share(b)]);
    }
  }
  if (rows.length === 0) {
    for (const mine of ['rnnlm', 'rnnlm-concise'] as const) {
      const a = results.get(mine);
      if (a) rows.push([name, `${ENGINE_TITLES[mine]} (no PyTorch)`, '', share(a), '']);
    }
  }
  print('');
  return rows;
}
