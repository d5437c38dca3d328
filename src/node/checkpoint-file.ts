// Checkpoint files on disk (Node only): durable atomic writes, clear errors for missing, special, oversized or
// damaged files, and a failed save that says what the file on disk still holds.
import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { writeFileAtomic } from './durable-write.js';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../train/checkpoint/checkpoint.js';
import { notRegularFile, readAt, readError } from './files.js';
import { describeOnDisk } from './out-file.js';

/** Model files larger than this are refused unless a larger limit is given (the book's models are kilobytes). */
export const MAX_CHECKPOINT_BYTES = 2 * 1024 ** 3;

/**
 * Saves atomically and durably (the file on disk is the old checkpoint or the new one, never a part). On failure
 * the error is one line that says why and what path still holds ("the checkpoint of epoch 3", "nothing (no file)").
 */
export async function saveCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  try {
    await writeFileAtomic(path, encodeCheckpoint(checkpoint));
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`cannot save the model to ${path} (${why}); ${path} holds ${await describeOnDisk(path)}`, { cause: e });
  }
}

/** Reads a model file: a regular file of at most maxBytes, read in full only after those checks. */
async function readModelFile(path: string, maxBytes: number): Promise<Uint8Array> {
  const fail = (e: unknown): Error => readError(e, path, 'model file');
  const info = await stat(path).catch((e: unknown) => {
    throw fail(e);
  });
  // checked before opening: opening a FIFO blocks until a writer comes, and /dev/zero never ends
  if (!info.isFile()) throw notRegularFile(path, info, 'a model file');
  let file: FileHandle;
  try {
    file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw fail(e);
  }
  try {
    const now = await file.stat(); // the file opened, which may have been replaced since the stat above
    if (!now.isFile()) throw notRegularFile(path, now, 'a model file');
    if (now.size > maxBytes) throw new Error(`${path} is ${now.size} bytes, above the limit of ${maxBytes} for a model file`);
    return await readAt(file, now.size, 0); // shorter if it shrank while we read: the decoder reports the truncation
  } catch (e) {
    throw e instanceof Error && !(e as NodeJS.ErrnoException).code ? e : fail(e);
  } finally {
    await file.close().catch(() => undefined);
  }
}

export async function loadCheckpoint(path: string, { maxBytes = MAX_CHECKPOINT_BYTES }: { maxBytes?: number } = {}): Promise<Checkpoint> {
  return decodeCheckpoint(await readModelFile(path, maxBytes), path);
}
