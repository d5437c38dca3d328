// Loading texts at the edge (Node only): The Time Machine through the cached download, or a user's file.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dataUrl, download, sha1 } from './download.js';
import { buildCorpus, type Corpus, type CorpusOptions } from '../data/corpus.js';
import { gutenbergBody } from '../data/text.js';
import { openTextFile, readTextFile } from './text-file.js';
import { readError } from './files.js';

/** A data file by name and sha1, as the book's data bucket (or RNNLM_DATA_URL's mirror) serves it. */
export interface DataFile {
  file: string;
  sha1: string;
}

/** The book's file and its sha1, as d2l.TimeMachine downloads it. */
export const TIME_MACHINE: DataFile = { file: 'timemachine.txt', sha1: '090b5e7e70c295757f55df93cb0a180b9691891a' };

/** Data files shipped inside the package (data/): the same bytes as the book's, checked by the same sha1. */
const PACKAGED = new Set([TIME_MACHINE.file]);

/** The packaged copy of a data file, when rnnlm ships it and it has the expected sha1; else null. */
export async function packagedCopy({ file, sha1: expected }: DataFile): Promise<string | null> {
  if (!PACKAGED.has(file)) return null;
  const path = fileURLToPath(new URL(`../../../data/${file}`, import.meta.url));
  const bytes = await readFile(path).catch(() => null);
  return bytes && sha1(bytes) === expected ? path : null;
}

/**
 * The path of a cached, checksum-verified copy of a data file: downloaded once from RNNLM_DATA_URL (the book's
 * behaviour); when that fails, the copy packaged with rnnlm (same sha1), said in one line through notice.
 */
export async function dataFilePath(data: DataFile, notice: (line: string) => void = (m) => void process.stderr.write(`rnnlm: ${m}\n`)): Promise<string> {
  try {
    return await download(dataUrl() + data.file, data.sha1);
  } catch (e) {
    const packaged = await packagedCopy(data);
    if (packaged === null) throw e;
    notice(`${(e as Error).message.split(';')[0]}; using the copy packaged with rnnlm (same sha1)`);
    return packaged;
  }
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
    throw readError(e, path, what);
  }
}

/** The text of a user's file: UTF-8 or UTF-16 by its byte-order mark, else UTF-8, else Windows-1252 (text-file.ts). */
export async function loadTextFile(path: string): Promise<string> {
  return (await readTextFile(path)).text;
}

/**
 * The corpus of a text file (The Time Machine when path is undefined), built by streaming over it: memory holds the
 * token ids, never the text; with a limit only that many tokens are read. A Project Gutenberg header and footer are
 * left out (gutenbergBody, as rnnlm eval reads a file), so a model learns the book, not its licence.
 */
export async function loadCorpus(path: string | undefined, options: CorpusOptions, maxBytes?: number): Promise<Corpus> {
  const file = await openTextFile(path ?? (await dataFilePath(TIME_MACHINE)), maxBytes !== undefined ? { maxBytes } : {});
  const body = gutenbergBody(() => file.pieces());
  return { ...(await buildCorpus(body.pieces, options)), sha1: file.sha1, textSha1: file.textSha1 };
}
