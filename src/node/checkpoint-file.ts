// Checkpoint files on disk (Node only): durable atomic writes, clear errors for missing, special, oversized or
// damaged files, and a failed save that says what the file on disk still holds.
import { WriteError, writeFileAtomic } from './durable-write.js';
import { checkpointFromContents, encodeCheckpoint, type Checkpoint } from '../train/checkpoint/checkpoint.js';
import { checkpointContents, planCheckpoint, type CheckpointContents } from '../train/checkpoint/read.js';
import { validateTraining } from '../train/checkpoint/training-state.js';
import { decodeTensor, parseSafetensorsHeader, safetensorsHeaderLength } from '../train/checkpoint/safetensors.js';
import { openRegular, readAt, readError } from './files.js';
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
    const why = e instanceof WriteError ? e.reason : e instanceof Error ? e.message : String(e);
    throw new Error(`cannot save the model to ${path} (${why}); ${path} holds ${await describeOnDisk(path)}`, { cause: e });
  }
}

/**
 * Reads a checkpoint header first: the 8-byte length, the header (at most MAX_HEADER_BYTES), and every check of
 * planCheckpoint; only then the tensors, one at a time from their offsets. A file that claims more than its
 * configuration accounts for is refused before its data is read, and memory holds the model's values and one
 * tensor's bytes, never the whole file as well.
 */
export async function loadCheckpoint(path: string, options: { maxBytes?: number } = {}): Promise<Checkpoint> {
  return checkpointFromContents(await loadCheckpointContents(path, options));
}

/**
 * What loadCheckpoint reads, before any model class is built: the weights by name, the vocabulary, the
 * configuration and the run. For readers that need the weights alone (generation's forward pass), which then pay
 * neither a model's initialisation nor a second copy of every weight.
 */
export async function loadCheckpointContents(path: string, { maxBytes = MAX_CHECKPOINT_BYTES }: { maxBytes?: number } = {}): Promise<CheckpointContents> {
  const { file, size } = await openRegular(path, { what: 'model file', maxBytes, limitName: ' for a model file' });
  try {
    const read = async (length: number, position: number): Promise<Uint8Array> => {
      const bytes = await readAt(file, length, position);
      // it shrank while we read
      if (bytes.length !== length) throw new Error(`${path} is not a valid safetensors file: it ends at byte ${position + bytes.length}, expected ${position + length} (truncated while read?)`);
      return bytes;
    };
    // a file under /proc or /sys says 0 bytes whatever it holds: one byte read tells it from a truly empty file
    if (size === 0 && (await readAt(file, 1, 0)).length > 0) {
      throw new Error(`${path} is not a checkpoint: it reports a size of 0 but holds data (a /proc or /sys file?)`);
    }
    const headerLength = safetensorsHeaderLength(await readAt(file, 8, 0), size, path);
    const header = parseSafetensorsHeader(await read(headerLength, 8), size - 8 - headerLength, path);
    const plan = planCheckpoint(header, path, validateTraining);
    const tensors = new Map<string, Float32Array>();
    for (const [, e] of [...plan.weights, ...plan.optimizer]) tensors.set(e.name, decodeTensor(await read(e.end - e.begin, 8 + headerLength + e.begin), e.name, path));
    return checkpointContents(plan, (e) => tensors.get(e.name)!);
  } catch (e) {
    throw e instanceof Error && !(e as NodeJS.ErrnoException).code ? e : readError(e, path, 'model file');
  } finally {
    await file.close().catch(() => undefined);
  }
}
