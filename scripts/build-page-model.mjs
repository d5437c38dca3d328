#!/usr/bin/env node
// Builds the page's ready-trained model, web/public/timemachine-gru.safetensors: a GRU of 128 hidden units trained
// on the packaged Time Machine (data/timemachine.txt) by the library's trainRun with a fixed seed, saved with its
// weights only (no optimizer buffers: 257 kB, where Adam's would triple it). The page fetches it after its first
// paint, so a visitor can generate before training anything.
// Reproducible: the WebAssembly kernels on one thread compute the same floats on every machine (the native kernels
// may use FMA or not, by CPU), so the same sources give the same bytes. The file is committed rather than built by
// `npm run build:web`, which stays a few seconds: training takes 20 to 40 s on one core.
//   node scripts/build-page-model.mjs           writes the file (after npm run build)
//   node scripts/build-page-model.mjs --check   builds it in memory and exits 1 if the committed file differs
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'web', 'public', 'timemachine-gru.safetensors');

/**
 * The run: Adam at 0.01 on the whole text (full split, the last 10% validating) in windows of 32 characters, 64 a
 * batch. Validation perplexity flattens near 4.5 after about 12 epochs (4.48 at 12, 4.41 at 20).
 */
export const PAGE_MODEL = {
  cell: 'gru', numHiddens: 128, optimizer: 'adam', lr: 0.01, split: 'full', batchSize: 64, numSteps: 32, epochs: 12, seed: 1,
};

/** Trains the page's model and returns its checkpoint bytes and last epoch's numbers. */
export async function buildPageModel(log = () => {}) {
  const lib = await import('../dist/src/index.js');
  const wasm = await lib.loadWasmBackend();
  if (typeof wasm === 'string') throw new Error(wasm);
  lib.setBackend(wasm);
  const config = lib.validateConfig({ ...lib.BOOK_CONFIG, ...PAGE_MODEL });
  const text = readFileSync(join(ROOT, 'data', 'timemachine.txt'), 'utf8');
  const r = await lib.trainRun(config, text, {
    threads: 1,
    onEpoch: (e) => log(`epoch ${e.epoch}/${config.epochs}: train ppl ${e.trainPpl.toFixed(2)}, val ppl ${e.valPpl.toFixed(2)}`),
  });
  return { bytes: lib.encodeCheckpoint({ model: r.model, vocab: r.data.vocab, config }), last: r.history.at(-1) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  if (args.some((a) => a !== '--check')) {
    console.error('usage: node scripts/build-page-model.mjs [--check]');
    process.exit(2);
  }
  try {
    const { bytes } = await buildPageModel((line) => console.error(line));
    if (args.includes('--check')) {
      const same = Buffer.compare(Buffer.from(bytes), readFileSync(OUT)) === 0;
      console.log(same ? `${OUT} is what this script builds` : `${OUT} differs from what this script builds: run it without --check`);
      process.exit(same ? 0 : 1);
    }
    writeFileSync(OUT, bytes);
    console.log(`wrote ${OUT} (${bytes.length.toLocaleString('en-US')} bytes)`);
  } catch (e) {
    console.error(`build-page-model: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
