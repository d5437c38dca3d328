// Checkpoint files on disk (Node only): durable atomic writes, clear errors for missing, special, oversized or
// damaged files, and a failed save that says what the file on disk still holds.
import { writeFileAtomic } from './durable-write.js';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../train/checkpoint/checkpoint.js';
import { readBounded } from './files.js';
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

/** Reads a model file: a regular file of at most maxBytes (counted while reading), read in full after those checks. */
const readModelFile = (path: string, maxBytes: number): Promise<Uint8Array> =>
  readBounded(path, { what: 'model file', maxBytes, limitName: ' for a model file' });

export async function loadCheckpoint(path: string, { maxBytes = MAX_CHECKPOINT_BYTES }: { maxBytes?: number } = {}): Promise<Checkpoint> {
  return decodeCheckpoint(await readModelFile(path, maxBytes), path);
}
