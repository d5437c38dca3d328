// rnnlm's library surface: re-exports only.
export * from './tensor/index.js';
export { getBackend, setBackend, type Backend, type Activation } from './backend/backend.js';
export { referenceBackend } from './backend/reference.js';
export { Vocab, UNK, type VocabOptions } from './data/vocab.js';
export { preprocess, tokenize } from './data/preprocess.js';
export { TimeMachine, type TimeMachineOptions, type Batch } from './data/timemachine.js';
export { download, dataUrl, cacheDir, sha1, D2L_DATA_URL } from './data/download.js';
export { loadTimeMachineText, loadTextFile, TIME_MACHINE } from './data/load.js';
export { RNNScratch, RNNLMScratch, argmax, type RNNScratchOptions, type RNNLMScratchOptions } from './models/rnn.js';
export { clipGradients } from './train/clip.js';
export { sgdStep } from './train/sgd.js';
export { Trainer, localGradients, validationPerplexity, type EpochStats, type TrainerOptions } from './train/trainer.js';
export { BOOK_CONFIG, createModel, validateConfig, type TrainConfig } from './train/config.js';
export { encodeCheckpoint, decodeCheckpoint, type Checkpoint } from './train/checkpoint.js';
export { saveCheckpoint, loadCheckpoint } from './train/checkpoint-file.js';
export { encodeSafetensors, decodeSafetensors } from './train/safetensors.js';
