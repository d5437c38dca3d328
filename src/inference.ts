// Inference in a page in ten lines: load a checkpoint (bytes, a File or a URL) and generate text from it, greedily,
// sampled or by beam search, as a stream of pieces or as one string.
//
//   import { loadModel } from 'rnnlm/inference';
//   const m = await loadModel('./model.safetensors');
//   for await (const piece of m.generate('it has', { numPreds: 200 })) out.textContent += piece;
//
// Browser-safe: no Node built-ins and no top-level await anywhere in this module's imports (a test walks them), so
// that any bundler builds it for any format. The WebAssembly kernels are fetched from beside the bundle
// (new URL(..., import.meta.url) in backend/wasm-source.ts), or from LoadOptions.wasm where a bundler does not copy
// them, and are not counted in its size (at most 15 kB gzipped).
// The model runs as a ForwardNet (models/forward-net.ts): the kernels alone, without tensors, autograd or the
// training code, which keeps the bundle small; it computes the same floats as the model classes.
import type { Backend } from './backend/backend.js';
import { referenceBackend } from './backend/reference.js';
import { nodeFs } from './util/node-fs.js';
import { wasmOrReference } from './backend/wasm.js';
import type { WasmSource } from './backend/wasm-source.js';
import type { Vocab } from './data/vocab.js';
import { generateText, generateTexts, type GenerateOptions } from './generate/generate.js';
import { startSession, type TextSession } from './generate/session.js';
import { ForwardNet } from './models/forward-net.js';
import { readCheckpoint, type CheckpointContents } from './train/checkpoint/read.js';
import type { TrainConfig } from './train/config/config-schema.js';

export type { GenerateOptions, TokenStepper } from './generate/generate.js';
export type { ForwardNet, NetState } from './models/forward-net.js';
export type { DecodeOptions } from './generate/sampling.js';
export type { TextSession, TokenChance } from './generate/session.js';
export type { WasmSource } from './backend/wasm-source.js';
export { OptionError } from './util/option-error.js'; // what a refused option throws: .in(words) names the options your way

/** Where a checkpoint comes from: its bytes, a Blob or File (an <input type="file">), or a URL to fetch. */
export type ModelSource = Uint8Array | ArrayBuffer | Blob | URL | string;

export interface LoadOptions {
  /**
   * true (default): the WebAssembly SIMD kernels when the runtime runs them, else plain TypeScript (with one console
   * warning saying why); false: plain TypeScript; a URL or the bytes of rnnlm/kernels.wasm: those kernels, for a
   * bundler that does not copy the file beside the bundle (esbuild).
   */
  wasm?: boolean | WasmSource;
  /** The largest model accepted, in bytes (default 512 MiB), counted as it arrives: a wrong URL cannot fill memory. */
  maxBytes?: number;
  /** How long fetching a URL may take in all, in milliseconds (default 60,000). */
  timeoutMs?: number;
  /** Stops fetching (the promise rejects) when aborted. */
  signal?: AbortSignal;
}

/** loadModel's default byte cap and fetch deadline. */
export const MODEL_MAX_BYTES = 512 * 1024 * 1024;
export const MODEL_TIMEOUT_MS = 60_000;

/** Decoding options (maxNewTokens defaults to 100; greedy unless sample; sampling is random unless a seed is given). */
export type TextOptions = GenerateOptions;

export interface TextModel {
  readonly vocab: Vocab;
  readonly config: TrainConfig;
  /** The forward pass generation runs (one token at a time). */
  readonly model: ForwardNet;
  /** The kernels this model generates with. */
  readonly backend: 'wasm' | 'reference';
  /** The text piece by piece: the prefix as the model reads it first, then each new token (beam search: all at once). */
  generate(prefix: string, options?: TextOptions & { onText?: (piece: string) => void }): AsyncGenerator<string>;
  /** The whole text (prefix included), as `rnnlm generate` prints it. */
  text(prefix: string, options?: TextOptions): Promise<string>;
  /** numReturnSequences texts (samples, or the best beams) and the sampling seed used (to make them again). */
  texts(prefix: string, options?: TextOptions & { onText?: (piece: string, index: number) => void | Promise<void> }): Promise<{ texts: string[]; seed?: number }>;
  /** The step API: the next token's probabilities after the prefix, then after each token fed (your own decoding). */
  start(prefix: string): TextSession;
}

/** One line from any thrown value (error messages of fetch and of the runtime can span lines). */
const oneLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');

/** A file: URL read in Node (whose fetch cannot), without a node: import that a bundler would see. */
function readFileUrl(url: URL, max: number): Uint8Array | undefined {
  const fs = nodeFs();
  if (!fs) return undefined;
  // a FIFO or a device would block or never end; the size is checked before anything is allocated
  const info = fs.statSync(url);
  if (!info.isFile()) throw new Error('not a regular file');
  if (info.size > max) throw new Error(`${info.size} bytes, above the limit of ${max} (LoadOptions.maxBytes)`);
  const bytes = new Uint8Array(fs.readFileSync(url));
  if (bytes.length > max) throw new Error(`more than ${max} bytes, above the limit of ${max} (LoadOptions.maxBytes)`);
  return bytes;
}

/** The checkpoint's bytes and a name for messages; at most max bytes, counted while a response arrives. */
async function bytesOf(source: ModelSource, { maxBytes: max = MODEL_MAX_BYTES, timeoutMs = MODEL_TIMEOUT_MS, signal }: LoadOptions): Promise<[Uint8Array, string]> {
  const named = typeof source === 'string' || source instanceof URL ? String(source) : (source as { name?: string }).name || 'the model file';
  const fail = (why: string): Error => new Error(`cannot load the model from ${named}: ${why}`);
  const tooBig = (n: number | string): Error => fail(`${n} bytes, above the limit of ${max} (LoadOptions.maxBytes)`);
  const size = (source as { byteLength?: number; size?: number }).byteLength ?? (source as { size?: number }).size;
  if (size !== undefined && size > max) throw tooBig(size);
  if (source instanceof Uint8Array) return [source, named];
  if (source instanceof ArrayBuffer) return [new Uint8Array(source), named];
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    try {
      return [new Uint8Array(await source.arrayBuffer()), named];
    } catch (e) {
      throw new Error(`cannot read ${named}: ${oneLine(e)}`);
    }
  }
  if (typeof source !== 'string' && !(source instanceof URL)) throw new Error('loadModel needs bytes, a Blob or File, or a URL');
  let url: URL;
  try {
    // relative URLs resolve against the page (or worker) as fetch would
    url = new URL(source, (globalThis as { location?: { href: string } }).location?.href);
  } catch {
    throw fail('not a URL (pass the file\'s bytes, a File or an absolute URL)');
  }
  if (url.protocol === 'file:') {
    try {
      const bytes = readFileUrl(url, max);
      if (bytes) return [bytes, url.pathname];
    } catch (e) {
      throw fail(oneLine(e));
    }
  }
  // one signal for the caller's abort and the deadline; its reason says which
  const stop = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])]);
  const why = (e: unknown): string => stop.aborted
    ? (signal?.aborted ? 'aborted' : `no complete answer within ${timeoutMs / 1000} s (LoadOptions.timeoutMs)`)
    : oneLine(e) + ((e as { cause?: unknown }).cause ? ` (${oneLine((e as { cause?: unknown }).cause)})` : ''); // Node's fetch keeps the reason in its cause
  try {
    const res = await fetch(url, { signal: stop });
    if (!res.ok) throw fail(`HTTP ${res.status}`);
    if (Number(res.headers.get('content-length')) > max) throw tooBig(res.headers.get('content-length')!);
    const type = res.headers.get('content-type') ?? '';
    if (/^text\/html/i.test(type)) throw fail(`expected an rnnlm checkpoint, got ${type.split(';')[0]} (a page, not a model file: check the URL)`);
    const parts: Uint8Array[] = [];
    let total = 0;
    const reader = res.body!.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      total += r.value.length;
      if (total > max) {
        void reader.cancel();
        throw tooBig(`more than ${max}`);
      }
      parts.push(r.value);
    }
    const bytes = new Uint8Array(total);
    total = 0;
    for (const p of parts) bytes.set(p, (total += p.length) - p.length);
    return [bytes, named];
  } catch (e) {
    throw (e as Error).message?.startsWith('cannot load the model') ? e : fail(why(e));
  }
}

/** Loads a checkpoint written by `rnnlm train --out` or the page, ready to generate text. */
export async function loadModel(source: ModelSource, options: LoadOptions = {}): Promise<TextModel> {
  const [bytes, name] = await bytesOf(source, options);
  let checkpoint: CheckpointContents;
  try {
    checkpoint = readCheckpoint(bytes, name);
  } catch (e) {
    throw new Error(oneLine(e));
  }
  const { weights, vocab, config } = checkpoint;
  const { wasm = true } = options;
  const backend: Backend = wasm === false ? referenceBackend : await wasmOrReference(wasm === true ? undefined : wasm);
  const model = new ForwardNet(config, vocab.length, weights, backend);

  async function* generate(prefix: string, opts: TextOptions & { onText?: (piece: string) => void } = {}): AsyncGenerator<string> {
    const { onText, ...decoding } = opts;
    yield* generateText(model, vocab, prefix, decoding, onText);
  }

  return {
    vocab, config, model,
    backend: backend === referenceBackend ? 'reference' : 'wasm',
    generate,
    async text(prefix, opts) {
      let out = '';
      for await (const piece of generate(prefix, opts)) out += piece;
      return out;
    },
    texts(prefix, { onText, ...decoding } = {}) {
      return generateTexts(model, vocab, prefix, decoding, onText);
    },
    start: (prefix) => startSession(model, vocab, prefix),
  };
}
