// The fused kernels' arguments, declared once. Each kernel's parameters in their ABI order: typed arrays with their
// element type, direction and length (in the dimension letters of backend.ts), then sizes, the cell and scalars.
// From this one table come the Backend interface's argument structs (ArgsOf), the WebAssembly adapter's placing,
// copying in and reading out of arrays (wasm.ts), the native adapter's positional call (node/native.ts) and the one
// float64-to-reference dispatch (dispatch.ts); test/backend/signatures.test.ts holds asm/*.ts's parameter lists and
// native/binding.cc's argument checks (names, order, lengths) to it, so the three languages cannot drift.
import { gateCount, hasCellState, savedBlocks, type Cell } from './cells.js';
import type { FloatArray } from './arrays.js';

/** A float32 array (float64 in gradient checks): read (in), written (out) or accumulated (inout). */
interface FloatParam {
  type: 'f32';
  dir: 'in' | 'out' | 'inout';
  /** Its length: a product of dimension letters, as native/binding.cc words it; "(LSTM)": zero for cells without a cell state. */
  length: string;
  /** May be null (the gradients of linearCrossEntropy: the loss only). */
  nullable?: boolean;
}
interface IntArrayParam {
  type: 'i32';
  length: string;
}
interface SizeParam {
  type: 'size'; // a dimension: B, T, H, N, V
}
interface CellParam {
  type: 'cell'; // a cell of cells.ts (its id in the WebAssembly and native ABIs)
}
interface ScalarParam {
  type: 'scalar'; // a float
}
export type Param = FloatParam | IntArrayParam | SizeParam | CellParam | ScalarParam;

export interface KernelSignature {
  name: string;
  params: Readonly<Record<string, Param>>;
}

const f32 = <D extends FloatParam['dir']>(dir: D, length: string) => ({ type: 'f32', dir, length }) as const;
const nullableF32 = <D extends FloatParam['dir']>(dir: D, length: string) => ({ type: 'f32', dir, length, nullable: true }) as const;
const SIZE: SizeParam = { type: 'size' };

/** hs (T,B,H) and saved (T,B,S*H) written from xw (T,B,G*H), wh (H,G*H), bh (G*H), h0 (B,H) and, for the LSTM, c0 (B,H). */
export const RECURRENCE_FORWARD = {
  name: 'recurrenceForward',
  params: {
    hs: f32('out', 'T*B*H'), saved: f32('out', 'T*B*S*H'), xw: f32('in', 'T*B*G*H'), wh: f32('in', 'H*G*H'), bh: f32('in', 'G*H'),
    h0: f32('in', 'B*H'), c0: f32('in', 'B*H (LSTM)'), B: SIZE, T: SIZE, H: SIZE, cell: { type: 'cell' },
  },
} as const satisfies KernelSignature;

/** Backprop through time: dxw, dh0, dc0 written; dwh, dbh accumulated; dhs, hs, saved, h0, c0, wh read. */
export const RECURRENCE_BACKWARD = {
  name: 'recurrenceBackward',
  params: {
    dxw: f32('out', 'T*B*G*H'), dwh: f32('inout', 'H*G*H'), dbh: f32('inout', 'G*H'), dh0: f32('out', 'B*H'), dc0: f32('out', 'B*H (LSTM)'),
    dhs: f32('in', 'T*B*H'), hs: f32('in', 'T*B*H'), saved: f32('in', 'T*B*S*H'), h0: f32('in', 'B*H'), c0: f32('in', 'B*H (LSTM)'),
    wh: f32('in', 'H*G*H'), B: SIZE, T: SIZE, H: SIZE, cell: { type: 'cell' },
  },
} as const satisfies KernelSignature;

/** The output layer with softmax cross-entropy: the summed loss; with dhs, dwhq and dbq all given, the gradients too. */
export const LINEAR_CROSS_ENTROPY = {
  name: 'linearCrossEntropy',
  params: {
    hs: f32('in', 'N*H'), whq: f32('in', 'H*V'), bq: f32('in', 'V'), labels: { type: 'i32', length: 'N' }, N: SIZE, H: SIZE, V: SIZE,
    dhs: nullableF32('out', 'N*H'), dwhq: nullableF32('inout', 'H*V'), dbq: nullableF32('inout', 'V'), gradScale: { type: 'scalar' },
  },
} as const satisfies KernelSignature;

export const SIGNATURES = [RECURRENCE_FORWARD, RECURRENCE_BACKWARD, LINEAR_CROSS_ENTROPY] as const;

type ValueOfParam<P> = P extends { type: 'f32'; nullable: true } ? FloatArray | null
  : P extends { type: 'f32' } ? FloatArray
  : P extends { type: 'i32' } ? Int32Array
  : P extends { type: 'cell' } ? Cell
  : number;

/** A kernel's arguments as one typed struct. */
export type ArgsOf<K extends KernelSignature> = { -readonly [P in keyof K['params']]: ValueOfParam<K['params'][P]> };

export type RecurrenceForwardArgs = ArgsOf<typeof RECURRENCE_FORWARD>;
export type RecurrenceBackwardArgs = ArgsOf<typeof RECURRENCE_BACKWARD>;
export type LinearCrossEntropyArgs = ArgsOf<typeof LINEAR_CROSS_ENTROPY>;

/** The value of a dimension letter for these arguments: B, T, H, N, V as given; G and S from the cell. */
function dimension(letter: string, args: Readonly<Record<string, unknown>>): number {
  if (letter === 'G') return gateCount(args['cell'] as Cell);
  if (letter === 'S') return savedBlocks(args['cell'] as Cell);
  const v = args[letter];
  if (typeof v !== 'number') throw new Error(`no dimension ${letter} in the kernel's arguments`);
  return v;
}

/** The length an array parameter must have for these arguments (what the kernels read or write of it). */
export function paramLength(p: FloatParam | IntArrayParam, args: Readonly<Record<string, unknown>>): number {
  const [product, note] = p.length.split(' ');
  if (note === '(LSTM)' && !hasCellState(args['cell'] as Cell)) return 0;
  return product!.split('*').reduce((n, letter) => n * dimension(letter, args), 1);
}

/** The parameters of a signature, in ABI order. */
export function paramsOf(k: KernelSignature): [string, Param][] {
  return Object.entries(k.params);
}
