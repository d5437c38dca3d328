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
export { RNNScratch } from './models/rnn.js';
export { RNNLMScratch, RNNLM, type RNNLMScratchOptions, type BatchResult } from './models/language-model.js';
export { LSTMScratch } from './models/lstm.js';
export { GRUScratch } from './models/gru.js';
export { StackedRNNScratch, type StackedRNNScratchOptions } from './models/stacked.js';
export { BiRNNScratch, type BiRNNScratchOptions } from './models/bidirectional.js';
export { RNN, GRU, LSTM, type ConciseRNNOptions } from './models/concise.js';
export { scratchCell, CELL_KINDS, type CellKind } from './models/cell-factory.js';
export type { RecurrentLayer, State, LayerInput } from './models/layer.js';
export type { ScratchCellOptions } from './models/scratch-cell.js';
export { CELLS, gateCount, type Cell } from './backend/cells.js';
export { BOOK_PRESETS, bookPreset } from './train/presets.js';
export { argmax, makePicker, samplingDistribution, type DecodeOptions } from './generate/sampling.js';
export { scoreText } from './generate/score.js';
export { Trainer, TrainingDiverged, TrainingInterrupted, localGradients, type EpochStats, type BatchProgress } from './train/trainer.js';
export { BOOK_CONFIG, createModel, validateConfig, modelLabel, parameterCount, type TrainConfig } from './train/config.js';
export { encodeCheckpoint, decodeCheckpoint, type Checkpoint } from './train/checkpoint.js';
export { perplexityChart, chartPoints, type RunCurve } from './plot/chart.js';
