// Download with a sha1 check and a cache (the book's d2l.download, made stricter): the cache folder is
// RNNLM_CACHE_DIR, else $XDG_CACHE_HOME/rnnlm, else ~/.cache/rnnlm; the checksum is checked on a cache hit
// and after a fresh download (the book checks only the first). The body streams to a temp file next to the
// cached copy, with a size cap, a connect and an idle timeout and the sha1 computed on the way; only a complete,
// verified file replaces the cache (durably: fsync, rename, fsync of the folder), so any failure keeps the old one.
// file:// URLs are read from disk, so RNNLM_DATA_URL=file:///path/to/mirror/ works without a network.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, stat, type FileHandle } from 'node:fs/promises';
import { replaceFile } from './durable-write.js';


import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the book's data lives; RNNLM_DATA_URL overrides it (a folder URL ending in '/'). */
export const D2L_DATA_URL = 'http://d2l-data.s3-accelerate.amazonaws.com/';

/** The largest data file accepted (the largest the book uses is a few MiB). */
export const DOWNLOAD_MAX_BYTES = 64 * 1024 * 1024;
/** How long a server may take to answer (connect and send its headers), and to send the next piece of the body. */
export const CONNECT_TIMEOUT_MS = 30_000;
export const IDLE_TIMEOUT_MS = 30_000;
/**
 * How long a whole download may take: a server that drips a byte a second never trips the idle timeout, so the
 * download as a whole has a deadline too (the book's files are at most a few MiB: seconds on any network).
 */
export const DOWNLOAD_DEADLINE_MS = 120_000;

export interface DownloadLimits {
  maxBytes?: number;
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
  deadlineMs?: number;
}

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

// ---- downloads ---------------------------------------------------------------------------------------------

/** What went wrong on the other side, in words for the one-line message ("the server stalled for 30 s"). */
class SourceFailure extends Error {}

/** Writing the downloaded bytes to the cache failed (a full disk): our side, so the message is not "cannot download". */
class CacheWriteFailure extends Error {}

function bytesText(n: number): string {
  if (n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

function secondsText(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

type Limits = Required<DownloadLimits>;

/**
 * Copies chunks into file with the sha1 on the way; refuses more than maxBytes. idle is re-armed on every chunk,
 * so a source that stops sending is cut off by its timer (which aborts the iteration).
 */
async function copyChunks(chunks: AsyncIterable<Uint8Array>, file: FileHandle, maxBytes: number, sent: string, idle: { refresh(): void }): Promise<string> {
  const hash = createHash('sha1');
  let total = 0;
  for await (const chunk of chunks) {
    idle.refresh();
    total += chunk.length;
    if (total > maxBytes) throw new SourceFailure(`${sent} more than ${bytesText(maxBytes)}`);
    hash.update(chunk);
    await file.write(chunk).catch((e: unknown) => {
      throw new CacheWriteFailure(`cannot write the downloaded file: ${e instanceof Error ? e.message : String(e)}`);
    });
  }
  return hash.digest('hex');
}

/** The body of a web stream as chunks; stopping early cancels it (the connection closes). */
async function* bodyChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

/** Streams url into file; returns the sha1 of what was written. Fails with SourceFailure or CacheWriteFailure. */
async function fetchInto(url: string, file: FileHandle, limits: Limits): Promise<string> {
  try {
    return await (url.startsWith('file:') ? readFileUrl(url, file, limits) : fetchHttp(url, file, limits));
  } catch (e) {
    if (e instanceof SourceFailure || e instanceof CacheWriteFailure) throw e;
    // fetch says "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND...) in its cause
    throw new SourceFailure(e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e));
  }
}

async function readFileUrl(url: string, file: FileHandle, limits: Limits): Promise<string> {
  const path = fileURLToPath(url);
  const info = await stat(path);
  // a device or a FIFO would never end or block forever
  if (!info.isFile()) throw new SourceFailure(`${path} is not a regular file`);
  if (info.size > limits.maxBytes) throw new SourceFailure(`the file holds ${info.size} bytes, more than ${bytesText(limits.maxBytes)}`);
  const stream = createReadStream(path, { highWaterMark: 1 << 16 });
  const timer = setTimeout(() => stream.destroy(new SourceFailure(`the file stalled for ${secondsText(limits.idleTimeoutMs)}`)), limits.idleTimeoutMs);
  try {
    return await copyChunks(stream, file, limits.maxBytes, 'the file holds', timer);
  } finally {
    clearTimeout(timer);
    stream.destroy();
  }
}

async function fetchHttp(url: string, file: FileHandle, limits: Limits): Promise<string> {
  const abort = new AbortController();
  let why: string | null = null;
  const fail = (reason: string): void => {
    why = reason;
    abort.abort();
  };
  let timer = setTimeout(() => fail(`the server did not answer within ${secondsText(limits.connectTimeoutMs)}`), limits.connectTimeoutMs);
  const deadline = setTimeout(() => fail(`the download took longer than ${secondsText(limits.deadlineMs)}`), limits.deadlineMs);
  try {
    const res = await fetch(url, { signal: abort.signal });
    clearTimeout(timer);
    if (!res.ok) throw new SourceFailure(`HTTP ${res.status} ${res.statusText}`);
    const announced = Number(res.headers.get('content-length') ?? NaN);
    if (announced > limits.maxBytes) throw new SourceFailure(`the server would send ${announced} bytes, more than ${bytesText(limits.maxBytes)}`);
    timer = setTimeout(() => fail(`the server stalled for ${secondsText(limits.idleTimeoutMs)}`), limits.idleTimeoutMs);
    return res.body ? await copyChunks(bodyChunks(res.body), file, limits.maxBytes, 'the server sent', timer) : sha1(new Uint8Array(0));
  } catch (e) {
    if (why !== null) throw new SourceFailure(why); // the abort's own error says only "aborted"
    throw e;
  } finally {
    clearTimeout(timer);
    clearTimeout(deadline);
    abort.abort(); // closes the connection on every early exit (a no-op once the body is complete)
  }
}

/** The sha1 of a cached file, or null when it is missing, not a regular file or too big to be ours. */
async function cachedSha1(path: string, maxBytes: number): Promise<string | null> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile() || info.size > maxBytes) return null;
  try {
    const hash = createHash('sha1');
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 })) hash.update(chunk as Buffer);
    return hash.digest('hex');
  } catch {
    return null;
  }
}

/**
 * Returns the path of a cached, checksum-verified copy of url, downloading it when needed. limits: at most
 * maxBytes (64 MiB), an answer within connectTimeoutMs and no pause in the body longer than idleTimeoutMs (30 s each),
 * and the whole download within deadlineMs (120 s).
 */
export async function download(url: string, expectedSha1: string | null, folder = cacheDir(), limits: DownloadLimits = {}): Promise<string> {
  const lim: Limits = {
    maxBytes: limits.maxBytes ?? DOWNLOAD_MAX_BYTES,
    connectTimeoutMs: limits.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    idleTimeoutMs: limits.idleTimeoutMs ?? IDLE_TIMEOUT_MS,
    deadlineMs: limits.deadlineMs ?? DOWNLOAD_DEADLINE_MS,
  };
  const path = join(folder, basename(new URL(url).pathname));
  const cached = await cachedSha1(path, lim.maxBytes);
  if (cached !== null && (expectedSha1 === null || cached === expectedSha1)) return path;
  await mkdir(folder, { recursive: true });
  try {
    await replaceFile(path, async (file) => {
      const got = await fetchInto(url, file, lim);
      if (expectedSha1 !== null && got !== expectedSha1) {
        throw new Error(`checksum mismatch for ${url}: sha1 ${got}, expected ${expectedSha1}; the file was not kept`);
      }
    });
  } catch (e) {
    if (!(e instanceof SourceFailure)) throw e; // a checksum mismatch, or our own disk failed: those messages say so
    const cache = cached === null ? `${path} is not cached` : `the cached ${path} fails its checksum`;
    throw new Error(`cannot download ${url} (${e.message}); ${cache}; set RNNLM_DATA_URL=file:///path/to/folder/ to read a local copy, or pass --data FILE`);
  }
  return path;
}
