// The one reader of files at the edges (Node): every path rnnlm reads (texts, checkpoints, run logs, sweep results)
// is checked to be a regular file before it is opened (a FIFO would block the open, /dev/zero never ends), opened
// without blocking, checked again through the open handle (the path may have been replaced in between), and read
// with a byte cap counted on the bytes actually read: a file under /proc says size 0, and a file may grow while it
// is read, so the size stat reports bounds nothing. One wording for a file that cannot be read.
import { constants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';

/** One readable line for a missing or unreadable file: "no such <what>: path", else "cannot read path: why". */
export function readError(e: unknown, path: string, what: string): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EAGAIN') return new Error(`cannot read ${path}: it has no data ready (a file that waits for a writer); give ${what === 'file' ? 'a regular file' : `a ${what}`}`);
  return new Error(code === 'ENOENT' ? `no such ${what}: ${path}` : `cannot read ${path}: ${(e as Error).message}`);
}

/** The error for a path that is not a regular file (a folder, a device, a FIFO): give names what to give instead. */
export function notRegularFile(path: string, info: Pick<Stats, 'isDirectory'>, give: string): Error {
  return new Error(`${path} is not a regular file (${info.isDirectory() ? 'a folder' : 'a device, pipe or socket'}); give ${give}`);
}

/** How a file is read: what it is (for "no such <what>"), what to give instead, and the most bytes accepted. */
export interface ReadLimits {
  what?: string; // 'model file', 'text file'
  give?: string; // 'a model file'
  maxBytes: number;
  /** The tail of the too-large message: ' for a model file'. */
  limitName?: string;
}

/** The message for a file above its limit (size known from stat, or counted while reading: 'more than N'). */
function tooLarge(path: string, bytes: number | null, { maxBytes, limitName = '' }: ReadLimits): Error {
  return new Error(`${path} is ${bytes === null ? `more than ${maxBytes}` : bytes} bytes, above the limit of ${maxBytes}${limitName}`);
}

/** A regular file opened for reading, and its size at opening; throws one line for anything else. */
export async function openRegular(path: string, limits: ReadLimits): Promise<{ file: FileHandle; size: number }> {
  const what = limits.what ?? 'file';
  const give = limits.give ?? `a ${what === 'file' ? 'regular file' : what}`;
  const info = await stat(path).catch((e: unknown) => {
    throw readError(e, path, what);
  });
  // checked before opening: opening a FIFO blocks until a writer comes
  if (!info.isFile()) throw notRegularFile(path, info, give);
  let file: FileHandle;
  try {
    // non-blocking: a regular file under /proc that waits for data (a kernel log) answers EAGAIN instead of hanging
    file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw readError(e, path, what);
  }
  try {
    const now = await file.stat(); // the file opened, which may have been replaced since the stat above
    if (!now.isFile()) throw notRegularFile(path, now, give);
    if (now.size > limits.maxBytes) throw tooLarge(path, now.size, limits);
    return { file, size: now.size };
  } catch (e) {
    await file.close().catch(() => undefined);
    throw e;
  }
}

/** An error of a read as one line (our own errors pass through). */
const asReadError = (e: unknown, path: string, what = 'file'): Error =>
  e instanceof Error && !(e as NodeJS.ErrnoException).code ? e : readError(e, path, what);

/**
 * A file's bytes in chunks of at most chunkBytes (one buffer, refilled: the consumer uses each chunk before asking for
 * the next), refused with one line once more than maxBytes have been read. Stopping early closes the file.
 */
export async function* readChunks(path: string, limits: ReadLimits, chunkBytes = 1 << 16): AsyncGenerator<Uint8Array> {
  const { file } = await openRegular(path, limits);
  try {
    const buffer = new Uint8Array(chunkBytes);
    let total = 0;
    for (;;) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await file.read(buffer, 0, chunkBytes, null));
      } catch (e) {
        throw asReadError(e, path, limits.what);
      }
      if (bytesRead === 0) return;
      total += bytesRead;
      if (total > limits.maxBytes) throw tooLarge(path, null, limits);
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close().catch(() => undefined);
  }
}

/**
 * A UTF-8 text file's lines with their numbers (from 1), read in chunks under the cap (readChunks), so that a long log
 * is never held whole; a line cut by a chunk's end is joined to its rest. The last line comes even without a newline.
 */
export async function* readLines(path: string, limits: ReadLimits): AsyncGenerator<[line: string, lineNo: number]> {
  const decoder = new TextDecoder();
  let partial = '';
  let lineNo = 0;
  for await (const chunk of readChunks(path, limits)) {
    const lines = (partial + decoder.decode(chunk, { stream: true })).split('\n');
    partial = lines.pop()!;
    for (const line of lines) yield [line, ++lineNo];
  }
  yield [partial + decoder.decode(), ++lineNo];
}

/**
 * A whole file's bytes, at most maxBytes of them: allocated from the size the open file reports (already checked
 * against the cap), then, if the file turns out longer (it grew, or /proc said 0), read on in chunks up to the cap.
 */
export async function readBounded(path: string, limits: ReadLimits): Promise<Uint8Array> {
  const { file, size } = await openRegular(path, limits);
  try {
    const first = await readAt(file, size, 0);
    if (first.length < size) return first; // it shrank while we read: the caller's decoder reports the truncation
    const more: Uint8Array[] = [];
    let total = size;
    for (;;) {
      const chunk = await readAt(file, 1 << 16, total);
      if (chunk.length === 0) break;
      total += chunk.length;
      if (total > limits.maxBytes) throw tooLarge(path, null, limits);
      more.push(chunk);
    }
    if (more.length === 0) return first;
    const all = new Uint8Array(total);
    all.set(first, 0);
    let at = size;
    for (const c of more) {
      all.set(c, at);
      at += c.length;
    }
    return all;
  } catch (e) {
    throw asReadError(e, path, limits.what);
  } finally {
    await file.close().catch(() => undefined);
  }
}

/** Reads length bytes at position (fewer only where the file ends first). */
export async function readAt(file: FileHandle, length: number, position: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await file.read(buffer, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buffer.subarray(0, got);
}
