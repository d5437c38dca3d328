// Loading texts at the edge (Node only): The Time Machine through the cached download, or a user's file.
import { readFile } from 'node:fs/promises';
import { dataUrl, download } from './download.js';
import { buildCorpus, type Corpus, type CorpusOptions } from './corpus.js';
import { openTextFile, readTextFile } from './text-file.js';

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

/** The text of a user's file: UTF-8 or UTF-16 by its byte-order mark, else UTF-8, else Windows-1252 (text-file.ts). */
export async function loadTextFile(path: string): Promise<string> {
  return (await readTextFile(path)).text;
}

/**
 * The corpus of a text file (The Time Machine when path is undefined), built by streaming over it: memory holds the
 * token ids, never the text; with a limit only that many tokens are read.
 */
export async function loadCorpus(path: string | undefined, options: CorpusOptions, maxBytes?: number): Promise<Corpus> {
  const file = await openTextFile(path ?? (await dataFilePath(TIME_MACHINE)), maxBytes !== undefined ? { maxBytes } : {});
  return buildCorpus(() => file.pieces(), options);
}
