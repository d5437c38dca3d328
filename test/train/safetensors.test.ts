// The safetensors reader against hand-built files: each rule it enforces, with its one-line message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeSafetensors, encodeSafetensors, MAX_HEADER_BYTES, parseSafetensorsHeader, safetensorsHeaderLength } from '../../src/train/checkpoint/safetensors.js';

/** A file from a header object (any JSON, so that it can break the rules) and raw data bytes. */
function build(header: unknown, data: Uint8Array | number[] = [], headerLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataBytes = data instanceof Uint8Array ? data : new Uint8Array(Float32Array.from(data).buffer);
  const out = new Uint8Array(8 + json.length + dataBytes.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(dataBytes, 8 + json.length);
  return out;
}

const f32 = (shape: number[], begin: number, end: number): object => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

/** The one-line error of decoding bytes. */
function error(bytes: Uint8Array): string {
  try {
    decodeSafetensors(bytes, 'm.safetensors');
  } catch (e) {
    const message = (e as Error).message;
    assert.ok(!message.includes('\n'), `one line: ${message}`);
    assert.ok(e instanceof Error && e.constructor === Error, `a plain Error, not ${(e as Error).constructor.name}`);
    return message;
  }
  assert.fail('decoded');
}

describe('safetensors', () => {
  it('round-trips tensors and metadata through encodeSafetensors, including empty tensors', () => {
    const file = {
      tensors: [
        { name: 'W_xh', shape: [2, 3], data: Float32Array.of(1, -2, 3.5, 0, -0, 1e-30) },
        { name: 'empty', shape: [0, 4], data: new Float32Array(0) },
        { name: 'b_h', shape: [3], data: Float32Array.of(3.4028234663852886e38, -1, 0.25) },
      ],
      metadata: { format: 'x', epoch: '3' },
    };
    const back = decodeSafetensors(encodeSafetensors(file));
    assert.deepEqual(back, file);
  });
  it('accepts tensors stored in another order than the header lists them, and keeps the header order', () => {
    const bytes = build({ b: f32([1], 4, 8), a: f32([1], 0, 4) }, [1, 2]);
    const back = decodeSafetensors(bytes);
    assert.deepEqual(back.tensors.map((t) => [t.name, t.data[0]]), [['b', 2], ['a', 1]]);
  });
  it('bounds the header length: at most 100 MiB and at most the file size - 8, before reading it', () => {
    const ok = build({ a: f32([1], 0, 4) }, [1]);
    assert.match(error(build({}, [], 2n ** 64n - 1n)), /header length 18446744073709551615 is above the limit of 104857600 bytes/);
    assert.match(error(build({}, [], BigInt(MAX_HEADER_BYTES) + 1n)), /above the limit/);
    assert.match(error(build({}, [], BigInt(ok.length))), /header length \d+ does not fit in \d+ bytes/);
    assert.match(error(ok.subarray(0, 5)), /only 5 bytes/);
    // the header length alone, as Node's readers use it to read just the header
    assert.equal(safetensorsHeaderLength(ok.subarray(0, 8), ok.length), ok.length - 8 - 4);
    assert.throws(() => safetensorsHeaderLength(ok.subarray(0, 8), 20), /does not fit in 20 bytes/);
  });
  it('rejects a null or non-object entry naming it (no raw JavaScript error)', () => {
    assert.match(error(build({ W_hh: null })), /m\.safetensors is not a valid safetensors file: tensor W_hh is null, not an object/);
    assert.match(error(build({ W_hh: 3 })), /tensor W_hh is a number, not an object/);
    assert.match(error(build({ W_hh: [1, 2] })), /tensor W_hh is an array, not an object/);
    assert.match(error(build({ __metadata__: null })), /__metadata__ is null, not an object/);
    assert.match(error(build({ __metadata__: 'x' })), /__metadata__ is a string, not an object/);
    assert.match(error(build({ __metadata__: { epoch: 3 } })), /metadata epoch is not a string/);
    assert.match(error(build([1])), /the header is not a JSON object/);
    assert.match(error(build(null)), /the header is not a JSON object/);
  });
  it('keeps dtype F32 only', () => {
    assert.match(error(build({ w: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }, [1, 2])), /tensor w has dtype F64, only F32 is supported/);
    assert.match(error(build({ w: { shape: [1], data_offsets: [0, 4] } }, [1])), /tensor w has dtype missing/);
  });
  it('requires offsets contiguous from 0, non-overlapping and covering the data exactly', () => {
    // overlapping: both tensors read the same 4 bytes (accepted before)
    assert.match(error(build({ a: f32([2], 0, 8), b: f32([1], 4, 8) }, [1, 2])), /tensor b \(bytes 4 to 8\) overlaps tensor a \(bytes 0 to 8\)/);
    assert.match(error(build({ a: f32([1], 0, 4), b: f32([1], 0, 4) }, [1])), /overlaps/);
    // a gap at the start and in the middle
    assert.match(error(build({ a: f32([1], 4, 8) }, [1, 2])), /tensor a begins at byte 4, leaving bytes 0 to 4 unused/);
    assert.match(error(build({ a: f32([1], 0, 4), b: f32([1], 8, 12) }, [1, 2, 3])), /tensor b begins at byte 8, leaving bytes 4 to 8 unused/);
    // data left over after the last tensor, and a tensor past the end (a truncated file)
    assert.match(error(build({ a: f32([1], 0, 4) }, [1, 2])), /the tensors cover 4 bytes of 8/);
    assert.match(error(build({ a: f32([2], 0, 8) }, [1])), /tensor a ends at byte 8 but the data has 4 \(truncated\?\)/);
    // offsets that disagree with the shape, run backwards or are not integers
    assert.match(error(build({ a: f32([2], 0, 4) }, [1])), /tensor a has 4 bytes for shape \[2\]/);
    assert.match(error(build({ a: f32([0], 4, 0) }, [1])), /tensor a has -4 bytes/);
    assert.match(error(build({ a: f32([1], 0.5, 4.5) }, [1])), /tensor a has no valid data_offsets/);
    assert.match(error(build({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }, [1])), /no valid data_offsets/);
  });
  it('checks shapes before allocating: safe non-negative integers, at most 2^31 elements', () => {
    for (const shape of [[-1], [1.5], ['2'], [2 ** 53], null, 'x']) {
      assert.match(error(build({ a: { dtype: 'F32', shape, data_offsets: [0, 4] } }, [1])), /tensor a has no valid shape/, JSON.stringify(shape));
    }
    // 2^16 x 2^16 = 2^32 elements would be a 16 GiB allocation: refused from the header alone
    assert.match(error(build({ a: f32([65536, 65536], 0, 4 * 2 ** 32) }, [1])), /tensor a has no valid shape .*at most 2147483648 elements/);
    assert.match(error(build({ a: f32([2 ** 31, 2], 0, 2 ** 35) }, [1])), /no valid shape/);
    // a zero dimension makes any other dimension harmless
    assert.deepEqual(decodeSafetensors(build({ a: f32([0, 2 ** 40], 0, 0) })).tensors[0]!.shape, [0, 2 ** 40]);
  });
  it('rejects non-finite values with the tensor and the index', () => {
    const w = new Float32Array(20).fill(0.5);
    w[17] = NaN;
    assert.match(error(encodeSafetensors({ tensors: [{ name: 'b', shape: [1], data: Float32Array.of(1) }, { name: 'W_hh', shape: [4, 5], data: w }], metadata: {} })),
      /tensor W_hh holds a non-finite value \(NaN\) at index 17/);
    for (const [v, text] of [[Infinity, 'Infinity'], [-Infinity, '-Infinity']] as const) {
      assert.match(error(encodeSafetensors({ tensors: [{ name: 'b_q', shape: [2], data: Float32Array.of(0, v) }], metadata: {} })),
        new RegExp(`tensor b_q holds a non-finite value \\(${text}\\) at index 1`));
    }
  });
  it('parses a header alone against the data length (for readers that do not load the data)', () => {
    const bytes = encodeSafetensors({ tensors: [{ name: 'w', shape: [2], data: Float32Array.of(1, 2) }], metadata: { epoch: '7' } });
    const n = safetensorsHeaderLength(bytes, bytes.length);
    const header = parseSafetensorsHeader(bytes.subarray(8, 8 + n), bytes.length - 8 - n);
    assert.deepEqual(header, { metadata: { epoch: '7' }, entries: [{ name: 'w', shape: [2], begin: 0, end: 8 }] });
    assert.throws(() => parseSafetensorsHeader(bytes.subarray(8, 8 + n), 4), /truncated/);
  });
});
