// Checkpoint files on disk (Node only): atomic writes, clear errors for missing or damaged files.
import { writeFileAtomic } from '../data/download.js';
import { readBytes } from '../data/load.js';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from './checkpoint.js';

export async function saveCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  await writeFileAtomic(path, encodeCheckpoint(checkpoint));
}

export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  return decodeCheckpoint(await readBytes(path, 'model file'), path);
}
