// The native kernels alone at the sizes people train, against the FMA probe measured in the same run: where the
// time of a large model's epoch goes, kernel by kernel (GFLOP/s and share of one core's peak).
// Usage: node bench/kernels.mjs [B=1024] [T=32] [H=256] [reps=3] [threads=1] (after npm run build). The arrays live where
// a training step's do: 4 MB and up on the backend's largeArray (huge pages: src/tensor/buffer-pool.ts).
import { loadNativeBackend, nativeAddonPath } from '../dist/src/node/native.js';
import { gateCount, savedBlocks } from '../dist/src/backend/cells.js';

const [B, T, H, reps, threads] = [1024, 32, 256, 3, 1].map((d, i) => Number(process.argv[2 + i] ?? d));
const cell = 'lstm';
const nb = await loadNativeBackend();
if (typeof nb === 'string') throw new Error(nb);
nb.setThreads(threads);
const { LARGE_ARRAY_BYTES } = await import('../dist/src/tensor/buffer-pool.js');
const G = gateCount(cell), S = savedBlocks(cell);
const zeros = (n) => (n * 4 >= LARGE_ARRAY_BYTES ? nb.largeArray(n) : new Float32Array(n));
const rand = (n) => {
  const a = zeros(n); // filled in place: map would return an ordinary array
  for (let i = 0; i < n; i++) a[i] = (Math.random() - 0.5) * 0.1;
  return a;
};
const N = B * T;
const x = rand(N * H), wx = rand(H * G * H), xw = rand(N * G * H), wh = rand(H * G * H), bh = rand(G * H);
const h0 = rand(B * H), c0 = rand(B * H), hs = zeros(N * H), saved = zeros(N * S * H);
const dxw = zeros(N * G * H), dwh = zeros(H * G * H), dbh = zeros(G * H);
const dh0 = zeros(B * H), dc0 = zeros(B * H), dhs = rand(N * H), dwx = zeros(H * G * H);
const dx = zeros(N * H);
const time = (f) => { const t0 = performance.now(); f(); return (performance.now() - t0) / 1000; };
const probe = nb.isa && (await import('node:module')).createRequire(import.meta.url)(nativeAddonPath()).fmaProbe(300);
const cases = {
  'input projection X W_x (N,H)@(H,4H)': [2 * N * H * G * H, () => nb.matmul(xw, x, wx, N, H, G * H, false, false)],
  'dX = dXW W_x^T (N,4H)@(4H,H)': [2 * N * H * G * H, () => nb.matmul(dx, dxw, wx, N, G * H, H, false, true)],
  'dW_x = X^T dXW (H,N)@(N,4H)': [2 * N * H * G * H, () => nb.matmul(dwx, x, dxw, H, N, G * H, true, false)],
  'recurrence forward (T steps)': [2 * N * H * G * H, () => nb.recurrenceForward({ hs, saved, xw, wh, bh, h0, c0, B, T, H, cell })],
  'recurrence backward (T steps)': [4 * N * H * G * H, () => nb.recurrenceBackward({ dxw, dwh, dbh, dh0, dc0, dhs, hs, saved, h0, c0, wh, B, T, H, cell })],
};
console.log(`native ${nb.isa}, B ${B}, T ${T}, H ${H}, LSTM, ${threads} thread(s); one core's FMA probe ${probe.toFixed(1)} GFLOP/s (shares below: of ${threads} such cores)`);
const best = {};
for (let r = 0; r < reps; r++) for (const [name, [, f]] of Object.entries(cases)) best[name] = Math.min(best[name] ?? Infinity, time(f));
for (const [name, [flop]] of Object.entries(cases)) {
  const g = flop / best[name] / 1e9;
  console.log(`${name.padEnd(40)} ${(best[name] * 1000).toFixed(1).padStart(8)} ms ${g.toFixed(1).padStart(7)} GFLOP/s ${(100 * g / (probe * threads)).toFixed(1).padStart(5)}% of peak`);
}
