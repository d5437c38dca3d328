// The one durable writer: every file rnnlm writes (checkpoints, plots, reports, sweep results, the download cache)
// goes through a temp file beside the target, fsync, rename and an fsync of the folder, so a crash, a full disk or a
// signal leaves the old file or the new one, never a part. Temps are named `${target}.<pid>.<random>.tmp`, so a later
// run can remove a dead writer's leftovers (removeStaleTemps) and keep a live one's.
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

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
  // the pid names the owner, so a later run can tell a dead writer's leftovers from a live writer's file
  const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  pending.add(tmp);
  return tmp;
}

/** Whether a process with this pid exists (EPERM: it does, but belongs to someone else). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false; // 0 and negatives address process groups
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

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
 * Writes a file durably and atomically: fill() writes a temp file next to the target, which is fsynced, renamed
 * over the target, and the folder fsynced. A reader (or a crash) sees the old file or the new one, never a part;
 * the temp file is removed on every failure.
 */
export async function replaceFile(target: string, fill: (file: FileHandle, tmp: string) => Promise<void>): Promise<void> {
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
    throw e;
  } finally {
    pending.delete(tmp);
  }
  await syncFolder(dirname(target));
}

/** Writes a file atomically and durably (temp file `${path}.${pid}.${random}.tmp`, fsync, rename, fsync of the folder). */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  await replaceFile(path, (file) => file.writeFile(bytes));
}

/**
 * Removes the temp files `${basename(target)}.<pid>.<random>.tmp` next to target left by processes that no longer
 * run (killed during a write); a live process's are kept. Returns the names removed.
 */
export async function removeStaleTemps(target: string): Promise<string[]> {
  const folder = dirname(target);
  const prefix = basename(target) + '.';
  const names = await readdir(folder).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const m = /^(\d+)\.[0-9A-Za-z]+\.tmp$/.exec(name.slice(prefix.length));
    if (!m || processAlive(Number(m[1]))) continue;
    try {
      await rm(join(folder, name));
      removed.push(name);
    } catch {
      // another run removed it first, or it is not ours to remove
    }
  }
  return removed;
}
