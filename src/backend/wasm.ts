// The WebAssembly SIMD backend: the kernels of asm/kernels.ts (compiled to dist/wasm/kernels.wasm at install),
// behind the Backend interface. Each call lays its arrays out in the module's memory (a bump arena reset per
// call), copies inputs in, runs the kernel and copies outputs out. Float64 arrays go to the reference kernels.
// Works in Node and in browsers; SIMD support is probed by validating the module itself.
import type { Backend } from './backend.js';
import { referenceBackend } from './reference.js';
import { CONTRACTS } from './cells.js';
import type { FloatArray } from '../tensor/tensor.js';

interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  gemm(out: number, a: number, b: number, n: number, k: number, m: number, sai: number, sap: number): void;
  transpose(out: number, x: number, r: number, c: number): void;
  linearCrossEntropy(hs: number, whq: number, bq: number, labels: number, N: number, H: number, V: number,
    dhs: number, dwhq: number, dbq: number, grads: number, gradScale: number, scratch: number): number;
  expArray(out: number, x: number, n: number): void;
  tanhArray(out: number, x: number, n: number): void;
}

/** Rows of logits the output kernel handles at once (CHUNK in asm/kernels.ts). */
const CHUNK = 256;
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

/** Wraps instantiated kernels as a Backend. */
export function wasmBackendFrom(k: KernelExports): Backend & { exp(out: Float32Array, x: Float32Array): void; tanh(out: Float32Array, x: Float32Array): void } {
  const arena = new Arena(k);
  const unary = (fn: (o: number, x: number, n: number) => void) => (out: Float32Array, x: Float32Array): void => {
    const [po, px] = arena.place(f4(x.length), f4(x.length));
    arena.write([[px!, x]]);
    fn(po!, px!, x.length);
    out.set(arena.f32(po!, x.length));
  };
  return {
    name: 'wasm',
    contracts: CONTRACTS, // TODO(kernels): read from the module once it states them
    matmul(out, a, b, n, kk, m, transA, transB) {
      if (!isF32(out, a, b)) return referenceBackend.matmul(out, a, b, n, kk, m, transA, transB);
      const [po, pa, pb, pbt] = arena.place(f4(n * m), f4(n * kk), f4(kk * m), transB ? f4(kk * m) : 0);
      arena.write([[pa!, a], [pb!, b]]);
      arena.f32(po!, n * m).fill(0);
      if (transB) k.transpose(pbt!, pb!, m, kk); // b stored (m,k) -> (k,m)
      k.gemm(po!, pa!, transB ? pbt! : pb!, n, kk, m, transA ? 1 : kk, transA ? n : 1);
      out.set(arena.f32(po!, n * m));
    },
    // recurrence: the reference kernels until asm/ has its own (see the note in asm/kernels.ts)
    gatherRows: referenceBackend.gatherRows,
    scatterAddRows: referenceBackend.scatterAddRows,
    recurrenceForward: referenceBackend.recurrenceForward,
    recurrenceBackward: referenceBackend.recurrenceBackward,
    linearCrossEntropy(hs, whq, bq, labels, N, H, V, dhs, dwhq, dbq, gradScale) {
      const grads = dhs !== null && dwhq !== null && dbq !== null;
      if (!isF32(hs, whq, bq, ...(grads ? [dhs, dwhq, dbq] : [])) || (dhs !== null && !grads)) {
        return referenceBackend.linearCrossEntropy(hs, whq, bq, labels, N, H, V, dhs, dwhq, dbq, gradScale);
      }
      const [phs, pwhq, pbq, plab, pdhs, pdwhq, pdbq, pscr] = arena.place(f4(N * H), f4(H * V), f4(V), f4(N),
        grads ? f4(N * H) : 0, f4(H * V), f4(V), f4(CHUNK * V + V * H));
      arena.write([[phs!, hs], [pwhq!, whq], [pbq!, bq], [plab!, labels]]);
      if (grads) arena.write([[pdwhq!, dwhq], [pdbq!, dbq]]);
      const loss = k.linearCrossEntropy(phs!, pwhq!, pbq!, plab!, N, H, V, pdhs!, pdwhq!, pdbq!, grads ? 1 : 0, gradScale, pscr!);
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
  const url = new URL(/* @vite-ignore */ '../../wasm/kernels.wasm', import.meta.url); // the page passes bytes instead
  if (url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return new Uint8Array(await readFile(url));
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
  return wasmBackendFrom(instance.exports as unknown as KernelExports);
}
