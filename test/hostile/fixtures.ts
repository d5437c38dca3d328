// The hostile-input suite's files, all made at module load (before any case takes its snapshot): a valid small
// checkpoint and a trained run (with its optimizer buffers and training state), texts, links, special files, and
// broken copies of each. Every case runs with this folder as its working directory.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, linkSync, mkdirSync, openSync, readFileSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, tempDir } from '../helpers.js';
import { Vocab } from '../../src/data/vocab.js';
import { Rng } from '../../src/tensor/random.js';
import { encodeCheckpoint } from '../../src/train/checkpoint/checkpoint.js';
import { BOOK_CONFIG, createModel } from '../../src/train/config/config.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/train/checkpoint/safetensors.js';

/**
 * The issue-18 families: 1 data loss, 2 hangs, 3 memory, 4 silent accepts, 5 slow paths, 6 terminal safety,
 * 7 late checks (refused at once, not after the work).
 */
export type Family = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface Case {
  family: Family;
  name: string;
  args: string[];
  /** The one line on stderr; null: nothing on stderr (a run that succeeds). */
  stderr: RegExp | null;
  code: number;
  /** Wall-clock limit (default 20 s). */
  maxSeconds?: number;
  /** Peak resident memory limit in MiB (default 1024). */
  maxRssMiB?: number;
  /** Nothing may reach stdout (a refusal that must come before any result is printed). */
  noStdout?: boolean;
  /** Files (relative to the folder) the case must create: checked, then removed before the snapshot is compared. */
  creates?: string[];
}

export const dir = tempDir();
export const file = (name: string, content: string | Uint8Array): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
export const folder = (name: string): string => {
  const p = join(dir, name);
  mkdirSync(p, { recursive: true });
  return p;
};
/** A symbolic link name -> target (target as given: relative to the link's folder, or absolute). */
export const symlink = (name: string, target: string): string => {
  const p = join(dir, name);
  symlinkSync(target, p);
  return p;
};
/** A second name (hard link) for an existing file. */
export const hardlink = (name: string, existing: string): string => {
  const p = join(dir, name);
  linkSync(existing, p);
  return p;
};

/** The small sizes every training case uses. */
export const SMALL = ['--epochs', '1', '--batch-size', '16', '--num-steps', '8', '--num-hiddens', '8', '--num-train', '100', '--num-val', '20'];

// a valid small checkpoint (a model without its run)
export const vocab = new Vocab([...'the time machine']);
export const config = { ...BOOK_CONFIG, numHiddens: 4 };
const model = createModel(config, vocab.length, new Rng(1));
export const good = encodeCheckpoint({ model, vocab, config });
export const goodFile = decodeSafetensors(good);
export const GOOD = file('good.safetensors', good);

// a raw-text word model (the prefix, stop text and eval files are read as words)
const wordVocab = new Vocab(['the', ' ', 'time', ' ', 'machine', '.'], { tokenization: { text: 'raw', tokens: 'word' } });
const wordConfig = { ...BOOK_CONFIG, numHiddens: 4, text: 'raw' as const, tokens: 'word' as const };
export const WORDS = file('words.safetensors', encodeCheckpoint({ model: createModel(wordConfig, wordVocab.length, new Rng(1)), vocab: wordVocab, config: wordConfig }));

export const TEXT = file('text.txt', 'the time machine by h g wells '.repeat(2000));
export const FIFO = join(dir, 'fifo');
spawnSync('mkfifo', [FIFO]);
export const SUB = folder('folder');

/** A Unix socket file (bound by a child process that then exits: the file stays), or null where none can be made. */
export const SOCKET: string | null = (() => {
  const p = join(dir, 'socket');
  const r = spawnSync(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(p)}, () => process.exit(0))`], { timeout: 10_000 });
  return r.status === 0 && existsSync(p) ? p : null;
})();

// a trained run (adam: two optimizer buffers), its --json log, and a sweep results file with one valid line
const trained = spawnSync(process.execPath, [BIN, 'train', ...SMALL, '--data', TEXT, '--optimizer', 'adam', '--lr', '0.01', '--out', join(dir, 'run.safetensors'), '--json'],
  { cwd: dir, encoding: 'utf8', env: process.env });
if (trained.status !== 0) throw new Error(`the fixture run failed: ${trained.stderr}`);
export const RUN = join(dir, 'run.safetensors');
export const LOG = file('run.jsonl', trained.stdout.split('\n').filter((l) => l.startsWith('{"epoch"')).join('\n') + '\n');
export const run = decodeSafetensors(readFileSync(RUN));
export const training = JSON.parse(run.metadata['training']!) as Record<string, unknown> & { history: Record<string, unknown>[] };
const runConfig = JSON.parse(run.metadata['config']!) as Record<string, unknown>;
export const RESULT_LINE = JSON.stringify({ config: runConfig, trainPpl: 14.58, valPpl: 13.03, seconds: 0.3 });

/** The trained run with its training state replaced (and its tensors, or other metadata, changed). */
export const withTraining = (name: string, state: unknown, tensors = run.tensors, meta: Record<string, string> = {}): string =>
  file(name, encodeSafetensors({ tensors, metadata: { ...run.metadata, training: JSON.stringify(state), ...meta } }));

/** The valid checkpoint with its metadata changed. */
export const withMeta = (name: string, change: Record<string, string>): string =>
  file(name, encodeSafetensors({ tensors: goodFile.tensors, metadata: { ...goodFile.metadata, ...change } }));
const headerLength = Number(new DataView(good.buffer, good.byteOffset).getBigUint64(0, true));
/** The valid checkpoint with its header JSON replaced (same data). */
export const withHeader = (name: string, header: unknown, data = good.subarray(8 + headerLength)): string => {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return file(name, out);
};
export const header = JSON.parse(new TextDecoder().decode(good.subarray(8, 8 + headerLength))) as Record<string, { data_offsets: number[]; shape: number[]; dtype: string }>;
export const firstTensor = Object.keys(header).find((k) => k !== '__metadata__')!;
export const lengthOnly = (n: bigint): Uint8Array => {
  const b = new Uint8Array(16);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return b;
};

/**
 * A sparse checkpoint: a valid header (any JSON), then a data section of dataBytes that takes no disk space (the file
 * is extended with ftruncate): a file that claims gigabytes without holding them.
 */
export const sparse = (name: string, headerJson: unknown, dataBytes: number): string => {
  const p = join(dir, name);
  const json = Buffer.from(JSON.stringify(headerJson));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  const fd = openSync(p, 'w');
  try {
    writeSync(fd, length);
    writeSync(fd, json);
    ftruncateSync(fd, 8 + json.length + dataBytes);
  } finally {
    closeSync(fd);
  }
  return p;
};
/** A file of the given length holding only its first bytes (a sparse tail). */
export const sparseBytes = (name: string, head: Uint8Array, size: number): string => {
  const p = join(dir, name);
  const fd = openSync(p, 'w');
  try {
    writeSync(fd, head);
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
  return p;
};

export const isRoot = process.getuid?.() === 0;
