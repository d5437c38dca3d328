// Guards around the file a run writes (--out; Node only): one writer at a time (a lock file beside the real file, holding
// the owner's pid and start time, taken over when that process is gone) and, when a save fails, a phrase for what the
// file on disk still holds. The checks of a command's files against each other are file-plan.ts's.
import { readFileSync, unlinkSync } from 'node:fs';
import { link, open, rename, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { realTarget } from './file-plan.js';
import { removeStaleTemps, tempName } from './durable-write.js';
import { SELF, writerAlive } from './process-identity.js';
import { openRegular, readAt } from './files.js';
import { parseSafetensorsHeader, safetensorsHeaderLength } from '../train/checkpoint/safetensors.js';

export interface OutLock {
  /** Removes the lock if it is still ours (idempotent). */
  release(): Promise<void>;
}

/** The locks this process holds (resolved paths). */
const held = new Set<string>();

/** The pid in a lock file, or null when it holds none (unreadable, empty or foreign content). */
async function lockOwner(lock: string): Promise<number | null> {
  return (await lockHolder(lock))?.pid ?? null;
}

/** What an rnnlm lock holds: 'pid start' (older locks the pid only). */
const LOCK_TEXT = /^\s*(\d+)(?: (\d+))?\s*$/;

/**
 * The first bytes of the file at a lock's path as text (a lock is a line; whatever else is there is not read whole),
 * or null when there is none; a folder, FIFO or device there is refused with one line.
 */
async function readHead(lock: string, bytes: number): Promise<string | null> {
  let opened: Awaited<ReturnType<typeof openRegular>>;
  try {
    opened = await openRegular(lock, { what: 'lock file', maxBytes: Number.MAX_SAFE_INTEGER });
  } catch (e) {
    if ((e as Error).message.startsWith('no such lock file')) return null;
    throw e;
  }
  try {
    return new TextDecoder().decode(await readAt(opened.file, bytes, 0));
  } finally {
    await opened.file.close().catch(() => undefined);
  }
}

/** The pid and start time in a lock file ('pid start'; older locks hold the pid only: start '0', unknown). */
async function lockHolder(lock: string): Promise<{ pid: number; start: string } | null> {
  const text = await readHead(lock, 64).catch(() => null);
  const m = text === null ? null : LOCK_TEXT.exec(text);
  return m ? { pid: Number(m[1]), start: m[2] ?? '0' } : null;
}

/**
 * The start of a file at the lock's path that rnnlm did not write (text that is not a pid), or null. Such a file is
 * a user's, whatever its name: it is left alone and the run refused. (An empty one may be a lock being created on a
 * filesystem without hard links, and holds nothing to lose: it is taken for stale.)
 */
async function foreignLock(lock: string): Promise<string | null> {
  const head = await readHead(lock, 64);
  return head !== null && head.trim() !== '' && !LOCK_TEXT.test(head) ? head : null;
}

/** Whether the run holding a lock still runs (a dead one's pid may since belong to another process). */
const holderAlive = (h: { pid: number; start: string } | null): boolean => h !== null && h.pid !== process.pid && writerAlive(h.pid, h.start);

/** Creates lock with our pid in it, atomically: it never exists empty (a reader would take an empty lock for stale). */
async function createLock(lock: string): Promise<boolean> {
  const tmp = tempName(lock);
  await writeFile(tmp, `${SELF.pid} ${SELF.start}\n`, { flag: 'wx' });
  try {
    await link(tmp, lock); // fails with EEXIST when another run holds it: the exclusive create
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
    // a filesystem without hard links: an exclusive create, then the pid (a reader may see it empty for a moment)
    try {
      await writeFile(lock, `${SELF.pid} ${SELF.start}\n`, { flag: 'wx' });
      return true;
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e2;
    }
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/**
 * Takes `${real out}.lock` for this process: refuses (one line) when a live process holds it, takes it over when its
 * owner is gone (killed). The lock is removed by release() and, failing that, when the process exits.
 */
export async function acquireOutLock(out: string, flag = '--out'): Promise<OutLock> {
  // beside the real file: two runs naming it through different links or paths take the same lock
  const lock = `${await realTarget(out)}.lock`;
  const key = resolve(lock);
  if (held.has(key)) throw new Error(`${out} is already being written by this process`);
  await removeStaleTemps(lock); // what a run killed while taking the lock left
  for (let attempt = 0; ; attempt++) {
    let created: boolean;
    try {
      created = await createLock(lock);
    } catch (e) {
      throw new Error(`cannot create the lock file ${lock}: ${(e as Error).message}`);
    }
    if (created) break;
    const foreign = await foreignLock(lock);
    if (foreign !== null) {
      throw new Error(`${lock} exists and is not an rnnlm lock (it begins ${JSON.stringify(foreign.slice(0, 20))}): refusing to remove it; move it away or choose another ${flag}`);
    }
    const holder = await lockHolder(lock);
    const owner = holder?.pid ?? null;
    // our own pid in a lock we do not hold is a dead process's (pids are reused, in containers especially), and so
    // is a live pid whose start time is not the holder's
    if (holderAlive(holder)) {
      throw new Error(`${out} is being written by another rnnlm (pid ${owner}); wait for it or choose another ${flag}`);
    }
    if (attempt >= 5) throw new Error(`cannot take the lock file ${lock}: other runs keep taking it; remove it if no rnnlm writes ${out}`);
    // stale: move it aside first, so that of two runs taking it over at once only one removes it
    const aside = tempName(lock);
    try {
      await rename(lock, aside);
    } catch {
      continue; // another run moved it first: try to create ours again
    }
    const movedHolder = await lockHolder(aside);
    const moved = movedHolder?.pid ?? null;
    if (moved !== owner && holderAlive(movedHolder)) {
      // between our read and the move a live run took it over: give it back, and refuse
      await link(aside, lock).catch(() => undefined);
      await unlink(aside).catch(() => undefined);
      throw new Error(`${out} is being written by another rnnlm (pid ${moved}); wait for it or choose another ${flag}`);
    }
    await unlink(aside).catch(() => undefined);
  }
  held.add(key);
  let holding = true;
  const onExit = (): void => {
    // synchronous: 'exit' listeners cannot wait
    try {
      if (/^\s*(\d+)/.exec(readFileSync(lock, 'utf8'))?.[1] === String(process.pid)) unlinkSync(lock);
    } catch {
      // already gone
    }
  };
  process.once('exit', onExit);
  return {
    async release() {
      if (!holding) return;
      holding = false;
      held.delete(key);
      process.removeListener('exit', onExit);
      if ((await lockOwner(lock)) === process.pid) await unlink(lock).catch(() => undefined);
    },
  };
}

/**
 * What the file at out holds, for the message of a failed save: 'nothing (no file)', 'the checkpoint of epoch N'
 * (or 'an earlier checkpoint' when it does not say its epoch), or 'an unreadable file'. Reads the header only.
 */
export async function describeOnDisk(out: string): Promise<string> {
  let file: FileHandle;
  try {
    file = await open(out, 'r');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'nothing (no file)' : 'an unreadable file';
  }
  try {
    const info = await file.stat();
    if (!info.isFile()) return 'an unreadable file';
    const length = safetensorsHeaderLength(await readAt(file, 8, 0), info.size);
    const header = await readAt(file, length, 8);
    if (header.length !== length) return 'an unreadable file';
    const { metadata } = parseSafetensorsHeader(header, info.size - 8 - length);
    const epoch = metadata['epoch'];
    return epoch !== undefined && /^\d+$/.test(epoch) ? `the checkpoint of epoch ${Number(epoch)}` : 'an earlier checkpoint';
  } catch {
    return 'an unreadable file';
  } finally {
    await file.close().catch(() => undefined);
  }
}
