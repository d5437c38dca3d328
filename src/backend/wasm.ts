// The WebAssembly SIMD backend: the kernels of asm/ (compiled to dist/wasm/kernels.wasm at install),
// behind the Backend interface. Each call lays its arrays out in the module's memory (a bump arena reset per
// call), copies inputs in, runs the kernel and copies outputs out. Float64 arrays go to the reference kernels.
// Works in Node and in browsers; SIMD support is probed by validating the module itself.
import type { Backend } from './backend.js';
import { referenceBackend } from './reference.js';
import { CELLS, cellId, hasCellState, type Cell, type KernelContracts } from './cells.js';
import type { FloatArray } from './backend.js';
// Types only: asc emits these declarations beside the module (--bindings raw, asm/asconfig.json), so a kernel whose
// signature changes in asm/ no longer type-checks here. The bindings' JavaScript is never loaded: the module is
// instantiated below from its bytes, and the raw exports take the same arguments (a boolean passes as 0 or 1).
import type { instantiate } from '../../dist/wasm/kernels.js';

type KernelExports = Awaited<ReturnType<typeof instantiate>>;

const PAGE = 65536;

/** Arrays placed in wasm memory for one call: pointers by position, views made after any growth. */
class Arena {
  private readonly base: number;
  constructor(private readonly k: KernelExports) {
    this.base = align(k.heapBase());
  }

  /** Reserves consecutive 16-byte-aligned blocks of these byte sizes; grows memory once if needed. */
  place(...bytes: number[]): number[] {
    let top = this.base;
    const ptrs = bytes.map((n) => {
      const p = top;
      top = align(top + n);
      return p;
    });
    const have = this.k.memory.buffer.byteLength;
    if (top > have) this.k.memory.grow(Math.ceil((top - have) / PAGE));
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

function isF32(...arrays: FloatArray[]): boolean {
  return arrays.every((a) => a instanceof Float32Array);
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

/**
 * Wraps an instantiated kernels module as a Backend. Its exports are typed by the emitted declarations inside this
 * file only, so that the published declarations of this file do not refer to a build product outside dist/src.
 */
export function wasmBackendFrom(exports: WebAssembly.Exports): Backend & { exp(out: Float32Array, x: Float32Array): void; tanh(out: Float32Array, x: Float32Array): void } {
  const k = exports as unknown as KernelExports;
  const arena = new Arena(k);
  const contracts = moduleContracts(k);
  /** A cell's id and sizes by the module's contracts: G*H, S*H floats per row, C = B*H floats of cell state (or 0). */
  const shapes = (cell: Cell, B: number, H: number) => {
    const id = cellId(cell);
    return { id, GH: contracts.gates[id]! * H, SH: contracts.savedBlocks[id]! * H, C: hasCellState(cell) ? B * H : 0 };
  };
  const unary = (fn: (o: number, x: number, n: number) => void) => (out: Float32Array, x: Float32Array): void => {
    const [po, px] = arena.place(f4(x.length), f4(x.length));
    arena.write([[px!, x]]);
    fn(po!, px!, x.length);
    out.set(arena.f32(po!, x.length));
  };
  return {
    name: 'wasm',
    contracts,
    matmul(out, a, b, n, kk, m, transA, transB) {
      if (!isF32(out, a, b)) return referenceBackend.matmul(out, a, b, n, kk, m, transA, transB);
      const [po, pa, pb, pbt] = arena.place(f4(n * m), f4(n * kk), f4(kk * m), transB ? f4(kk * m) : 0);
      arena.write([[pa!, first(a, n * kk)], [pb!, first(b, kk * m)]]);
      arena.f32(po!, n * m).fill(0);
      if (transB) k.transpose(pbt!, pb!, m, kk); // b stored (m,k) -> (k,m)
      k.gemm(po!, pa!, transB ? pbt! : pb!, n, kk, m, transA ? 1 : kk, transA ? n : 1);
      out.set(arena.f32(po!, n * m));
    },
    gatherRows(out, table, indices, N, W) {
      if (!isF32(out, table)) return referenceBackend.gatherRows(out, table, indices, N, W);
      const [po, pt, pi] = arena.place(f4(N * W), f4(table.length), f4(N));
      arena.write([[pt!, table], [pi!, first(indices, N)]]);
      k.gatherRows(po!, pt!, pi!, N, W);
      out.set(arena.f32(po!, N * W));
    },
    scatterAddRows(dtable, g, indices, N, W) {
      if (!isF32(dtable, g)) return referenceBackend.scatterAddRows(dtable, g, indices, N, W);
      const [pt, pg, pi] = arena.place(f4(dtable.length), f4(N * W), f4(N));
      arena.write([[pt!, dtable], [pg!, first(g, N * W)], [pi!, first(indices, N)]]);
      k.scatterAddRows(pt!, pg!, pi!, N, W);
      dtable.set(arena.f32(pt!, dtable.length));
    },
    recurrenceForward(hs, saved, xw, wh, bh, h0, c0, B, T, H, cell) {
      const { id, GH, SH, C } = shapes(cell, B, H);
      if (!isF32(hs, saved, xw, wh, bh, h0, ...(C ? [c0] : []))) {
        return referenceBackend.recurrenceForward(hs, saved, xw, wh, bh, h0, c0, B, T, H, cell);
      }
      const N = T * B;
      const [phs, psv, pxw, pwh, pbh, ph0, pc0, pscr] = arena.place(f4(N * H), f4(N * SH), f4(N * GH), f4(H * GH), f4(GH),
        f4(B * H), f4(C), f4(k.recurrenceScratchFloats(id, B, H, 0)));
      arena.write([[pxw!, first(xw, N * GH)], [pwh!, first(wh, H * GH)], [pbh!, first(bh, GH)], [ph0!, first(h0, B * H)], [pc0!, first(c0, C)]]);
      k.recurrenceForward(phs!, psv!, pxw!, pwh!, pbh!, ph0!, pc0!, B, T, H, id, pscr!);
      hs.set(arena.f32(phs!, N * H));
      saved.set(arena.f32(psv!, N * SH));
    },
    recurrenceBackward(dxw, dwh, dbh, dh0, dc0, dhs, hs, saved, h0, c0, wh, B, T, H, cell) {
      const { id, GH, SH, C } = shapes(cell, B, H);
      if (!isF32(dxw, dwh, dbh, dh0, dhs, hs, saved, h0, wh, ...(C ? [dc0, c0] : []))) {
        return referenceBackend.recurrenceBackward(dxw, dwh, dbh, dh0, dc0, dhs, hs, saved, h0, c0, wh, B, T, H, cell);
      }
      const N = T * B;
      const [pdxw, pdwh, pdbh, pdh0, pdc0, pdhs, phs, psv, ph0, pc0, pwh, pscr] = arena.place(f4(N * GH), f4(H * GH), f4(GH),
        f4(B * H), f4(C), f4(N * H), f4(N * H), f4(N * SH), f4(B * H), f4(C), f4(H * GH), f4(k.recurrenceScratchFloats(id, B, H, 1)));
      arena.write([[pdwh!, first(dwh, H * GH)], [pdbh!, first(dbh, GH)], [pdhs!, first(dhs, N * H)], [phs!, first(hs, N * H)],
        [psv!, first(saved, N * SH)], [ph0!, first(h0, B * H)], [pc0!, first(c0, C)], [pwh!, first(wh, H * GH)]]);
      k.recurrenceBackward(pdxw!, pdwh!, pdbh!, pdh0!, pdc0!, pdhs!, phs!, psv!, ph0!, pc0!, pwh!, B, T, H, id, pscr!);
      dxw.set(arena.f32(pdxw!, N * GH));
      dwh.set(arena.f32(pdwh!, H * GH));
      dbh.set(arena.f32(pdbh!, GH));
      dh0.set(arena.f32(pdh0!, B * H));
      if (C) dc0.set(arena.f32(pdc0!, C));
    },
    linearCrossEntropy(hs, whq, bq, labels, N, H, V, dhs, dwhq, dbq, gradScale) {
      const grads = dhs !== null && dwhq !== null && dbq !== null;
      if (!isF32(hs, whq, bq, ...(grads ? [dhs, dwhq, dbq] : [])) || (dhs !== null && !grads)) {
        return referenceBackend.linearCrossEntropy(hs, whq, bq, labels, N, H, V, dhs, dwhq, dbq, gradScale);
      }
      const [phs, pwhq, pbq, plab, pdhs, pdwhq, pdbq, pscr] = arena.place(f4(N * H), f4(H * V), f4(V), f4(N),
        grads ? f4(N * H) : 0, f4(H * V), f4(V), f4(contracts.logitBlockRows * V + V * H));
      arena.write([[phs!, hs], [pwhq!, whq], [pbq!, bq], [plab!, labels]]);
      if (grads) arena.write([[pdwhq!, dwhq], [pdbq!, dbq]]);
      const loss = k.linearCrossEntropy(phs!, pwhq!, pbq!, plab!, N, H, V, pdhs!, pdwhq!, pdbq!, grads, gradScale, pscr!);
      if (grads) {
        dhs.set(arena.f32(pdhs!, N * H));
        dwhq.set(arena.f32(pdwhq!, H * V));
        dbq.set(arena.f32(pdbq!, V));
      }
      return loss;
    },
    exp: unary(k.expArray),
    tanh: unary(k.tanhArray),
  };
}

/** The compiled kernels' bytes: read from disk in Node, fetched in a browser. */
async function kernelBytes(): Promise<Uint8Array<ArrayBuffer>> {
  // a literal new URL(..., import.meta.url): bundlers (Vite, webpack, esbuild) copy the module and rewrite the URL
  const url = new URL('../../wasm/kernels.wasm', import.meta.url);
  if (url.protocol === 'file:') {
    // Node: read the file through process.getBuiltinModule, so that no bundler sees a node: import in this graph
    const fs = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:fs') as
      typeof import('node:fs') | undefined;
    if (!fs) throw new Error('this runtime cannot read files (Node 20.16 or later reads the kernels from disk)');
    return new Uint8Array(fs.readFileSync(url));
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot fetch ${url.href}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * Instantiates the WebAssembly SIMD backend, or returns a reason it cannot run here (no SIMD, module missing).
 */
export async function loadWasmBackend(bytes?: Uint8Array<ArrayBuffer>): Promise<ReturnType<typeof wasmBackendFrom> | string> {
  let code: Uint8Array<ArrayBuffer>;
  try {
    code = bytes ?? (await kernelBytes());
  } catch (e) {
    return `the WebAssembly kernels are not built (${(e as Error).message}); run npm run build`;
  }
  if (!WebAssembly.validate(code)) return 'this runtime does not support WebAssembly SIMD';
  const { instance } = await WebAssembly.instantiate(code);
  return wasmBackendFrom(instance.exports);
}
