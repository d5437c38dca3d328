// The native backend (Node only): C++ kernels from native/, built by node-gyp at npm install when a compiler is
// present, with -march=native so that they use the machine's widest vectors. Typed arrays go in by pointer,
// with no copies. Float64 arrays go to the reference kernels. Optional: loadNativeBackend says why it cannot run.
import type { Backend } from './backend.js';
import { referenceBackend } from './reference.js';
import { CONTRACTS } from './cells.js';
import type { FloatArray } from '../tensor/tensor.js';

interface NativeAddon {
  gemm(out: Float32Array, a: Float32Array, b: Float32Array, n: number, k: number, m: number, sai: number, sap: number): void;
  linearCrossEntropy(hs: Float32Array, whq: Float32Array, bq: Float32Array, labels: Int32Array, N: number, H: number, V: number,
    dhs: Float32Array | null, dwhq: Float32Array | null, dbq: Float32Array | null, gradScale: number): number;
  expArray(out: Float32Array, x: Float32Array, n: number): void;
  tanhArray(out: Float32Array, x: Float32Array, n: number): void;
}

const f32 = (a: FloatArray): a is Float32Array => a instanceof Float32Array;

export type NativeBackend = Backend & { exp(out: Float32Array, x: Float32Array): void; tanh(out: Float32Array, x: Float32Array): void };

export function nativeBackendFrom(addon: NativeAddon): NativeBackend {
  return {
    name: 'native',
    contracts: CONTRACTS, // TODO(kernels): read from the module once it states them
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
    gatherRows: referenceBackend.gatherRows,
    scatterAddRows: referenceBackend.scatterAddRows,
    recurrenceForward: referenceBackend.recurrenceForward,
    recurrenceBackward: referenceBackend.recurrenceBackward,
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

/** Loads the built addon, or returns why it cannot (not Node, not built). */
export async function loadNativeBackend(): Promise<NativeBackend | string> {
  if (typeof process === 'undefined' || !process.versions?.node) return 'native kernels need Node';
  try {
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    return nativeBackendFrom(require('../../../build/Release/rnnlm_native.node') as NativeAddon);
  } catch (e) {
    return `the native kernels are not built (${(e as Error).message.split('\n')[0]}); npm install builds them when a C++ compiler is present`;
  }
}
