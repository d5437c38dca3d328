// A command's files, checked together before any work starts (Node only): every output's folder exists (or can be
// created) and is writable, no output is a folder or a special file, no two outputs are the same file, and no output
// is an input, whether named by the same path, another path, a symbolic link or a hard link. The one documented
// exception is a read-modify-write: an output may name the input it updates (--resume FILE saving back to FILE, sweep
// appending to its own --results). Every command that writes a file states its plan here, so a new flag that writes
// is covered by naming it, not by a check of its own.
import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** A file a command reads or writes, with the flag that named it (for the messages). */
export interface PlannedFile {
  flag: string; // '--out', '--data', 'RUN.jsonl' for a positional
  path: string;
}

export interface PlannedOutput extends PlannedFile {
  /** The output's folder is created when missing (exercises --out DIR): then its nearest existing folder must be writable. */
  createsFolder?: boolean;
  /** The input flag this output updates on purpose (read-modify-write); it may be the same file as that input only. */
  updates?: string;
}

export interface FilePlan {
  inputs: PlannedFile[];
  outputs: PlannedOutput[];
}

/** The real path a file has or would have (the folder's real path and the name when the file does not exist yet). */
export async function realTarget(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    const folder = await realpath(dirname(resolve(path))).catch(() => dirname(resolve(path)));
    return join(folder, basename(path));
  }
}

/** What makes two names one file: the real path, and (for files that exist) the device and inode (hard links). */
interface Identity {
  real: string;
  inode: string | null;
}

async function identity(path: string): Promise<Identity> {
  const info = await stat(path).catch(() => null);
  return { real: await realTarget(path), inode: info ? `${info.dev}:${info.ino}` : null };
}

const sameFile = (a: Identity, b: Identity): boolean => a.real === b.real || (a.inode !== null && a.inode === b.inode);

/** '--out m.svg and --plot m.svg' (with the real file when neither name is it). */
function both(a: PlannedFile, b: PlannedFile): string {
  return `${a.flag} ${a.path} and ${b.flag} ${b.path}`;
}

/** The nearest folder of path that exists (path itself when it does). */
async function nearestExisting(path: string): Promise<string> {
  let p = resolve(path);
  for (;;) {
    if (await stat(p).then(() => true, () => false)) return p;
    const up = dirname(p);
    if (up === p) return p;
    p = up;
  }
}

async function writable(folder: string): Promise<boolean> {
  return access(folder, constants.W_OK).then(() => true, () => false);
}

/** One output's own checks: its folder, and that it is a regular file or absent (a folder for folder outputs). */
async function checkOutput(o: PlannedOutput): Promise<void> {
  const { flag, path } = o;
  const folder = dirname(resolve(path));
  const folderInfo = await stat(folder).catch(() => null);
  if (folderInfo && !folderInfo.isDirectory()) throw new Error(`${flag} ${path}: ${dirname(path)} is not a folder`);
  if (!folderInfo && !o.createsFolder) throw new Error(`${flag} ${path}: the folder ${dirname(path)} does not exist`);
  // a folder still to be created: the nearest one that exists must be a folder we can write in
  const base = folderInfo ? folder : await nearestExisting(folder);
  if (!folderInfo && !(await stat(base)).isDirectory()) throw new Error(`${flag} ${path}: ${base} is not a folder`);
  if (!(await writable(base))) throw new Error(`${flag} ${path}: the folder ${base === folder ? dirname(path) : base} is not writable`);
  const info = await stat(path).catch(() => null);
  if (info?.isDirectory()) throw new Error(`${flag} ${path} is a folder; give a file name`);
  // a rename over a device or a pipe would replace it, not write to it
  if (info && !info.isFile()) throw new Error(`${flag} ${path} is not a regular file`);
}

/**
 * Checks a command's files before it starts (one line naming both files for any clash): each output on its own,
 * then every pair of outputs, then every output against every input (except the one it updates).
 */
export async function checkFilePlan({ inputs, outputs }: FilePlan): Promise<void> {
  for (const o of outputs) await checkOutput(o);
  const outIds = await Promise.all(outputs.map((o) => identity(o.path)));
  const inIds = await Promise.all(inputs.map((i) => identity(i.path)));
  for (let a = 0; a < outputs.length; a++) {
    for (let b = a + 1; b < outputs.length; b++) {
      if (sameFile(outIds[a]!, outIds[b]!)) throw new Error(`${both(outputs[a]!, outputs[b]!)} are the same file: give each output its own file`);
    }
    for (let i = 0; i < inputs.length; i++) {
      const o = outputs[a]!;
      if (o.updates === inputs[i]!.flag || !sameFile(outIds[a]!, inIds[i]!)) continue;
      throw new Error(`${both(o, inputs[i]!)} are the same file: refusing to overwrite an input`);
    }
  }
}
