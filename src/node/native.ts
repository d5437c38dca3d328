// The native backend (Node only): C++ kernels from native/, built by node-gyp at npm install when a compiler is
// present. The build is portable: the kernels are compiled for several vector widths (AVX-512, AVX2 and SSE2 on
// x86-64, one generic version elsewhere) and the addon picks the widest this CPU runs when it loads; `isa` says
// which (RNNLM_NATIVE_ISA=avx2 or sse2 asks for a narrower one, to test or compare them on one machine).
// Typed arrays go in by pointer, with no copies; the addon checks their lengths against the sizes.
// Float64 arrays go to the reference kernels. Optional: loadNativeBackend says why it cannot run.
import type { Backend } from '../backend/backend.js';
import { referenceBackend } from '../backend/reference.js';
import { cellId, type KernelContracts } from '../backend/cells.js';
import type { FloatArray } from '../backend/backend.js';

/** The kernel variant the addon chose for this CPU. */
export type NativeIsa = 'avx512' | 'avx2' | 'sse2' | 'generic';

interface NativeAddon {
  isa(): NativeIsa;
  contracts(): KernelContracts;
  gemm(out: Float32Array, a: Float32Array, b: Float32Array, n: number, k: number, m: number, sai: number, sap: number): void;
  gatherRows(out: Float32Array, table: Float32Array, indices: Int32Array, N: number, W: number): void;
  scatterAddRows(dtable: Float32Array, g: Float32Array, indices: Int32Array, N: number, W: number): void;
  recurrenceForward(hs: Float32Array, saved: Float32Array, xw: Float32Array, wh: Float32Array, bh: Float32Array, h0: Float32Array,
    c0: Float32Array, B: number, T: number, H: number, cell: number): void;
  recurrenceBackward(dxw: Float32Array, dwh: Float32Array, dbh: Float32Array, dh0: Float32Array, dc0: Float32Array, dhs: Float32Array,
    hs: Float32Array, saved: Float32Array, h0: Float32Array, c0: Float32Array, wh: Float32Array, B: number, T: number, H: number, cell: number): void;
  linearCrossEntropy(hs: Float32Array, whq: Float32Array, bq: Float32Array, labels: Int32Array, N: number, H: number, V: number,
    dhs: Float32Array | null, dwhq: Float32Array | null, dbq: Float32Array | null, gradScale: number): number;
  expArray(out: Float32Array, x: Float32Array, n: number): void;
  tanhArray(out: Float32Array, x: Float32Array, n: number): void;
  /** This core's peak GFLOP/s by the chosen variant's fused multiply-add, measured for about ms milliseconds. */
  fmaProbe(ms: number): number;
}

const f32 = (a: FloatArray): a is Float32Array => a instanceof Float32Array;
type F32 = Float32Array;

export type NativeBackend = Backend & {
  /** The kernel variant running: 'avx512', 'avx2', 'sse2' (x86-64) or 'generic'. */
  readonly isa: NativeIsa;
  exp(out: Float32Array, x: Float32Array): void;
  tanh(out: Float32Array, x: Float32Array): void;
};

export function nativeBackendFrom(addon: NativeAddon): NativeBackend {
  return {
    name: 'native',
    isa: addon.isa(),
    contracts: addon.contracts(),
    matmul(out, a, b, n, k, m, transA, transB) {
      if (!f32(out) || !f32(a) || !f32(b)) return referenceBackend.matmul(out, a, b, n, k, m, transA, transB);
      let bb = b;
      if (transB) {
        // b stored (m,k): lay it out as (k,m) for the row-major kernel
        bb = new Float32Array(k * m);
        for (let j = 0; j < m; j++) for (let p = 0; p < k; p++) bb[p * m + j] = b[j * k + p]!;
      }
      out.fill(0);
      addon.gemm(out, a, bb, n, k, m, transA ? 1 : k, transA ? n : 1);
    },
    gatherRows(out, table, indices, N, W) {
      if (!f32(out) || !f32(table)) return referenceBackend.gatherRows(out, table, indices, N, W);
      addon.gatherRows(out, table, indices, N, W);
    },
    scatterAddRows(dtable, g, indices, N, W) {
      if (!f32(dtable) || !f32(g)) return referenceBackend.scatterAddRows(dtable, g, indices, N, W);
      addon.scatterAddRows(dtable, g, indices, N, W);
    },
    recurrenceForward(hs, saved, xw, wh, bh, h0, c0, B, T, H, cell) {
      if (![hs, saved, xw, wh, bh, h0, c0].every(f32)) return referenceBackend.recurrenceForward(hs, saved, xw, wh, bh, h0, c0, B, T, H, cell);
      addon.recurrenceForward(hs as F32, saved as F32, xw as F32, wh as F32, bh as F32, h0 as F32, c0 as F32, B, T, H, cellId(cell));
    },
    recurrenceBackward(dxw, dwh, dbh, dh0, dc0, dhs, hs, saved, h0, c0, wh, B, T, H, cell) {
      if (![dxw, dwh, dbh, dh0, dc0, dhs, hs, saved, h0, c0, wh].every(f32)) {
        return referenceBackend.recurrenceBackward(dxw, dwh, dbh, dh0, dc0, dhs, hs, saved, h0, c0, wh, B, T, H, cell);
      }
      addon.recurrenceBackward(dxw as F32, dwh as F32, dbh as F32, dh0 as F32, dc0 as F32, dhs as F32, hs as F32, saved as F32,
        h0 as F32, c0 as F32, wh as F32, B, T, H, cellId(cell));
    },
    linearCrossEntropy(hs, whq, bq, labels, N, H, V, dhs, dwhq, dbq, gradScale) {
      const grads = dhs !== null && dwhq !== null && dbq !== null;
      if (![hs, whq, bq, ...(grads ? [dhs, dwhq, dbq] : [])].every(f32) || (dhs !== null && !grads)) {
        return referenceBackend.linearCrossEntropy(hs, whq, bq, labels, N, H, V, dhs, dwhq, dbq, gradScale);
      }
      return addon.linearCrossEntropy(hs as Float32Array, whq as Float32Array, bq as Float32Array, labels, N, H, V,
        dhs as Float32Array | null, dwhq as Float32Array | null, dbq as Float32Array | null, gradScale);
    },
    exp: (out, x) => addon.expArray(out, x, x.length),
    tanh: (out, x) => addon.tanhArray(out, x, x.length),
  };
}

/** Where npm install builds the addon (the file may not exist): for loading it in worker threads too. */
export function nativeAddonPath(): string {
  const url = new URL('../../../build/Release/rnnlm_native.node', import.meta.url);
  return decodeURIComponent(url.pathname.replace(/^\/([A-Za-z]:)/, '$1'));
}

/** Loads the built addon, or returns why it cannot (not Node, not built, built before its current interface). */
export async function loadNativeBackend(): Promise<NativeBackend | string> {
  if (typeof process === 'undefined' || !process.versions?.node) return 'native kernels need Node';
  if (process.env['RNNLM_NATIVE_ISA'] === 'none') return 'RNNLM_NATIVE_ISA=none turns them off';
  let addon: NativeAddon;
  try {
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    addon = require(nativeAddonPath()) as NativeAddon;
  } catch (e) {
    return `the native kernels are not built (${(e as Error).message.split('\n')[0]}); npm install builds them when a C++ compiler is present`;
  }
  if (typeof addon.recurrenceForward !== 'function' || typeof addon.contracts !== 'function' || typeof addon.isa !== 'function') {
    return 'the native kernels were built from older sources; rebuild them with `node scripts/build-native.mjs`';
  }
  return nativeBackendFrom(addon);
}
