// The native backend (Node only): C++ kernels from native/. The package ships them prebuilt for linux-x64
// (prebuilds/linux-x64/rnnlm.node, made when the package is packed: scripts/prebuild.mjs); elsewhere, or where that
// file does not load (another libc), `npx rnnlm build-native` compiles them into build/Release, and a clone's
// `npm install` does too. Either file is portable: the kernels are compiled for several vector widths (AVX-512, AVX2
// and SSE2 on x86-64, one generic version elsewhere) and the addon picks the widest this CPU runs when it loads; `isa`
// says which (RNNLM_NATIVE_ISA=avx2 or sse2 asks for a narrower one, to test or compare them on one machine).
// Typed arrays go in by pointer, with no copies; the addon checks their lengths against the sizes.
// The fused kernels are called by their signatures (backend/signatures.ts): the arrays and sizes in that order, the
// cell as its id. Float64 arrays go to the reference kernels (backend/dispatch.ts). Optional: loadNativeBackend says
// why it cannot run.
import type { Backend } from '../backend/backend.js';
import { cellId, type KernelContracts } from '../backend/cells.js';
import { float64ToReference } from '../backend/dispatch.js';
import { nodeFs } from '../util/node-fs.js';
import { LINEAR_CROSS_ENTROPY, paramsOf, RECURRENCE_BACKWARD, RECURRENCE_FORWARD, type KernelSignature } from '../backend/signatures.js';

/** The kernel variant the addon chose for this CPU. */
export type NativeIsa = 'avx512' | 'avx2' | 'sse2' | 'generic';

interface NativeAddon {
  isa(): NativeIsa;
  contracts(): KernelContracts;
  gemm(out: Float32Array, a: Float32Array, b: Float32Array, n: number, k: number, m: number, sai: number, sap: number, sbp: number, sbj: number): void;
  transpose(out: Float32Array, a: Float32Array, rows: number, cols: number): void;
  gatherRows(out: Float32Array, table: Float32Array, indices: Int32Array, N: number, W: number): void;
  scatterAddRows(dtable: Float32Array, g: Float32Array, indices: Int32Array, N: number, W: number): void;
  /** The fused kernels (recurrenceForward, recurrenceBackward, linearCrossEntropy): their arguments in signature order. */
  [fused: string]: unknown;
  expArray(out: Float32Array, x: Float32Array, n: number): void;
  tanhArray(out: Float32Array, x: Float32Array, n: number): void;
  /** The calling thread's kernels split large products over n threads (at most the usable cores); the count granted. */
  setThreads(n: number): number;
  /** This core's peak GFLOP/s by the chosen variant's fused multiply-add, measured for about ms milliseconds. */
  fmaProbe(ms: number): number;
  /** A zeroed ArrayBuffer of `bytes` on memory of its own, with transparent huge pages asked for (binding.cc). */
  largeBuffer(bytes: number): ArrayBuffer;
}

/** A fused kernel's arguments in its signature's order, the cell as its id. */
function positional(sig: KernelSignature, args: Readonly<Record<string, unknown>>): unknown[] {
  return paramsOf(sig).map(([name, p]) => (p.type === 'cell' ? cellId(args[name] as never) : args[name]));
}

export type NativeBackend = Backend & {
  /** The kernel variant running: 'avx512', 'avx2', 'sse2' (x86-64) or 'generic'. */
  readonly isa: NativeIsa;
  setThreads(n: number): number;
  exp(out: Float32Array, x: Float32Array): void;
  tanh(out: Float32Array, x: Float32Array): void;
};

export function nativeBackendFrom(addon: NativeAddon): NativeBackend {
  const fused = (sig: KernelSignature, args: Readonly<Record<string, unknown>>): unknown => (addon[sig.name] as (...a: unknown[]) => unknown)(...positional(sig, args));
  return float64ToReference({
    name: 'native',
    isa: addon.isa(),
    contracts: addon.contracts(),
    matmul(out, a, b, n, k, m, transA, transB, accumulate = false) {
      if (!accumulate) out.fill(0);
      // b stored (m,k) when transB: read through its strides (the packed product's packing transposes it)
      addon.gemm(out as Float32Array, a as Float32Array, b as Float32Array, n, k, m, transA ? 1 : k, transA ? n : 1, transB ? 1 : m, transB ? k : 1);
    },
    transpose(out, a, rows, cols) {
      addon.transpose(out as Float32Array, a as Float32Array, rows, cols);
    },
    gatherRows(out, table, indices, N, W) {
      addon.gatherRows(out as Float32Array, table as Float32Array, indices, N, W);
    },
    scatterAddRows(dtable, g, indices, N, W) {
      addon.scatterAddRows(dtable as Float32Array, g as Float32Array, indices, N, W);
    },
    recurrenceForward(args) {
      fused(RECURRENCE_FORWARD, args);
    },
    recurrenceBackward(args) {
      fused(RECURRENCE_BACKWARD, args);
    },
    linearCrossEntropy(args) {
      return fused(LINEAR_CROSS_ENTROPY, args) as number;
    },
    setThreads: (n) => addon.setThreads(n),
    largeArray(n) {
      if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`largeArray: n = ${n} is not a whole number of floats >= 1`);
      // the addon's memory holds up to 2^32 bytes (binding.cc); a larger array is an ordinary one
      return n * 4 <= 2 ** 32 ? new Float32Array(addon.largeBuffer(n * 4), 0, n) : new Float32Array(n);
    },
    exp: (out, x) => addon.expArray(out, x, x.length),
    tanh: (out, x) => addon.tanhArray(out, x, x.length),
  });
}

/** The package's root (dist/src/node/ is three folders below it). */
function packageRoot(): string {
  const url = new URL('../../../', import.meta.url);
  return decodeURIComponent(url.pathname.replace(/^\/([A-Za-z]:)/, '$1'));
}

/**
 * The addon files to try, in order: the one compiled on this machine (build/Release, by a clone's npm install or
 * `rnnlm build-native`), then the one prebuilt for this platform and architecture (prebuilds/linux-x64/rnnlm.node).
 * A local build comes first, as node-gyp-build orders them: whoever compiled one wants it (a developer's fresh
 * kernels, or a build for a libc the prebuilt file does not load on).
 */
function nativeAddonCandidates(): { path: string; what: string }[] {
  const root = packageRoot();
  const files = addonFiles(root);
  return [
    { path: root + files.localBuild, what: `the locally built kernels (${files.localBuild.split('/').slice(0, -1).join('/')})` },
    { path: root + files.prebuilt.replace('{platform}', process.platform).replace('{arch}', process.arch), what: `the prebuilt ${process.platform}-${process.arch} kernels` },
  ];
}

/** The addon files' layout (native/addon-files.json, which the build scripts read too), as paths from the package's root. */
function addonFiles(root: string): { localBuild: string; prebuilt: string } {
  const fs = nodeFs();
  const json = fs ? JSON.parse(fs.readFileSync(`${root}native/addon-files.json`, 'utf8')) as unknown : null;
  const ok = (j: unknown): j is { localBuild: string; prebuilt: string } => typeof j === 'object' && j !== null &&
    typeof (j as Record<string, unknown>)['localBuild'] === 'string' && typeof (j as Record<string, unknown>)['prebuilt'] === 'string';
  if (!ok(json)) throw new Error(`${root}native/addon-files.json is not the addon files' layout`);
  return json;
}

/** The addon file loadNativeBackend loaded, for loading it in worker threads too. */
let loadedPath: string | null = null;

/** The addon file this process loaded (or, before any load, the local build's path): for worker threads. */
export function nativeAddonPath(): string {
  return loadedPath ?? nativeAddonCandidates()[0]!.path;
}

/** The functions of the current interface: an addon without them was built from older sources. */
function isCurrent(addon: NativeAddon): boolean {
  return ['recurrenceForward', 'contracts', 'setThreads', 'transpose', 'largeBuffer'].every((name) => typeof addon[name] === 'function');
}

/**
 * Loads the first addon that loads and has the current interface (the local build, then the prebuilt file), or
 * returns why none can run (not Node, turned off, not built, built before the current interface), in one line.
 */
export async function loadNativeBackend(): Promise<NativeBackend | string> {
  if (typeof process === 'undefined' || !process.versions?.node) return 'native kernels need Node';
  if (process.env['RNNLM_NATIVE_ISA'] === 'none') return 'RNNLM_NATIVE_ISA=none turns them off';
  const { createRequire } = await import('node:module');
  const { existsSync } = await import('node:fs');
  const require = createRequire(import.meta.url);
  const reasons: string[] = [];
  for (const { path, what } of nativeAddonCandidates()) {
    if (!existsSync(path)) continue;
    let addon: NativeAddon;
    try {
      addon = require(path) as NativeAddon;
    } catch (e) {
      reasons.push(`${what} do not load (${(e as Error).message.split('\n')[0]})`);
      continue;
    }
    if (!isCurrent(addon)) {
      reasons.push(`${what} were built from older sources`);
      continue;
    }
    loadedPath = path;
    return nativeBackendFrom(addon);
  }
  const tag = `${process.platform}-${process.arch}`;
  return `${reasons.length > 0 ? reasons.join('; ') : `the native kernels are not built (none prebuilt for ${tag})`}; build them with \`npx rnnlm build-native\` (needs a C++ compiler)`;
}
