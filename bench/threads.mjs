// What sharing the native kernels among threads costs, against the work it shares (issue 19): one meeting of the
// threads inside a region (what a recurrence pays once per step), one region that does nothing (what every split
// product pays to start and end), and, for scale, one step of the char-rnn LSTM 512's recurrence (batch 50) on 1
// thread and on every core. Interleaved rounds, the median of each; run on a quiet machine.
// Usage: node bench/threads.mjs [rounds=5] (after npm run build and the native build).
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { loadNativeBackend, nativeAddonPath } from '../dist/src/node/native.js';
import { gateCount, savedBlocks } from '../dist/src/backend/cells.js';

const rounds = Number(process.argv[2] ?? 5);
const nb = await loadNativeBackend();
if (typeof nb === 'string') throw new Error(nb);
const addon = createRequire(import.meta.url)(nativeAddonPath());
const cores = availableParallelism();
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

// one step of a 2-layer char-rnn layer: B 50, H 512, LSTM (T steps timed, divided by T)
const [B, T, H, cell] = [50, 50, 512, 'lstm'];
const G = gateCount(cell), S = savedBlocks(cell);
const rand = (n) => Float32Array.from({ length: n }, () => (Math.random() - 0.5) * 0.1);
const xw = rand(B * T * G * H), wh = rand(H * G * H), bh = rand(G * H), h0 = rand(B * H), c0 = rand(B * H);
const hs = new Float32Array(B * T * H), saved = new Float32Array(B * T * S * H);
const stepNs = () => {
  const t0 = process.hrtime.bigint();
  nb.recurrenceForward({ hs, saved, xw, wh, bh, h0, c0, B, T, H, cell });
  return Number(process.hrtime.bigint() - t0) / T;
};

const results = { meet: [], region: [], step1: [], stepAll: [] };
let granted = 1;
for (let r = 0; r < rounds; r++) {
  nb.setThreads(1);
  results.step1.push(stepNs());
  granted = nb.setThreads(cores);
  results.meet.push(addon.threadMeeting(2000, 1));
  results.region.push(addon.threadMeeting(2000, 0));
  results.stepAll.push(stepNs());
}
nb.setThreads(1);
const [meet, region, step1, stepAll] = ['meet', 'region', 'step1', 'stepAll'].map((k) => median(results[k]));
console.log(`native ${nb.isa}, ${granted} threads of ${cores} cores, ${rounds} interleaved rounds (medians)`);
console.log(`one meeting of ${granted} threads:          ${(meet / 1000).toFixed(2)} us`);
console.log(`one empty region on ${granted} threads:     ${(region / 1000).toFixed(2)} us`);
console.log(`LSTM 512 recurrence step, batch 50, 1 thread:   ${(step1 / 1000).toFixed(1)} us`);
console.log(`the same step on ${granted} threads:            ${(stepAll / 1000).toFixed(1)} us (${(step1 / stepAll).toFixed(2)}x; the meeting is ${(100 * meet / stepAll).toFixed(1)}% of it)`);
