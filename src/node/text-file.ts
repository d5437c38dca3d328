// A text file read in pieces (Node): checked to be a regular file of bounded size that holds text, its encoding
// found once (byte-order mark, else UTF-8 when the whole file is valid UTF-8, else Windows-1252), then decoded
// chunk by chunk each time pieces() is iterated. Memory stays at one chunk whatever the file's size.
import { createHash } from 'node:crypto';
import { readChunks, readError } from './files.js';
import { byteOrderMark, chunkDecoder, EncodingSniffer, notText, type TextEncoding } from '../data/text.js';
import { TextIdentity } from '../data/text-id.js';

/** Bytes read at a time. */
const CHUNK = 1 << 16;

/** Files larger than this are refused unless a larger limit is given (no book comes near it). */
export const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;

export interface TextFile {
  path: string;
  size: number; // bytes
  encoding: TextEncoding;
  sha1: string; // of the file's bytes (found by the same pass that finds the encoding)
  textSha1: string; // the text's identity (text-id.ts): the sha1 of the decoded text, line ends as LF
  /** The decoded text in pieces, read from disk on each iteration; stopping early closes the file. */
  pieces(): AsyncGenerator<string>;
}

/** Opens a text file for reading in pieces; throws one line for a missing, special, oversized or binary file. */
export async function openTextFile(path: string, { what = 'file', maxBytes = DEFAULT_MAX_BYTES }: { what?: string; maxBytes?: number } = {}): Promise<TextFile> {
  // the cap is counted on the bytes read (readChunks), on both passes: a file may grow, or say size 0 (/proc)
  const limits = { what, give: 'a text file', maxBytes };
  const chunks = (): AsyncGenerator<Uint8Array> => readChunks(path, limits, CHUNK);
  // one pass over the bytes: the encoding (and binary content), and the sha1
  const sniffer = new EncodingSniffer(path);
  const hash = createHash('sha1');
  let encoding: TextEncoding;
  let plain = true; // no byte-order mark and no CR: the bytes are the text's UTF-8 as its identity reads it
  let first = true;
  let size = 0; // as read, not as stat said
  try {
    for await (const c of chunks()) {
      if (first && byteOrderMark(c) !== null) plain = false;
      if (plain && c.includes(13)) plain = false;
      first = false;
      size += c.length;
      hash.update(c);
      sniffer.push(c);
    }
    encoding = sniffer.end();
  } catch (e) {
    throw (e as NodeJS.ErrnoException).code ? readError(e, path, what) : e;
  }
  const file: TextFile = {
    path,
    size,
    encoding,
    sha1: hash.digest('hex'),
    textSha1: '',
    async *pieces() {
      const decode = chunkDecoder(encoding);
      for await (const c of chunks()) {
        const text = decode(c, false);
        if (text.includes('\0')) throw notText(path, 'it has a NUL character');
        yield text;
      }
      const rest = decode(new Uint8Array(0), true);
      if (rest !== '') yield rest;
    },
  };
  // a UTF-8 file without a byte-order mark or CR is its own identity's bytes; any other takes one decoding pass
  if (plain && encoding === 'utf-8') {
    file.textSha1 = file.sha1;
  } else {
    const id = new TextIdentity();
    for await (const piece of file.pieces()) id.push(piece);
    file.textSha1 = id.end();
  }
  return file;
}

/** A whole text file as a string (small files: prefixes, the book). */
export async function readTextFile(path: string, options: { what?: string; maxBytes?: number } = {}): Promise<{ text: string; encoding: TextEncoding }> {
  const file = await openTextFile(path, options);
  let text = '';
  for await (const piece of file.pieces()) text += piece;
  return { text, encoding: file.encoding };
}
