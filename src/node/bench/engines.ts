// The engines the benchmark runs, each as its own process so that memory and threads are measured alone:
// rnnlm's CLI (scratch or concise model) and D2L's PyTorch code (bench/torch_rnn.py: the book's scratch loop, or
// torch.nn's layers), with the run's statistics parsed from their output. Both are given the same text file, the
// same way of reading it and the same windows, so that they train on the same tokens (test/bench-data.test.ts).
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CellKind } from '../../models/cell-factory.js';
import type { TextMode } from '../../data/tokenizer.js';
import type { EpochWindows } from './flops.js';

/** One benchmarked configuration: a model, its training settings and the text both engines read. */
export interface Workload extends EpochWindows {
  cell: CellKind;
  layers: number;
  H: number; // hidden units
  lr: number; // the book's learning rate for the model, unless bench --lr sets one
  epochs: number;
  seed: number; // run r uses seed r, so that repeated runs also give the spread of final perplexity over seeds
  batchSize: number;
  data: string; // the text file (The Time Machine's cached copy, --data's, or a synthetic text of V - 1 characters)
  text: TextMode; // how it is read, as rnnlm train --text
  V: number; // the vocabulary the windows' tokens give, with <unk> (rnnlm's reading of the file)
  threads?: number; // threads of every engine; unset: each engine's default (rnnlm train's; PyTorch's, one per physical core)
}

/** The flags that give both engines the workload's text and windows (rnnlm train's names; torch_rnn.py's differ). */
function windowArgs(w: Workload, names: { batch: string; steps: string }): string[] {
  return ['--data', w.data, '--text', w.text, names.batch, String(w.batchSize), names.steps, String(w.numSteps),
    '--num-train', String(w.numTrain), '--num-val', String(w.numVal)];
}

/** The flag that gives an engine the workload's thread count (the same name on both), none for its own default. */
function threadArgs(w: Workload): string[] {
  return w.threads !== undefined ? ['--threads', String(w.threads)] : [];
}

/** A number from a run's output; JSON's null (no validation windows) and text that is no number are NaN. */
function numberOrNaN(x: unknown): number {
  return typeof x === 'number' ? x : NaN;
}

export interface EngineRun {
  wall: number; // seconds from process start to exit
  epochSeconds: number[];
  tokensPerSecond: number; // training tokens per second (median epoch)
  trainPpl: number;
  valPpl: number;
  valPplTail: number; // mean validation perplexity of the last TAIL_EPOCHS epochs: the final one is a noisy draw
  peakMB: number;
  detail: string; // backend and threads, or the torch version
}

/** Epochs at the end of a run whose validation perplexities are averaged (at lr 4 one epoch's moves by ~0.1-0.2). */
export const TAIL_EPOCHS = 10;

function tailMean(xs: number[]): number {
  const tail = xs.slice(-TAIL_EPOCHS);
  return tail.reduce((a, b) => a + b, 0) / tail.length;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs a command to completion; returns stdout and wall seconds, or throws with its stderr's last line. */
export function runProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ out: string; wall: number }> {
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

/** rnnlm train --json on the workload; concise selects the concise layers (PyTorch's layout). */
export async function runRnnlm(w: Workload, concise: boolean, extra: string[]): Promise<EngineRun> {
  const main = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
  const args = [main, 'train', '--json', '--epochs', String(w.epochs), '--num-hiddens', String(w.H), '--lr', String(w.lr),
    '--cell', w.cell, '--num-layers', String(w.layers), '--seed', String(w.seed), ...(concise ? ['--concise'] : []),
    ...windowArgs(w, { batch: '--batch-size', steps: '--num-steps' }), ...threadArgs(w), ...extra];
  const { out, wall } = await runProcess(process.execPath, args);
  const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const epochs = lines.filter((l) => 'epoch' in l);
  const done = lines[lines.length - 1]!;
  return {
    wall,
    epochSeconds: epochs.map((e) => numberOrNaN(e['seconds'])),
    tokensPerSecond: median(epochs.map((e) => numberOrNaN(e['tokensPerSecond']))),
    trainPpl: numberOrNaN(done['trainPpl']),
    valPpl: numberOrNaN(done['valPpl']),
    valPplTail: tailMean(epochs.map((e) => numberOrNaN(e['valPpl']))),
    peakMB: numberOrNaN(done['peakRssMB']),
    detail: `${String(done['backend'])} backend, ${String(done['threads'])} thread(s)`,
  };
}

/** D2L's PyTorch code, as rnnlm ships it. */
export const TORCH_SCRIPT = fileURLToPath(new URL('../../../../bench/torch_rnn.py', import.meta.url));

/**
 * bench/torch_rnn.py on the workload: w.threads intra-op threads (torch.set_num_threads), by default PyTorch's own
 * count as a PyTorch user gets it (one per physical core), and one BLAS thread (OpenBLAS's own threads under torch's
 * oversubscribe the cores: see its header).
 */
export async function runTorch(python: string, w: Workload, impl: 'scratch' | 'concise', version: string): Promise<EngineRun> {
  const { out, wall } = await runProcess(python, [TORCH_SCRIPT, ...threadArgs(w), '--epochs', String(w.epochs), '--hidden', String(w.H),
    '--lr', String(w.lr), '--impl', impl, '--cell', w.cell, '--layers', String(w.layers), '--seed', String(w.seed),
    ...windowArgs(w, { batch: '--batch', steps: '--steps' })], { ...process.env, OPENBLAS_NUM_THREADS: '1' });
  // the same tokens on both engines: a script that read the text otherwise would time another run
  const V = Number(/^text \w+: \d+ tokens read, vocabulary (\d+)/m.exec(out)?.[1]);
  if (V !== w.V) throw new Error(`${TORCH_SCRIPT} read a vocabulary of ${V} tokens from ${w.data}, rnnlm ${w.V}: the engines would not train on the same tokens`);
  // perplexities are numbers, or nan without validation windows (Number('nan') is NaN, as for a missing line)
  const ppl = /final train ppl (\S+) val ppl (\S+)/.exec(out);
  return {
    wall,
    epochSeconds: [...out.matchAll(/^epoch \d+ sec ([\d.]+)/gm)].map((m) => Number(m[1])),
    tokensPerSecond: Number(/train tokens\/s (\d+)/.exec(out)?.[1] ?? NaN),
    trainPpl: Number(ppl?.[1] ?? NaN),
    valPpl: Number(ppl?.[2] ?? NaN),
    valPplTail: tailMean([...out.matchAll(/^epoch \d+ .*val_ppl (\S+)/gm)].map((m) => Number(m[1]))),
    peakMB: Math.round(Number(/PEAK_RSS_KB (\d+)/.exec(out)?.[1] ?? NaN) / 1024),
    detail: `PyTorch ${version}, ${/^text \w+: .*; (\d+) threads$/m.exec(out)?.[1] ?? '?'} thread(s)`,
  };
}

/** The torch version the interpreter imports, or null when it cannot. */
export function torchVersion(python: string): string | null {
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}
