// Download with a sha1 check and a cache (the book's d2l.download, made stricter): the cache folder is
// RNNLM_CACHE_DIR, else $XDG_CACHE_HOME/rnnlm, else ~/.cache/rnnlm; the checksum is checked on a cache hit
// and after a fresh download (the book checks only the first); writes are atomic (temp file, then rename).
// file:// URLs are read from disk, so RNNLM_DATA_URL=file:///path/to/mirror/ works without a network.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the book's data lives; RNNLM_DATA_URL overrides it (a folder URL ending in '/'). */
export const D2L_DATA_URL = 'http://d2l-data.s3-accelerate.amazonaws.com/';

export function dataUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env['RNNLM_DATA_URL'] || D2L_DATA_URL;
  return url.endsWith('/') ? url : url + '/';
}

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['RNNLM_CACHE_DIR']) return env['RNNLM_CACHE_DIR'];
  const xdg = env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(xdg, 'rnnlm');
}

export function sha1(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  if (url.startsWith('file:')) return new Uint8Array(await readFile(fileURLToPath(url)));
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Writes a file atomically: a temp file in the same folder, then rename over the target. */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Returns the path of a cached, checksum-verified copy of url, downloading it when needed. */
export async function download(url: string, expectedSha1: string | null, folder = cacheDir()): Promise<string> {
  const path = join(folder, basename(new URL(url).pathname));
  const cached = await readFile(path).catch(() => null);
  if (cached && (expectedSha1 === null || sha1(cached) === expectedSha1)) return path;
  let bytes: Uint8Array;
  try {
    bytes = await fetchBytes(url);
  } catch (e) {
    const why = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    throw new Error(`cannot download ${url} (${why}) and ${path} is not cached; ` +
      `set RNNLM_DATA_URL=file:///path/to/folder/ to read a local copy, or pass --data FILE`);
  }
  const got = sha1(bytes);
  if (expectedSha1 !== null && got !== expectedSha1) {
    throw new Error(`checksum mismatch for ${url}: sha1 ${got}, expected ${expectedSha1}; the file was not kept`);
  }
  await mkdir(folder, { recursive: true });
  await writeFileAtomic(path, bytes);
  return path;
}
