// The safetensors file layout (huggingface/safetensors): an 8-byte little-endian header length, a JSON header
// mapping names to {dtype, shape, data_offsets} plus "__metadata__" (string to string), then raw little-endian
// data. Only F32 is written or read here. Decoding checks everything a truncated, foreign or hostile file could
// break, and bounds every size before anything is allocated.

export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsFile {
  tensors: NamedArray[];
  metadata: Record<string, string>;
}

/** The largest header read (the safetensors library's own limit): a hostile length cannot make us allocate more. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;
/** The most elements one tensor may have (a Float32Array of 8 GiB); checked before the data is looked at. */
export const MAX_TENSOR_ELEMENTS = 2 ** 31;

/** A tensor as the header describes it: where its bytes are, relative to the start of the data. */
export interface TensorEntry {
  name: string;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  metadata: Record<string, string>;
  /** In the header's order. */
  entries: TensorEntry[];
}

export function encodeSafetensors({ tensors, metadata }: SafetensorsFile): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.length * 4] };
    offset += t.data.length * 4;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // pad with spaces so the data starts 8-byte aligned, as the spec suggests
  const headerBytes = new Uint8Array(json.length + ((8 - (json.length % 8)) % 8)).fill(0x20);
  headerBytes.set(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i]!, true);
  }
  return out;
}

const invalid = (what: string) => (why: string): Error => new Error(`${what} is not a valid safetensors file: ${why}`);

/**
 * The header length from a file's first 8 bytes, checked against MAX_HEADER_BYTES and the file's size, so that a
 * reader can then read exactly that many bytes (Node's readers use this to read the header alone).
 */
export function safetensorsHeaderLength(first8: Uint8Array, fileSize: number, what = 'file'): number {
  const bad = invalid(what);
  if (first8.length < 8 || fileSize < 8) throw bad(`only ${Math.min(first8.length, fileSize)} bytes`);
  const length = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  // compared as a bigint: a length near 2^64 must not round to something that fits
  if (length > BigInt(MAX_HEADER_BYTES)) throw bad(`header length ${length} is above the limit of ${MAX_HEADER_BYTES} bytes`);
  const n = Number(length);
  if (n < 2 || 8 + n > fileSize) throw bad(`header length ${n} does not fit in ${fileSize} bytes`);
  return n;
}

/** The number of elements of a shape, or null when a dimension is not a safe non-negative integer or the count is too big. */
function elementCount(shape: unknown): number | null {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) return null;
  if (shape.includes(0)) return 0;
  let count = 1;
  for (const d of shape as number[]) {
    count *= d; // exact: both factors are at most 2^31 here, so the product stays below 2^53
    if (count > MAX_TENSOR_ELEMENTS) return null;
  }
  return count;
}

/**
 * Parses and checks a header (the JSON bytes after the length) against the length of the data that follows it:
 * every entry an object with dtype F32, a bounded shape and offsets that match it, and the tensors laid end to end
 * from byte 0 to the end of the data with no gap or overlap (the safetensors rules).
 */
export function parseSafetensorsHeader(headerBytes: Uint8Array, dataLength: number, what = 'file'): SafetensorsHeader {
  const bad = invalid(what);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch {
    throw bad('the header is not JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw bad('the header is not a JSON object');
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const metadata: Record<string, string> = {};
  const entries: TensorEntry[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isObject(entry)) throw bad(`__metadata__ is ${entry === null ? 'null' : Array.isArray(entry) ? 'an array' : `a ${typeof entry}`}, not an object`);
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') throw bad(`metadata ${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    if (!isObject(entry)) throw bad(`tensor ${name} is ${entry === null ? 'null' : Array.isArray(entry) ? 'an array' : `a ${typeof entry}`}, not an object`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (dtype !== 'F32') throw bad(`tensor ${name} has dtype ${typeof dtype === 'string' ? dtype : JSON.stringify(dtype) ?? 'missing'}, only F32 is supported`);
    const count = elementCount(shape);
    if (count === null) {
      throw bad(`tensor ${name} has no valid shape (dimensions must be non-negative integers, at most ${MAX_TENSOR_ELEMENTS} elements in all)`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      throw bad(`tensor ${name} has no valid data_offsets`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin || end - begin !== count * 4) {
      throw bad(`tensor ${name} has ${end - begin} bytes for shape [${(shape as number[]).join(', ')}]`);
    }
    entries.push({ name, shape: shape as number[], begin, end });
  }
  // the tensors must tile the data exactly: sorted by offset, each starts where the previous one ended
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: TensorEntry | undefined;
  for (const e of sorted) {
    if (e.begin !== covered) {
      throw bad(e.begin < covered
        ? `tensor ${e.name} (bytes ${e.begin} to ${e.end}) overlaps tensor ${previous?.name} (bytes ${previous?.begin} to ${previous?.end})`
        : `tensor ${e.name} begins at byte ${e.begin}, leaving bytes ${covered} to ${e.begin} unused`);
    }
    if (e.end > dataLength) throw bad(`tensor ${e.name} ends at byte ${e.end} but the data has ${dataLength} (truncated?)`);
    covered = e.end;
    previous = e;
  }
  if (covered !== dataLength) throw bad(`the tensors cover ${covered} bytes of ${dataLength}`);
  return { metadata, entries };
}

/** One tensor's values from exactly its bytes (little-endian F32), checked to be finite (a NaN weight is a broken model). */
export function decodeTensor(bytes: Uint8Array, name: string, what = 'file'): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data = new Float32Array(bytes.length / 4);
  for (let i = 0; i < data.length; i++) {
    const v = view.getFloat32(i * 4, true);
    if (!Number.isFinite(v)) throw new Error(`${what}: tensor ${name} holds a non-finite value (${v}) at index ${i}`);
    data[i] = v;
  }
  return data;
}

/** A whole file's header, checked, and where its data starts. */
export function readSafetensorsHeader(bytes: Uint8Array, what = 'file'): SafetensorsHeader & { dataStart: number } {
  const headerLength = safetensorsHeaderLength(bytes, bytes.length, what);
  const dataStart = 8 + headerLength;
  return { ...parseSafetensorsHeader(bytes.subarray(8, dataStart), bytes.length - dataStart, what), dataStart };
}

/** Decodes a whole file; the values are checked to be finite. */
export function decodeSafetensors(bytes: Uint8Array, what = 'file'): SafetensorsFile {
  const { metadata, entries, dataStart } = readSafetensorsHeader(bytes, what);
  const tensors: NamedArray[] = entries.map(({ name, shape, begin, end }) =>
    ({ name, shape, data: decodeTensor(bytes.subarray(dataStart + begin, dataStart + end), name, what) }));
  return { tensors, metadata };
}
