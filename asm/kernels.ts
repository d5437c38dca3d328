// WebAssembly SIMD kernels (AssemblyScript, compiled by `asc` at npm install): the fast twins of
// src/backend/reference.ts, float32 only. This entry file is the module's export list; each concept has its file.
// Arguments are byte offsets into this module's memory, laid out by src/backend/wasm.ts; outputs first, sizes last.
// Letters: B batch, T steps, H hidden, G gate blocks, V vocabulary, N rows, W row width.
//   contracts.ts      cell ids, gate and saved-block counts, the output block, recurrence scratch sizes
//   vecmath.ts        exp, tanh and sigmoid on 4 lanes
//   gemm.ts           the blocked product, transpose and row copies
//   rows.ts           gatherRows and scatterAddRows
//   recurrence.ts     recurrenceForward and recurrenceBackward for every cell
//   cross-entropy.ts  the output layer fused with softmax cross-entropy
//   team.ts           the meeting of a kernel's parts on several threads (the shared build: kernels-shared.wasm)

/** First free byte after the module's static data: where the JavaScript side starts its arena. */
export function heapBase(): usize {
  return __heap_base;
}

export { contractGates, contractSavedBlocks, contractLogitBlockRows, recurrenceScratchFloats } from './contracts';
export { expArray, tanhArray } from './vecmath';
export { gemm, gemmPart, transpose } from './gemm';
export { gatherRows, scatterAddRows } from './rows';
export { recurrenceForward, recurrenceBackward } from './recurrence';
export { linearCrossEntropy, linearCrossEntropyScratchFloats } from './cross-entropy';
export { teamBytes } from './team';
