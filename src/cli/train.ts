// rnnlm train: the book's run from the command line (defaults are D2L 9.5's), one line or JSON object per epoch.
import { BACKEND_NAMES, selectBackend } from '../backend/select.js';
import { TimeMachine } from '../data/timemachine.js';
import { loadTextFile, loadTimeMachineText } from '../data/load.js';
import { Rng } from '../tensor/random.js';
import { saveCheckpoint } from '../train/checkpoint-file.js';
import { BOOK_CONFIG, createModel, validateConfig, type TrainConfig } from '../train/config.js';
import { DataParallel } from '../train/parallel.js';
import { Trainer, type EpochStats } from '../train/trainer.js';
import { availableParallelism } from 'node:os';

/** Two threads pay on two cores (measured: see README, Performance); more cores, more threads, up to 4. */
export const DEFAULT_THREADS = Math.max(1, Math.min(4, availableParallelism()));
import { choiceFlag, numberFlag, parseFlags, positiveInt, stringFlag } from './args.js';

export const TRAIN_HELP = `Usage: rnnlm train [options]

Trains D2L 9.5's character RNN language model; the defaults are the book's run.

Options (book names in brackets):
  --epochs N        passes over the training windows [max_epochs] (default ${BOOK_CONFIG.epochs})
  --batch-size N    windows per minibatch [batch_size] (default ${BOOK_CONFIG.batchSize})
  --num-steps N     characters per window [num_steps] (default ${BOOK_CONFIG.numSteps})
  --num-hiddens N   hidden units [num_hiddens] (default ${BOOK_CONFIG.numHiddens})
  --lr X            SGD learning rate [lr] (default ${BOOK_CONFIG.lr})
  --clip X          clip the global gradient norm to X, 0 = no clipping [gradient_clip_val] (default ${BOOK_CONFIG.clip})
  --sigma X         initial weights ~ N(0,1) * X [sigma] (default ${BOOK_CONFIG.sigma})
  --num-train N     training windows [num_train] (default ${BOOK_CONFIG.numTrain})
  --num-val N       validation windows [num_val] (default ${BOOK_CONFIG.numVal})
  --activation F    tanh or relu (default ${BOOK_CONFIG.activation})
  --seed N          seed for initialisation and shuffling (default ${BOOK_CONFIG.seed})
  --data FILE       train on this text file instead of The Time Machine
  --out FILE        save the trained model (weights, vocabulary, settings) to FILE
  --engine E        fused (fast kernels, default) or book (the book's op-by-op tensor code)
  --backend B       auto (WebAssembly SIMD where supported, default), wasm or reference (plain TypeScript)
  --threads N       split each batch across N threads (default: ${DEFAULT_THREADS}, from the cores available)
  --json            print one JSON object per line instead of text
  -h, --help        show this help

The Time Machine is downloaded from ${'$'}RNNLM_DATA_URL (default: the D2L data bucket) and cached in
${'$'}RNNLM_CACHE_DIR (default: ~/.cache/rnnlm). Offline: RNNLM_DATA_URL=file:///path/to/folder/
`;

const OPTIONS = {
  epochs: { type: 'string' }, 'batch-size': { type: 'string' }, 'num-steps': { type: 'string' },
  'num-hiddens': { type: 'string' }, lr: { type: 'string' }, clip: { type: 'string' }, sigma: { type: 'string' },
  'num-train': { type: 'string' }, 'num-val': { type: 'string' }, activation: { type: 'string' }, seed: { type: 'string' },
  data: { type: 'string' }, out: { type: 'string' }, engine: { type: 'string' }, backend: { type: 'string' }, threads: { type: 'string' }, json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function trainCommand(argv: string[], print: (line: string) => void): Promise<void> {
  const { flags } = parseFlags(argv, OPTIONS);
  if (flags['help']) return print(TRAIN_HELP.trimEnd());
  const config: TrainConfig = validateConfig({
    epochs: numberFlag(flags, 'epochs', BOOK_CONFIG.epochs, { integer: true, min: 0 }),
    batchSize: positiveInt(flags, 'batch-size', BOOK_CONFIG.batchSize),
    numSteps: positiveInt(flags, 'num-steps', BOOK_CONFIG.numSteps),
    numHiddens: positiveInt(flags, 'num-hiddens', BOOK_CONFIG.numHiddens),
    lr: numberFlag(flags, 'lr', BOOK_CONFIG.lr, { min: 0, exclusiveMin: true }),
    clip: numberFlag(flags, 'clip', BOOK_CONFIG.clip, { min: 0 }),
    sigma: numberFlag(flags, 'sigma', BOOK_CONFIG.sigma, { min: 0, exclusiveMin: true }),
    numTrain: positiveInt(flags, 'num-train', BOOK_CONFIG.numTrain),
    numVal: numberFlag(flags, 'num-val', BOOK_CONFIG.numVal, { integer: true, min: 0 }),
    activation: choiceFlag(flags, 'activation', ['tanh', 'relu'], BOOK_CONFIG.activation),
    seed: numberFlag(flags, 'seed', BOOK_CONFIG.seed, { integer: true, min: 0 }),
  });
  const engine = choiceFlag(flags, 'engine', ['fused', 'book'], 'fused');
  const backendName = choiceFlag(flags, 'backend', BACKEND_NAMES, 'auto');
  const backend = await selectBackend(backendName, (m) => process.stderr.write(`rnnlm: ${m}\n`));
  const threads = positiveInt(flags, 'threads', DEFAULT_THREADS);
  const json = flags['json'] === true;
  const dataFile = stringFlag(flags, 'data');
  const out = stringFlag(flags, 'out');

  const text = dataFile !== undefined ? await loadTextFile(dataFile) : await loadTimeMachineText();
  const data = new TimeMachine(text, config);
  const rng = new Rng(config.seed);
  const model = createModel(config, data.vocab.length, rng, engine === 'fused');
  if (!json) print(`training on ${dataFile ?? 'The Time Machine'}: ${data.corpus.length} characters, vocabulary ${data.vocab.length}, ` +
    `${config.numTrain} training / ${config.numVal} validation windows of ${config.numSteps}; ${backend.name} backend, ${threads} thread${threads > 1 ? 's' : ''}`);

  const started = performance.now();
  const parallel = threads > 1 ? DataParallel.start(threads, { config, vocabSize: data.vocab.length, backend: backendName, fused: engine === 'fused' }) : null;
  const trainer = new Trainer({
    maxEpochs: config.epochs,
    gradientClipVal: config.clip,
    rng,
    onEpoch: (s) => print(json ? JSON.stringify(s) : formatEpoch(s, config.epochs)),
    ...(parallel ? { computeGradients: parallel.gradients, computeLoss: parallel.loss } : {}),
  });
  const history = await trainer.fit(model, data).finally(() => parallel?.close());
  const last = history[history.length - 1];
  const prediction = model.predict('it has', 20, data.vocab);
  const seconds = (performance.now() - started) / 1000;
  if (out !== undefined) await saveCheckpoint(out, { model, vocab: data.vocab, config });
  if (json) {
    print(JSON.stringify({ done: true, trainPpl: last?.trainPpl ?? NaN, valPpl: last?.valPpl ?? NaN, prediction, seconds, peakRssMB: peakRssMB(), backend: backend.name, threads }));
  } else {
    print(`done in ${seconds.toFixed(1)} s` + (last ? `: train ppl ${last.trainPpl.toFixed(2)}, val ppl ${last.valPpl.toFixed(2)}` : ''));
    print(`predict('it has', 20): ${prediction}`);
    if (out !== undefined) print(`saved the model to ${out}`);
  }
}

function formatEpoch(s: EpochStats, total: number): string {
  const width = String(total).length;
  return `epoch ${String(s.epoch).padStart(width)}/${total}  train ppl ${s.trainPpl.toFixed(2).padStart(6)}  ` +
    `val ppl ${s.valPpl.toFixed(2).padStart(6)}  ${s.seconds.toFixed(2)} s  ${Math.round(s.tokensPerSecond / 1000)}k tokens/s`;
}

/** Peak resident memory of this process (all threads), in MiB. */
function peakRssMB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
