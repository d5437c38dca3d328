// The WebAssembly SIMD backend: the kernels of asm/ (compiled to dist/wasm/kernels.wasm at install),
// behind the Backend interface. Each call lays its arrays out in the module's memory (a bump arena reset per
// call), copies inputs in (but pinned ones, copied once), runs the kernel and copies outputs out; the fused kernels by their signatures
// (signatures.ts), so no argument list is restated here. Float64 arrays go to the reference kernels (dispatch.ts).
// Works in Node and in browsers; SIMD support is probed by validating the module itself.
import { transposeByTiles } from './transpose.js';
import type { Backend } from './backend.js';
import { CELLS, cellId, gateCount, type KernelContracts } from './cells.js';
import type { FloatArray } from './arrays.js';
import { float64ToReference } from './dispatch.js';
import { referenceBackend } from './reference.js';
import { kernelBytes, type WasmSource } from './wasm-source.js';
import { controlBlock, instantiateShared, sharedMemory, WasmTeam, type SpawnHelper, type TeamHelper, type TeamKernel } from './wasm-team.js';
import { LINEAR_CROSS_ENTROPY, paramLength, paramsOf, RECURRENCE_BACKWARD, RECURRENCE_FORWARD, type KernelSignature } from './signatures.js';
// Types only: asc emits these declarations beside the module (--bindings raw, asm/asconfig.json), so a kernel whose
// signature changes in asm/ no longer type-checks here. The bindings' JavaScript is never loaded: the module is
// instantiated below from its bytes, and the raw exports take the same arguments (a boolean passes as 0 or 1).
import type { instantiate } from '../../dist/wasm/kernels.js';

type KernelExports = Awaited<ReturnType<typeof instantiate>>;

const PAGE = 65536;

/** A pinned array's copy in wasm memory. */
interface Block {
  ptr: number;
  bytes: number;
  free: boolean;
}

/**
 * Arrays placed in wasm memory for one call: pointers by position, views made after any growth. Below the per-call
 * blocks lie the pinned arrays (Backend.pin), copied in once and kept while their JavaScript arrays live: a block is
 * freed when its array is collected, reused by a later pin that fits, and the top free blocks are given back to the
 * per-call space.
 */
class Arena {
  private base: number; // the first byte of the per-call space: the end of the pinned blocks
  private readonly heapBase: number;
  /** Where each pinned array's copy lies (get of any other value, null included, is undefined). */
  readonly pinned = new WeakMap<object, number>();
  private readonly blocks: Block[] = []; // by address
  private readonly collected = new FinalizationRegistry<Block>((block) => {
    block.free = true;
    while (this.blocks.at(-1)?.free) this.blocks.pop();
    const last = this.blocks.at(-1);
    this.base = last ? align(last.ptr + last.bytes) : this.heapBase;
  });
  /** The per-call space starts at `start` (above the module's static data and a team's control block). */
  constructor(private readonly k: KernelExports, start: number) {
    this.heapBase = this.base = align(start);
  }

  /** Keeps a copy of a in memory for every later call (see Backend.pin). */
  pin(a: Float32Array): void {
    if (this.pinned.has(a)) return;
    const bytes = align(f4(a.length));
    let block = this.blocks.find((b) => b.free && b.bytes >= bytes);
    if (block) block.free = false;
    else {
      this.blocks.push((block = { ptr: this.base, bytes, free: false }));
      this.grow((this.base = align(this.base + bytes)));
    }
    this.f32(block.ptr, a.length).set(a);
    this.pinned.set(a, block.ptr);
    this.collected.register(a, block);
  }

  private grow(top: number): void {
    const have = this.k.memory.buffer.byteLength;
    if (top > have) this.k.memory.grow(Math.ceil((top - have) / PAGE));
  }

  /** Reserves consecutive 16-byte-aligned blocks of these byte sizes; grows memory once if needed. */
  place(...bytes: number[]): number[] {
    let top = this.base;
    const ptrs = bytes.map((n) => {
      const p = top;
      top = align(top + n);
      return p;
    });
    this.grow(top);
    return ptrs;
  }

  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.k.memory.buffer, ptr, n);
  }

  /** Copies arrays into memory at the given pointers. */
  write(pairs: [number, ArrayLike<number> & { length: number }][]): void {
    for (const [ptr, a] of pairs) {
      const view = a instanceof Int32Array ? new Int32Array(this.k.memory.buffer, ptr, a.length) : this.f32(ptr, a.length);
      view.set(a);
    }
  }
}

function align(n: number): number {
  return (n + 15) & ~15;
}

const f4 = (n: number): number => n * 4;

/** The first n values of a (the kernels read exactly n; a longer array must not overrun its block). */
const first = <A extends FloatArray | Int32Array>(a: A, n: number): A => (a.length === n ? a : (a.subarray(0, n) as A));

/** The contracts as the module states them (asm/contracts.ts), for every cell id of cells.ts. */
function moduleContracts(k: KernelExports): KernelContracts {
  return Object.freeze({
    gates: CELLS.map((_, id) => k.contractGates(id)),
    savedBlocks: CELLS.map((_, id) => k.contractSavedBlocks(id)),
    logitBlockRows: k.contractLogitBlockRows(),
  });
}

/** Kernel threads for wasmBackendFrom: a started team, and the least work (multiply-adds) a call splits at. */
export interface WasmThreads {
  team: WasmTeam;
  /** Calls with less work run on the calling thread alone: waking the helpers costs tens of microseconds. */
  minWork?: number;
}

/** Multiply-adds below which a call is not split: about 0.2 ms of one thread's work. */
export const TEAM_MIN_WORK = 1 << 21;

export type WasmBackend = Backend & { exp(out: Float32Array, x: Float32Array): void; tanh(out: Float32Array, x: Float32Array): void; close?(): void };

/**
 * Wraps an instantiated kernels module as a Backend; with threads (the shared build's team), its kernels split each
 * large call over the team (setThreads picks how many of its threads), the same floats on any number. Its exports
 * are typed by the emitted declarations inside this file only, so that the published declarations of this file do
 * not refer to a build product outside dist/src.
 */
export function wasmBackendFrom(exports: WebAssembly.Exports, threads?: WasmThreads): WasmBackend {
  const k = exports as unknown as KernelExports;
  // the team's control block lies just above the static data (in either build: the plain one never uses it)
  const ctrl = controlBlock(exports);
  const arena = new Arena(k, ctrl + k.teamBytes());
  const contracts = moduleContracts(k);
  const team = threads?.team;
  const minWork = threads?.minWork ?? TEAM_MIN_WORK;
  let parts = 1;
  /** The parts a call of this much work is split into. */
  const partsFor = (work: number): number => (team && work >= minWork ? parts : 1);
  const call = (kernel: TeamKernel, args: number[], p: number): number =>
    team && p > 1 ? team.run(kernel, args, p) : (k as unknown as Record<string, (...a: number[]) => number>)[kernel]!(...args, 0, 0, 1);
  const unary = (fn: (o: number, x: number, n: number) => void) => (out: Float32Array, x: Float32Array): void => {
    const [po, px] = arena.place(f4(x.length), f4(x.length));
    arena.write([[px!, x]]);
    fn(po!, px!, x.length);
    out.set(arena.f32(po!, x.length));
  };
  /**
   * A fused kernel by its signature: every array placed (a null one passes offset 0), the inputs copied in, the
   * sizes and the cell's id in their places, the scratch the kernel needs last; the outputs copied back.
   */
  const fused = (sig: KernelSignature & { name: TeamKernel }, args: Readonly<Record<string, unknown>>, work: number, scratchFloats: (parts: number) => number): number => {
    const p = partsFor(work);
    const params = paramsOf(sig);
    const arrays = params.flatMap(([name, p]) => (p.type === 'f32' || p.type === 'i32' ? [{ name, p, a: args[name] as FloatArray | Int32Array | null }] : []));
    const lengths = arrays.map(({ p, a }) => (a === null ? 0 : paramLength(p, args)));
    // a pinned array (an input: a pinned one never changes) is passed where its copy lies, neither placed nor copied
    const pins = arrays.map(({ a }) => arena.pinned.get(a!));
    const offsets = arena.place(...lengths.map((n, i) => (pins[i] ? 0 : f4(n))), f4(scratchFloats(p))).map((o, i) => pins[i] ?? o);
    arena.write(arrays.flatMap(({ p, a }, i) => (a !== null && !pins[i] && (p.type === 'i32' || p.dir !== 'out') ? [[offsets[i]!, first(a, lengths[i]!)] as [number, FloatArray | Int32Array]] : [])));
    const at = new Map(arrays.map(({ name, a }, i) => [name, a === null ? 0 : offsets[i]!]));
    const positional = params.map(([name, p]) => (p.type === 'cell' ? cellId(args[name] as never) : at.get(name) ?? (args[name] as number)));
    const result = call(sig.name, [...positional, offsets[offsets.length - 1]!], p);
    arrays.forEach(({ p, a }, i) => {
      if (a !== null && p.type === 'f32' && p.dir !== 'in') a.set(arena.f32(offsets[i]!, lengths[i]!));
    });
    return result;
  };
  return float64ToReference({
    name: 'wasm',
    contracts,
    matmul(out, a, b, n, kk, m, transA, transB, accumulate = false) {
      const pinnedB = arena.pinned.get(b); // never 0: pinned arrays lie above the module's own data
      const [po, pa, placedB, pbt] = arena.place(f4(n * m), f4(n * kk), pinnedB ? 0 : f4(kk * m), transB ? f4(kk * m) : 0);
      const pb = pinnedB ?? placedB!;
      arena.write(pinnedB ? [[pa!, first(a, n * kk)]] : [[pa!, first(a, n * kk)], [pb, first(b, kk * m)]]);
      if (accumulate) arena.write([[po!, first(out, n * m)]]);
      else arena.f32(po!, n * m).fill(0);
      if (transB) k.transpose(pbt!, pb!, m, kk); // b stored (m,k) -> (k,m)
      call('gemmPart', [po!, pa!, transB ? pbt! : pb!, n, kk, m, transA ? 1 : kk, transA ? n : 1], partsFor(n * kk * m));
      out.set(arena.f32(po!, n * m));
    },
    transpose: transposeByTiles,
    gatherRows(out, table, indices, N, W) {
      const [po, pt, pi] = arena.place(f4(N * W), f4(table.length), f4(N));
      arena.write([[pt!, table], [pi!, first(indices, N)]]);
      k.gatherRows(po!, pt!, pi!, N, W);
      out.set(arena.f32(po!, N * W));
    },
    scatterAddRows(dtable, g, indices, N, W) {
      const [pt, pg, pi] = arena.place(f4(dtable.length), f4(N * W), f4(N));
      arena.write([[pt!, dtable], [pg!, first(g, N * W)], [pi!, first(indices, N)]]);
      k.scatterAddRows(pt!, pg!, pi!, N, W);
      dtable.set(arena.f32(pt!, dtable.length));
    },
    recurrenceForward(args) {
      const work = args.T * args.B * args.H * args.H * gateCount(args.cell);
      fused(RECURRENCE_FORWARD, args, work, (p) => k.recurrenceScratchFloats(cellId(args.cell), args.B, args.H, 0, p));
    },
    recurrenceBackward(args) {
      const work = 2 * args.T * args.B * args.H * args.H * gateCount(args.cell);
      fused(RECURRENCE_BACKWARD, args, work, (p) => k.recurrenceScratchFloats(cellId(args.cell), args.B, args.H, 1, p));
    },
    linearCrossEntropy(args) {
      // with some gradient arrays but not all, the loss only (as every backend): null the others
      const grads = args.dhs !== null && args.dwhq !== null && args.dbq !== null;
      return fused(LINEAR_CROSS_ENTROPY, grads ? args : { ...args, dhs: null, dwhq: null, dbq: null }, (grads ? 3 : 1) * args.N * args.H * args.V,
        () => k.linearCrossEntropyScratchFloats(args.H, args.V));
    },
    exp: unary(k.expArray),
    tanh: unary(k.tanhArray),
    pin: (a: Float32Array) => arena.pin(a),
    ...(team ? {
      setThreads(n: number): number {
        return (parts = Math.max(1, Math.min(Math.floor(n) || 1, team.parts)));
      },
      close: () => team.close(),
    } : {}),
  });
}

/**
 * Instantiates the WebAssembly SIMD backend, from the kernels beside this module or from a URL or bytes of
 * rnnlm/kernels.wasm (for bundlers that do not copy it), or returns a one-line reason it cannot run here.
 */
export async function loadWasmBackend(source?: WasmSource): Promise<ReturnType<typeof wasmBackendFrom> | string> {
  let code: BufferSource;
  try {
    code = await kernelBytes(source);
  } catch (e) {
    return (e as Error).message;
  }
  // a dev server answers a wrong path with its index page (which is no reason to blame SIMD)
  if (!WebAssembly.validate(code)) return 'no WebAssembly SIMD here, or not the kernels at that URL';
  const { instance } = await WebAssembly.instantiate(code);
  return wasmBackendFrom(instance.exports);
}

/**
 * The WebAssembly backend on `threads` threads: the shared build (kernels-shared.wasm's bytes) instantiated over one
 * shared memory, with threads - 1 helpers that spawn starts (each joins with serveTeam); or a one-line reason it
 * cannot run here (no shared memory: a page that is not cross-origin isolated). close() stops the helpers.
 */
export async function loadWasmTeamBackend(wasm: BufferSource, threads: number, spawn: SpawnHelper, minWork?: number): Promise<WasmBackend | string> {
  if (typeof SharedArrayBuffer === 'undefined') return 'no shared memory here (a page must be cross-origin isolated: COOP and COEP headers)';
  if (!WebAssembly.validate(wasm)) return 'no WebAssembly SIMD and threads here, or not the shared kernels';
  let memory: WebAssembly.Memory;
  try {
    memory = sharedMemory();
  } catch (e) {
    return `cannot make a shared WebAssembly memory: ${(e as Error).message}`;
  }
  const exports = await instantiateShared(wasm, memory);
  const ctrl = controlBlock(exports);
  const bytes = ArrayBuffer.isView(wasm) ? new Uint8Array(wasm.buffer as ArrayBuffer, wasm.byteOffset, wasm.byteLength) : new Uint8Array(wasm);
  const helpers: TeamHelper[] = [];
  const started = await Promise.allSettled(Array.from({ length: Math.max(0, Math.floor(threads) - 1) }, (_, i) =>
    spawn({ type: 'team', wasm: bytes, memory, ctrl, part: i + 1 }).then((h) => helpers.push(h))));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    for (const h of helpers) h.terminate();
    return `cannot start the kernel threads: ${((failed as PromiseRejectedResult).reason as Error)?.message ?? failed}`;
  }
  const team = new WasmTeam(exports, memory, ctrl, helpers.length + 1, helpers);
  const backend = wasmBackendFrom(exports, { team, ...(minWork !== undefined ? { minWork } : {}) });
  backend.setThreads!(team.parts);
  return backend;
}

/** Each source's backend, loaded once however many models use it (undefined: the default location). */
const shared = new Map<WasmSource | undefined, Promise<Backend>>();
let warned = false;

/**
 * The WebAssembly backend for a source, shared; when it cannot load, the reference backend, with one console
 * warning per page saying why (a page that falls back silently runs many times slower without a word).
 */
export function wasmOrReference(source?: WasmSource): Promise<Backend> {
  let loading = shared.get(source);
  if (!loading) {
    shared.set(source, (loading = loadWasmBackend(source).then((loaded) => {
      if (typeof loaded !== 'string') return loaded;
      if (!warned) console.warn(`rnnlm: slow reference kernels, not WebAssembly: ${loaded}`);
      warned = true;
      return referenceBackend;
    })));
  }
  return loading;
}
