// The WebAssembly backend's kernel threads (src/backend/wasm-team.ts) against the same backend on one thread, and
// the native kernels on the same threads as the machine's anchor, in one interleaved run: each round measures the
// machine's peak (native FMA probe), then trains every configuration once per engine, alternating. Reports seconds
// per epoch (median of the rounds), tokens/s, GFLOP/s and share of the peak measured in the same round, and the
// ratio of the one-thread wasm time to the threads' time, round by round (the machine's speed drifts between rounds).
// The floats are the same on every thread count (test/backend/wasm-team.test.ts), so the runs' perplexities agree
// exactly between the two wasm engines.
// Usage: npm run build && node bench/wasm-threads.mjs [ROUNDS] [THREADS]   (not a test; writes markdown to stdout)
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWasmBackend } from '../dist/src/backend/wasm.js';
import { setBackend } from '../dist/src/backend/current.js';
import { loadNativeBackend } from '../dist/src/node/native.js';
import { loadWasmTeam } from '../dist/src/node/wasm-team.js';
import { trainRun } from '../dist/src/node/train-run.js';
import { BOOK_CONFIG } from '../dist/src/train/config/config.js';
import { measurePeak } from '../dist/src/node/bench/peak.js';
import { flopsPerEpoch } from '../dist/src/node/bench/flops.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.argv[2] ?? 2);
const THREADS = Number(process.argv[3] ?? availableParallelism());
const timeMachine = readFileSync(join(ROOT, 'data', 'timemachine.txt'), 'utf8');
const shakespeare = (() => {
  const dir = process.env.RNNLM_DATA_URL?.startsWith('file:') ? fileURLToPath(process.env.RNNLM_DATA_URL) : join(ROOT, '..', 'shared', 'data');
  return readFileSync(join(dir, 'tinyshakespeare.txt'), 'utf8');
})();

/** The configurations: the book's RNN, char-rnn's 2-layer LSTM 512, and a 2-layer LSTM 256 at the book's batch. */
const CONFIGS = [
  { name: "the book's RNN (9.5), H 32, batch 1024, 5 epochs", text: timeMachine, config: { ...BOOK_CONFIG, epochs: 5 } },
  { name: "char-rnn's 2-layer LSTM 512, batch 50, 50 steps, 400 windows (Tiny Shakespeare)", text: shakespeare,
    config: { ...BOOK_CONFIG, cell: 'lstm', concise: true, numLayers: 2, numHiddens: 512, batchSize: 50, numSteps: 50, numTrain: 400, numVal: 0, text: 'raw', epochs: 1 } },
  { name: '2-layer LSTM 256, batch 1024, 32 steps, 4,096 windows', text: timeMachine,
    config: { ...BOOK_CONFIG, cell: 'lstm', concise: true, numLayers: 2, numHiddens: 256, numTrain: 4096, numVal: 0, epochs: 1 } },
];

const plain = await loadWasmBackend();
const team = await loadWasmTeam(THREADS);
const native = await loadNativeBackend();
for (const b of [plain, team]) if (typeof b === 'string') throw new Error(b);
const ENGINES = [
  { name: 'wasm, 1 thread', backend: plain, threads: 1 },
  { name: `wasm, ${THREADS} kernel threads`, backend: team, threads: THREADS, parallelism: 'kernels' }, // at every size, to show where they pay
  ...(typeof native === 'string' ? [] : [{ name: `native, ${THREADS} threads (auto)`, backend: native, threads: THREADS }]),
];

const rows = new Map(); // config -> engine -> [{ seconds, tps, gflops, share, ppl }]
const ratios = new Map(); // config -> [wasm 1 / wasm N per round]
for (let round = 0; round < ROUNDS; round++) {
  const peak = await measurePeak();
  for (const { name, text, config } of CONFIGS) {
    const byEngine = rows.get(name) ?? new Map();
    rows.set(name, byEngine);
    const times = [];
    for (const e of ENGINES) {
      setBackend(e.backend);
      const r = await trainRun({ ...config, seed: round + 1 }, text, { threads: e.threads, ...(e.parallelism ? { parallelism: e.parallelism } : {}) });
      const s = r.history.reduce((a, h) => a + h.seconds, 0) / r.history.length;
      const layers = config.numLayers ?? 1;
      const flops = flopsPerEpoch(config.cell ?? 'rnn', layers, config.numHiddens, r.data.vocab.length, config);
      const gflops = flops / s / 1e9;
      const list = byEngine.get(e.name) ?? [];
      list.push({ seconds: s, tps: r.history[0].tokensPerSecond, gflops, share: gflops / peak.gflops, ppl: r.history.at(-1).trainPpl, threads: r.threads, mode: r.parallelism });
      byEngine.set(e.name, list);
      times.push(s);
    }
    ratios.set(name, [...(ratios.get(name) ?? []), times[0] / times[1]]);
  }
  console.error(`round ${round + 1}/${ROUNDS}: peak ${peak.gflops.toFixed(0)} GFLOP/s (${peak.detail})`);
}
team.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const fmt = (x, d = 2) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
console.log(`| configuration | engine | s/epoch (median) | tokens/s | GFLOP/s | share of peak | final train ppl |`);
console.log(`| --- | --- | --- | --- | --- | --- | --- |`);
for (const [config, byEngine] of rows) {
  for (const [engine, runs] of byEngine) {
    console.log(`| ${config} | ${engine}${runs[0].threads > 1 ? ` (${runs[0].mode})` : ''} | ${fmt(median(runs.map((r) => r.seconds)))} | ${fmt(median(runs.map((r) => r.tps)), 0)} | ` +
      `${fmt(median(runs.map((r) => r.gflops)), 1)} | ${runs.map((r) => `${fmt(100 * r.share, 1)}%`).join(', ')} | ${runs.map((r) => fmt(r.ppl, 3)).join(', ')} |`);
  }
}
console.log('');
console.log(`| configuration | wasm 1 thread / ${THREADS} kernel threads, each round |`);
console.log('| --- | --- |');
for (const [config, rs] of ratios) console.log(`| ${config} | ${rs.map((r) => `${fmt(r)}x`).join(', ')} |`);
