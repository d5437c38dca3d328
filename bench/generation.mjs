// Generation speed (issue 19): tokens per second of batch-1 generation from a 2-layer LSTM of 512 units (the
// char-rnn size; any checkpoint with --model), on each backend, in one interleaved run: every round runs each
// backend once, so the machine's drift hits all alike, and the table gives each backend's median and its ratio to
// native within the same rounds. Also: the time from reading the file to the first generated token (what a page's
// visitor waits after the download), through the library's loadModel (wasm) and through the CLI's path.
// Usage: npm run build && node bench/generation.mjs [TOKENS] [ROUNDS] [--model FILE]   (not a test)
import { readFileSync } from 'node:fs';
import { loadCheckpointContents } from '../dist/src/node/checkpoint-file.js';
import { ForwardNet } from '../dist/src/models/forward-net.js';
import { referenceBackend } from '../dist/src/backend/reference.js';
import { loadWasmBackend } from '../dist/src/backend/wasm.js';
import { loadNativeBackend } from '../dist/src/node/native.js';
import { loadModel } from '../dist/src/inference.js';
import { encodeCheckpoint } from '../dist/src/train/checkpoint/checkpoint.js';
import { BOOK_CONFIG, createModel } from '../dist/src/train/config/config.js';
import { Vocab } from '../dist/src/data/vocab.js';
import { Rng } from '../dist/src/tensor/random.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const modelAt = args.indexOf('--model');
const positional = args.filter((_, i) => i !== modelAt && i !== modelAt + 1 || modelAt < 0);
const TOKENS = Number(positional[0] ?? 2000);
const ROUNDS = Number(positional[1] ?? 5);

let path = modelAt >= 0 ? args[modelAt + 1] : null;
if (!path) {
  // char-rnn's size: 2 LSTM layers of 512 units (concise: torch.nn.LSTM's layout), The Time Machine's 28 characters
  const vocab = new Vocab([...readFileSync(new URL('../data/timemachine.txt', import.meta.url), 'utf8').toLowerCase().replace(/[^a-z ]/g, ' ').slice(0, 100_000)]);
  const config = { ...BOOK_CONFIG, cell: 'lstm', numLayers: 2, numHiddens: 512, concise: true };
  const model = createModel(config, vocab.length, new Rng(1));
  path = join(mkdtempSync(join(tmpdir(), 'rnnlm-gen-')), 'lstm-2x512.safetensors');
  writeFileSync(path, encodeCheckpoint({ model, vocab, config }));
}
const { weights, vocab, config } = await loadCheckpointContents(path);
const backends = [referenceBackend];
const wasm = await loadWasmBackend();
if (typeof wasm !== 'string') backends.unshift(wasm);
const native = await loadNativeBackend();
if (typeof native !== 'string') backends.unshift(native);

/** Seconds for TOKENS greedy steps (each step feeds the argmax of the last logits), one backend. */
function timeSteps(backend, tokens) {
  const net = new ForwardNet(config, vocab.length, weights, backend);
  let out = net.stepToken(0, undefined);
  const t0 = performance.now();
  for (let i = 0; i < tokens; i++) {
    let best = 0;
    for (let j = 1; j < out.logits.length; j++) if (out.logits[j] > out.logits[best]) best = j;
    out = net.stepToken(best, out.state);
  }
  return (performance.now() - t0) / 1000;
}

const times = new Map(backends.map((b) => [b.name, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const b of backends) times.get(b.name).push(timeSteps(b, b.name === 'reference' ? Math.min(TOKENS, 200) : TOKENS) / (b.name === 'reference' ? Math.min(TOKENS, 200) : TOKENS));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const H = config.numHiddens;
// per token: the recurrent product of every layer, the input product of every layer but the first (a token picks a
// row of its table), the output layer: 2 flops a multiply-add
const G = { rnn: 1, gru: 3, lstm: 4 }[config.cell];
const flopsPerToken = 2 * G * H * H * (2 * config.numLayers - 1) + 2 * H * vocab.length;
console.log(`model: ${config.numLayers}-layer ${config.cell} of ${H} units, vocabulary ${vocab.length}, ${(flopsPerToken / 1e6).toFixed(1)} MFLOP a token; ${ROUNDS} interleaved rounds of ${TOKENS} tokens (reference: 200)`);
console.log('| backend | ms a token (median) | tokens/s | GFLOP/s | time / native (per round, median) |');
console.log('| --- | --- | --- | --- | --- |');
const nativeTimes = times.get('native');
for (const [name, ts] of times) {
  const m = median(ts);
  const ratio = nativeTimes ? median(ts.map((t, i) => t / nativeTimes[i])).toFixed(2) : '';
  console.log(`| ${name} | ${(m * 1000).toFixed(3)} | ${Math.round(1 / m)} | ${(flopsPerToken / m / 1e9).toFixed(2)} | ${ratio} |`);
}
// the first token after the file is read, as a page's visitor waits for it: loadModel (parse, check, lay out, pin) then one token
const bytes = new Uint8Array(readFileSync(path));
const firsts = [];
for (let r = 0; r < ROUNDS; r++) {
  const t0 = performance.now();
  const m = await loadModel(bytes);
  for await (const piece of m.generate('the time', { numPreds: 1 })) void piece;
  firsts.push((performance.now() - t0) / 1000);
}
console.log(`loadModel(${(bytes.length / 1e6).toFixed(1)} MB) to the first generated token (wasm): ${(median(firsts) * 1000).toFixed(0)} ms (median of ${ROUNDS})`);
