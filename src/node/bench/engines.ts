// The engines the benchmark runs, each as its own process so that memory and threads are measured alone:
// rnnlm's CLI (scratch or concise model) and D2L's PyTorch code (bench/torch_rnn.py: the book's scratch loop, or
// torch.nn's layers), with the run's statistics parsed from their output.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CellKind } from '../../models/cell-factory.js';

/** One benchmarked configuration: the book's run of a model. */
export interface Workload {
  cell: CellKind;
  layers: number;
  H: number; // hidden units
  lr: number; // the book's learning rate for the model
  epochs: number;
  seed: number; // run r uses seed r, so that repeated runs also give the spread of final perplexity over seeds
  V: number; // vocabulary size: 28 for The Time Machine, else a synthetic text of V - 1 characters (and <unk>)
  data?: string; // the synthetic text's path (raw text), when V is not the book's
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
    ...(w.data !== undefined ? ['--data', w.data, '--text', 'raw'] : []), ...extra];
  const { out, wall } = await runProcess(process.execPath, args);
  const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, number> & { backend?: string });
  const epochs = lines.filter((l) => 'epoch' in l);
  const done = lines[lines.length - 1]!;
  return {
    wall,
    epochSeconds: epochs.map((e) => e['seconds']!),
    tokensPerSecond: median(epochs.map((e) => e['tokensPerSecond']!)),
    trainPpl: done['trainPpl']!,
    valPpl: done['valPpl']!,
    valPplTail: tailMean(epochs.map((e) => e['valPpl']!)),
    peakMB: done['peakRssMB']!,
    detail: `${done.backend} backend, ${done['threads']} thread(s)`,
  };
}

/** bench/torch_rnn.py on the workload, with one BLAS thread (two oversubscribe 2 cores: see its header). */
export async function runTorch(python: string, dataPath: string, w: Workload, impl: 'scratch' | 'concise', version: string): Promise<EngineRun> {
  const script = fileURLToPath(new URL('../../../../bench/torch_rnn.py', import.meta.url));
  const { out, wall } = await runProcess(python, [script, '--data', dataPath, '--epochs', String(w.epochs), '--hidden', String(w.H),
    '--lr', String(w.lr), '--impl', impl, '--cell', w.cell, '--layers', String(w.layers), '--seed', String(w.seed)], { ...process.env, OPENBLAS_NUM_THREADS: '1' });
  const ppl = /final train ppl ([\d.]+) val ppl ([\d.]+)/.exec(out);
  return {
    wall,
    epochSeconds: [...out.matchAll(/^epoch \d+ sec ([\d.]+)/gm)].map((m) => Number(m[1])),
    tokensPerSecond: Number(/train tokens\/s (\d+)/.exec(out)?.[1] ?? NaN),
    trainPpl: Number(ppl?.[1] ?? NaN),
    valPpl: Number(ppl?.[2] ?? NaN),
    valPplTail: tailMean([...out.matchAll(/^epoch \d+ .*val_ppl ([\d.]+)/gm)].map((m) => Number(m[1]))),
    peakMB: Math.round(Number(/PEAK_RSS_KB (\d+)/.exec(out)?.[1] ?? NaN) / 1024),
    detail: `PyTorch ${version}`,
  };
}

/** The torch version the interpreter imports, or null when it cannot. */
export function torchVersion(python: string): string | null {
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}
