// rnnlm bench: the book's run on rnnlm and on D2L's own PyTorch code (bench/torch_rnn.py, when /usr/bin/python3
// can import torch), run by run interleaved on the same machine, with the figures side by side.
// FLOP count (matrix work only; the one-hot input product is a row gather and counts 0):
//   per training token 6H(H+V) (forward 2H^2 + 2HV, backward twice that), per validation token 2H(H+V).
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dataFilePath, TIME_MACHINE } from '../data/load.js';
import { BOOK_CONFIG } from '../train/config.js';
import { BACKEND_NAMES } from '../backend/select.js';
import { choiceFlag, parseFlags, positiveInt, stringFlag, UsageError } from './args.js';

export const BENCH_HELP = `Usage: rnnlm bench [options]

Times the book's run (batch 1024, 32 steps, lr 1, clip 1) on rnnlm and, when the Python interpreter can import
torch, on D2L's PyTorch code (bench/torch_rnn.py, one BLAS thread), alternating run by run, and prints wall time,
seconds per epoch, tokens per second, GFLOP/s, final perplexities, peak memory and the ratio rnnlm / PyTorch.

Options:
  --epochs N       epochs per run (default 100)
  --runs N         runs of each engine per configuration, interleaved (default 1)
  --hiddens LIST   hidden sizes to measure, comma-separated (default 32,256)
  --backend B      rnnlm backend: auto, native, wasm or reference (default auto)
  --threads N      rnnlm threads (default: rnnlm train's default)
  --python PATH    interpreter for the PyTorch reference (default /usr/bin/python3)
  --no-torch       measure rnnlm only
  -h, --help       show this help
`;

const OPTIONS = {
  epochs: { type: 'string' }, runs: { type: 'string' }, hiddens: { type: 'string' }, backend: { type: 'string' },
  threads: { type: 'string' }, python: { type: 'string' }, 'no-torch': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

interface RunResult {
  wall: number; // seconds from process start to exit
  epochSeconds: number[];
  tokensPerSecond: number; // training tokens per second (median epoch)
  trainPpl: number;
  valPpl: number;
  peakMB: number;
  engine: string; // what ran: backend and threads, or the torch version
}

const V = 28; // The Time Machine's vocabulary

function flopsPerEpoch(H: number): number {
  const T = BOOK_CONFIG.numSteps;
  return BOOK_CONFIG.numTrain * T * 6 * H * (H + V) + BOOK_CONFIG.numVal * T * 2 * H * (H + V);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs a command to completion; returns stdout and wall seconds, or throws with its stderr. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ out: string; wall: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ out, wall: (performance.now() - t0) / 1000 });
      else reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${code}): ${err.trim().split('\n').pop()}`));
    });
  });
}

async function runRnnlm(H: number, epochs: number, extra: string[]): Promise<RunResult> {
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  const { out, wall } = await run(process.execPath, [main, 'train', '--json', '--epochs', String(epochs), '--num-hiddens', String(H), ...extra]);
  const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, number> & { backend?: string });
  const epochsOut = lines.filter((l) => 'epoch' in l);
  const done = lines[lines.length - 1]!;
  return {
    wall,
    epochSeconds: epochsOut.map((e) => e['seconds']!),
    tokensPerSecond: median(epochsOut.map((e) => e['tokensPerSecond']!)),
    trainPpl: done['trainPpl']!,
    valPpl: done['valPpl']!,
    peakMB: done['peakRssMB']!,
    engine: `${done.backend} backend, ${done['threads']} thread(s)`,
  };
}

async function runTorch(python: string, dataPath: string, H: number, epochs: number): Promise<RunResult> {
  const script = fileURLToPath(new URL('../../../bench/torch_rnn.py', import.meta.url));
  const { out, wall } = await run(python, [script, '--data', dataPath, '--epochs', String(epochs), '--hidden', String(H)],
    { ...process.env, OPENBLAS_NUM_THREADS: '1' });
  const epochSeconds = [...out.matchAll(/^epoch \d+ sec ([\d.]+)/gm)].map((m) => Number(m[1]));
  const ppl = /final train ppl ([\d.]+) val ppl ([\d.]+)/.exec(out);
  return {
    wall,
    epochSeconds,
    tokensPerSecond: Number(/train tokens\/s (\d+)/.exec(out)?.[1] ?? NaN),
    trainPpl: Number(ppl?.[1] ?? NaN),
    valPpl: Number(ppl?.[2] ?? NaN),
    peakMB: Math.round(Number(/PEAK_RSS_KB (\d+)/.exec(out)?.[1] ?? NaN) / 1024),
    engine: 'PyTorch',
  };
}

function torchAvailable(python: string): string | null {
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function summarize(rs: RunResult[], H: number): Record<string, string> {
  const all = rs.flatMap((r) => r.epochSeconds);
  const med = median(all);
  const f = (x: number, d = 2): string => x.toFixed(d);
  return {
    'wall seconds': rs.length > 1 ? `${f(median(rs.map((r) => r.wall)), 1)} (runs: ${rs.map((r) => f(r.wall, 1)).join(', ')})` : f(rs[0]!.wall, 1),
    'seconds per epoch, median (range)': `${f(med, 3)} (${f(Math.min(...all), 3)} to ${f(Math.max(...all), 3)})`,
    'training tokens per second': `${Math.round(median(rs.map((r) => r.tokensPerSecond))).toLocaleString('en-US')}`,
    'GFLOP/s': f(flopsPerEpoch(H) / med / 1e9, 1),
    'final train perplexity': rs.map((r) => f(r.trainPpl)).join(', '),
    'final validation perplexity': rs.map((r) => f(r.valPpl)).join(', '),
    'peak memory (MiB)': rs.map((r) => String(r.peakMB)).join(', '),
  };
}

export async function benchCommand(argv: string[], print: (line: string) => void): Promise<void> {
  const { flags } = parseFlags(argv, OPTIONS);
  if (flags['help']) return print(BENCH_HELP.trimEnd());
  const epochs = positiveInt(flags, 'epochs', 100);
  const runs = positiveInt(flags, 'runs', 1);
  const hiddens = (stringFlag(flags, 'hiddens') ?? '32,256').split(',').map((s) => {
    const h = Number(s);
    if (!Number.isInteger(h) || h < 1) throw new UsageError(`--hiddens must list positive whole numbers, got '${s}'`);
    return h;
  });
  const backend = choiceFlag(flags, 'backend', BACKEND_NAMES, 'auto');
  const threads = stringFlag(flags, 'threads');
  const extra = ['--backend', backend, ...(threads !== undefined ? ['--threads', String(positiveInt(flags, 'threads', 1))] : [])];
  const python = stringFlag(flags, 'python') ?? '/usr/bin/python3';
  const torch = flags['no-torch'] ? null : torchAvailable(python);
  const dataPath = await dataFilePath(TIME_MACHINE);
  print(`rnnlm bench: ${epochs} epoch${epochs > 1 ? 's' : ''}, batch ${BOOK_CONFIG.batchSize}, ${BOOK_CONFIG.numSteps} steps, lr ${BOOK_CONFIG.lr}, clip ${BOOK_CONFIG.clip}; ` +
    `${runs} run(s) each, interleaved; rnnlm ${extra.join(' ')}; ` + (torch ? `PyTorch ${torch} (${python}, OPENBLAS_NUM_THREADS=1)` : 'PyTorch: not available, skipped'));
  for (const H of hiddens) {
    const mine: RunResult[] = [];
    const theirs: RunResult[] = [];
    for (let r = 0; r < runs; r++) {
      print(`  hidden ${H}, run ${r + 1}/${runs}: rnnlm...`);
      mine.push(await runRnnlm(H, epochs, extra));
      if (torch) {
        print(`  hidden ${H}, run ${r + 1}/${runs}: PyTorch...`);
        theirs.push(await runTorch(python, dataPath, H, epochs));
      }
    }
    const a = summarize(mine, H);
    const b = torch ? summarize(theirs, H) : null;
    const ratio = (x: number, y: number): string => (y > 0 ? (x / y).toFixed(2) : '');
    const ratios: Record<string, string> = b ? {
      'wall seconds': ratio(median(mine.map((r) => r.wall)), median(theirs.map((r) => r.wall))),
      'seconds per epoch, median (range)': ratio(median(mine.flatMap((r) => r.epochSeconds)), median(theirs.flatMap((r) => r.epochSeconds))),
      'training tokens per second': ratio(median(mine.map((r) => r.tokensPerSecond)), median(theirs.map((r) => r.tokensPerSecond))),
      'GFLOP/s': ratio(median(theirs.flatMap((r) => r.epochSeconds)), median(mine.flatMap((r) => r.epochSeconds))),
    } : {};
    print('');
    print(`hidden ${H} (${(flopsPerEpoch(H) / 1e9).toFixed(2)} GFLOP per epoch):`);
    print(`| figure | rnnlm (${mine[0]!.engine}) | ${b ? 'PyTorch | rnnlm / PyTorch |' : ''}`);
    print(`| --- | --- | ${b ? '--- | --- |' : ''}`);
    for (const k of Object.keys(a)) print(`| ${k} | ${a[k]} | ${b ? `${b[k]} | ${ratios[k] ?? ''} |` : ''}`);
    print('');
  }
}
