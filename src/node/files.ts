// Reading files at the edges (Node): one wording for a file that cannot be read, and reads that fill a buffer.
import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** One readable line for a missing or unreadable file: "no such <what>: path", else "cannot read path: why". */
export function readError(e: unknown, path: string, what: string): Error {
  const code = (e as NodeJS.ErrnoException).code;
  return new Error(code === 'ENOENT' ? `no such ${what}: ${path}` : `cannot read ${path}: ${(e as Error).message}`);
}

/** The error for a path that is not a regular file (a folder, a device, a FIFO): give names what to give instead. */
export function notRegularFile(path: string, info: Pick<Stats, 'isDirectory'>, give: string): Error {
  return new Error(`${path} is not a regular file (${info.isDirectory() ? 'a folder' : 'a device, pipe or socket'}); give ${give}`);
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
