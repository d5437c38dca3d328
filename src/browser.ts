// rnnlm's browser-safe surface: everything that needs neither Node's file system nor its threads.
// The browser page (web/) imports from here; Node users import 'rnnlm' (src/index.ts).
export * from './tensor/index.js';
export { getBackend, setBackend, type Backend, type Activation } from './backend/backend.js';
export { referenceBackend } from './backend/reference.js';
export { loadWasmBackend } from './backend/wasm.js';
export { Vocab, UNK } from './data/vocab.js';
export { preprocess, tokenize } from './data/preprocess.js';
export { decodeText, stripGutenberg } from './data/text.js';
export { TimeMachine, type Batch } from './data/timemachine.js';
export { RNNScratch, RNNLMScratch } from './models/rnn.js';
export { argmax, makePicker, samplingDistribution, type DecodeOptions } from './generate/sampling.js';
export { scoreText } from './generate/score.js';
export { Trainer, TrainingDiverged, TrainingInterrupted, localGradients, type EpochStats, type BatchProgress } from './train/trainer.js';
export { BOOK_CONFIG, createModel, validateConfig, type TrainConfig } from './train/config.js';
export { encodeCheckpoint, decodeCheckpoint, type Checkpoint } from './train/checkpoint.js';
export { perplexityChart, chartPoints, type RunCurve } from './plot/chart.js';
