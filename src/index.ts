// rnnlm in Node: the browser entry (browser.ts) whole, plus what needs Node's files, threads or the native addon.
// Re-exports only; the two entries cannot drift, since this one is the other by construction.
export * from './browser.js';
export { selectBackend, BACKEND_NAMES, type BackendName } from './node/select-backend.js';
export { loadNativeBackend } from './node/native.js';
export { download, dataUrl, cacheDir, sha1, D2L_DATA_URL } from './node/download.js';
export { loadTimeMachineText, loadTextFile, loadCorpus, TIME_MACHINE } from './node/load.js';
export { openTextFile, readTextFile, DEFAULT_MAX_BYTES, type TextFile } from './node/text-file.js';
export { trainRun, nodeParallel, type NodeRunOptions } from './node/train-run.js';
export { saveCheckpoint, loadCheckpoint } from './node/checkpoint-file.js';
export { startDataParallel } from './node/parallel.js';
export { loadWasmTeam } from './node/wasm-team.js';
