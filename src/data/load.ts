// Loading texts at the edge (Node only): The Time Machine through the cached download, or a user's file.
import { readFile } from 'node:fs/promises';
import { dataUrl, download } from './download.js';
import { decodeText } from './text.js';

/** A data file by name and sha1, as the book's data bucket (or RNNLM_DATA_URL's mirror) serves it. */
export interface DataFile {
  file: string;
  sha1: string;
}

/** The book's file and its sha1, as d2l.TimeMachine downloads it. */
export const TIME_MACHINE: DataFile = { file: 'timemachine.txt', sha1: '090b5e7e70c295757f55df93cb0a180b9691891a' };

/** The path of a cached, checksum-verified copy of a data file (downloaded once from RNNLM_DATA_URL). */
export function dataFilePath({ file, sha1 }: DataFile): Promise<string> {
  return download(dataUrl() + file, sha1);
}

/** The raw text of The Time Machine (downloaded once, then from the cache). */
export async function loadTimeMachineText(): Promise<string> {
  return loadTextFile(await dataFilePath(TIME_MACHINE));
}

/** A file's bytes; a missing or unreadable file is one readable line ("no such <what>: path"). */
export async function readBytes(path: string, what = 'file'): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `no such ${what}: ${path}` : `cannot read ${path}: ${(e as Error).message}`);
  }
}

/** The text of a user's file: UTF-8, or Windows-1252 when the bytes are not valid UTF-8. */
export async function loadTextFile(path: string): Promise<string> {
  return decodeText(await readBytes(path)).text;
}
