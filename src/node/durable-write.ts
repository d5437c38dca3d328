// The one durable writer: every file rnnlm writes (checkpoints, plots, reports, sweep results, the download cache)
// goes through a temp file beside the target, fsync, rename and an fsync of the folder, so a crash, a full disk or a
// signal leaves the old file or the new one, never a part. Temps are named by tempName, so a later run can remove a dead
// writer's leftovers (removeStaleTemps) and keep a live one's and the user's files.
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SELF, writerAlive } from './process-identity.js';
import { realTarget } from './file-plan.js';

export { processAlive } from './process-identity.js';

/**
 * A write that failed (a full disk, a quota, a read-only or failing device): the file on disk is still what it was
 * before. Commands end with exit code 1 for it (the input was fine; the output could not be kept), not 2.
 */
export class WriteError extends Error {
  /** Why, in a few words: the error's code, and what it means for the common one. */
  readonly reason: string;
  constructor(readonly path: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException)?.code ?? (cause instanceof Error ? cause.message : String(cause));
    const reason = code === 'ENOSPC' ? 'ENOSPC: the disk is full' : code === 'EDQUOT' ? 'EDQUOT: over the disk quota' : code;
    super(`cannot write ${path} (${reason})`, { cause });
    this.reason = reason;
  }
}

/** Whether an error, or one it was caused by, is a failed write. */
export function isWriteError(e: unknown): boolean {
  for (let c = e, depth = 0; c instanceof Error && depth < 10; c = c.cause, depth++) if (c instanceof WriteError) return true;
  return false;
}

/** Temp files of this process not yet renamed: removed on exit, so that even process.exit() mid-write leaves none. */
const pending = new Set<string>();
let exitHook = false;

function tempPath(target: string): string {
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const tmp of pending) {
        try {
          unlinkSync(tmp);
        } catch {
          // already gone
        }
      }
    });
  }
  const tmp = tempName(target);
  pending.add(tmp);
  return tmp;
}

/**
 * A temp file's name beside target: `${target}.rnnlm-<pid>-<start>-<8 hex>.tmp`. The tag and the exact form make
 * it rnnlm's (a user's `notes.st.99999.ab.tmp` is not), the pid and start time name the writer, so a later run can
 * tell a dead writer's leftovers from a live one's even when the pid was reused.
 */
export function tempName(target: string): string {
  return `${target}.rnnlm-${SELF.pid}-${SELF.start}-${randomBytes(4).toString('hex')}.tmp`;
}

/** The writer of a temp name tempName made for target, or null for any other name. */
function tempWriter(name: string, target: string): { pid: number; start: string } | null {
  const prefix = basename(target) + '.';
  if (!name.startsWith(prefix)) return null;
  const m = /^rnnlm-(\d+)-(\d+)-[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length));
  return m ? { pid: Number(m[1]), start: m[2]! } : null;
}

/** The errors of writing that say the output cannot be kept (not that the path or the input was wrong). */
const DISK_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EIO', 'EROFS']);
const isDiskError = (e: unknown): boolean => DISK_ERRORS.has((e as NodeJS.ErrnoException)?.code ?? '');

/** Errors of an fsync on a folder that mean "this platform or filesystem cannot", not "the data is at risk". */
const NO_FOLDER_SYNC = new Set(['EINVAL', 'EISDIR', 'EPERM', 'EACCES', 'EBADF', 'ENOTSUP', 'EOPNOTSUPP']);

/** Makes a rename in this folder durable (the new directory entry reaches the disk). */
async function syncFolder(folder: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch (e) {
    if (!NO_FOLDER_SYNC.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Writes a file durably and atomically: fill() writes a temp file next to the target (the real file, through links), which is fsynced, renamed
 * over the target, and the folder fsynced. A reader (or a crash) sees the old file or the new one, never a part;
 * the temp file is removed on every failure.
 */
export async function replaceFile(path: string, fill: (file: FileHandle, tmp: string) => Promise<void>): Promise<void> {
  // through a symbolic link the file it names is replaced, not the link (which would leave the real file stale)
  const target = await realTarget(path);
  const tmp = tempPath(target);
  let file: FileHandle | undefined;
  try {
    file = await open(tmp, 'wx');
    await fill(file, tmp);
    await file.sync();
    await file.close();
    file = undefined;
    await rename(tmp, target);
  } catch (e) {
    await file?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw isWriteError(e) || !isDiskError(e) ? e : new WriteError(path, e);
  } finally {
    pending.delete(tmp);
  }
  await syncFolder(dirname(target));
}

/** Writes a file atomically and durably (a temp file named by tempName, fsync, rename, fsync of the folder). */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  await replaceFile(path, (file) => file.writeFile(bytes));
}

/**
 * Removes the temp files tempName made for target whose writers no longer run (killed during a write); a live
 * writer's are kept, and so is every file of another form (the user's). Returns the names removed.
 */
export async function removeStaleTemps(path: string): Promise<string[]> {
  const target = await realTarget(path); // where replaceFile puts its temps
  const folder = dirname(target);
  const names = await readdir(folder).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const writer = tempWriter(name, target);
    if (!writer || writerAlive(writer.pid, writer.start)) continue;
    try {
      await rm(join(folder, name));
      removed.push(name);
    } catch {
      // another run removed it first, or it is not ours to remove
    }
  }
  return removed;
}

/**
 * Appends text to a file durably, all or nothing: the bytes are written and fsynced, and on any failure (a full
 * disk) the file is cut back to its old length, or removed when this call created it, so a reader never sees a torn
 * last line. For logs that grow one record at a time (sweep results), where rewriting the whole file each time would
 * cost its size per record.
 */
export async function appendDurable(path: string, text: string): Promise<void> {
  const target = await realTarget(path);
  let file: FileHandle | undefined;
  let before: number | null = null;
  const created = !(await stat(target).then(() => true, () => false));
  try {
    file = await open(target, 'a');
    before = (await file.stat()).size;
    await file.writeFile(text); // not write(): one write call may write a part (the disk filled) and say so quietly
    await file.sync();
  } catch (e) {
    if (file && before !== null) await file.truncate(before).catch(() => undefined);
    await file?.close().catch(() => undefined);
    file = undefined;
    if (created) await rm(target, { force: true }).catch(() => undefined);
    throw isDiskError(e) ? new WriteError(path, e) : e;
  } finally {
    await file?.close().catch(() => undefined);
  }
  if (before === 0) await syncFolder(dirname(target)); // a new directory entry
}

