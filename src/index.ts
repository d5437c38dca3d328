// rnnlm in Node: the browser entry (browser.ts) whole, plus what needs Node's files, threads or the native addon.
// Re-exports only; the two entries cannot drift, since this one is the other by construction.
export * from './browser.js';
export { selectBackend, BACKEND_NAMES, type BackendName } from './backend/select.js';
export { loadNativeBackend } from './backend/native.js';
export { download, dataUrl, cacheDir, sha1, D2L_DATA_URL } from './data/download.js';
export { loadTimeMachineText, loadTextFile, loadCorpus, TIME_MACHINE } from './data/load.js';
export { openTextFile, readTextFile, DEFAULT_MAX_BYTES, type TextFile } from './data/text-file.js';
export { trainRun, type RunOptions, type RunResult } from './train/run.js';
export { saveCheckpoint, loadCheckpoint } from './train/checkpoint-file.js';
export { startDataParallel } from './train/parallel.js';
