// One epoch of training in a Web Worker on the WebAssembly backend, with the browser build of 'rnnlm'; the page
// posts the kernels' URL when its bundler does not copy them (undefined: beside the bundle).
import { BOOK_CONFIG, Rng, TimeMachine, Trainer, createModel, getBackend, loadWasmBackend, setBackend } from 'rnnlm';

const TEXT = `The Time Traveller (for so it will be convenient to speak of him) was expounding a recondite matter to us.
His grey eyes shone and twinkled, and his usually pale face was flushed and animated. The fire burned brightly, and the
soft radiance of the incandescent lights in the lilies of silver caught the bubbles that flashed and passed in our
glasses. Our chairs, being his patents, embraced and caressed us rather than submitted to be sat upon, and there was
that luxurious after-dinner atmosphere when thought roams gracefully free of the trammels of precision.`.repeat(3);

async function run(source: string | undefined): Promise<void> {
  const wasm = await loadWasmBackend(source);
  if (typeof wasm === 'string') throw new Error(wasm);
  setBackend(wasm);
  const config = { ...BOOK_CONFIG, epochs: 1, batchSize: 16, numSteps: 8, numHiddens: 16, numTrain: 400, numVal: 100 };
  const data = new TimeMachine(TEXT, { batchSize: config.batchSize, numSteps: config.numSteps, numTrain: config.numTrain, numVal: config.numVal });
  const model = createModel(config, data.vocab.length, new Rng(config.seed));
  const trainer = new Trainer({ maxEpochs: 1, gradientClipVal: config.clip, rng: new Rng(config.seed) });
  const [stats] = await trainer.fit(model, data);
  if (!stats) throw new Error('no epoch trained');
  postMessage({ epoch: stats.epoch, trainPpl: stats.trainPpl, valPpl: stats.valPpl, backend: getBackend().name });
}

onmessage = (e: MessageEvent<{ wasm?: string }>) => {
  run(e.data.wasm).catch((e: unknown) => postMessage({ error: e instanceof Error ? e.message : String(e) }));
};
