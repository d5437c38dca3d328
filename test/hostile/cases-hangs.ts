// Family 2, hangs: every path a command reads given a FIFO (opening it would wait for a writer), /dev/zero and
// /dev/urandom (never end), a folder, a socket, and files under /proc (size 0 by stat, yet with content, or waiting
// for data); generation asked for more than its limits. Each ends at once with one line (or reads the /proc file
// for what it is, its cap counted on the bytes read).
import { join } from 'node:path';
import { type Case, dir, FIFO, GOOD, LOG, SMALL, SOCKET, SUB, TEXT, withTraining, training, RUN } from './fixtures.js';

const h = 'hg-';
const NOT_REGULAR = /is not a regular file \(a device, pipe or socket\); give /;
const FOLDER = /is not a regular file \(a folder\); give /;

/** The specials every reader must refuse, each with its message. */
const SPECIALS: [string, string, RegExp][] = [
  ['a FIFO', FIFO, NOT_REGULAR], ['/dev/zero', '/dev/zero', NOT_REGULAR], ['/dev/urandom', '/dev/urandom', NOT_REGULAR], ['a folder', SUB, FOLDER],
  ...(SOCKET ? [['a socket', SOCKET, NOT_REGULAR] as [string, string, RegExp]] : []),
];

/** Each reading flag of each command, as a function of the path it reads. */
const READERS: [string, (p: string) => string[], string][] = [
  ['train --data', (p) => ['train', ...SMALL, '--data', p], 'a text file'],
  ['train --resume', (p) => ['train', '--resume', p], 'a model file'],
  ['train --init-from', (p) => ['train', '--init-from', p], 'a model file'],
  ['score --model', (p) => ['score', '--model', p, 'the time'], 'a model file'],
  ['eval --model', (p) => ['eval', '--model', p, TEXT], 'a model file'],
  ['eval TEXT_FILE', (p) => ['eval', '--model', GOOD, TEXT, p], 'a text file'],
  ['plot RUN.jsonl', (p) => ['plot', LOG, p, '--out', join(dir, `${h}p.svg`)], 'a regular file'],
  ['sweep --data', (p) => ['sweep', ...SMALL, '--data', p, '--results', join(dir, `${h}r.jsonl`)], 'a text file'],
  ['exercises --same-author', (p) => ['exercises', '--out', join(dir, `${h}ex`), '--same-author', p], 'a text file'],
  ['exercises --other-author', (p) => ['exercises', '--out', join(dir, `${h}ex`), '--other-author', p], 'a text file'],
];

// a run whose training state names a special file as its text (resume reads it without --data)
const runOn = (name: string, data: string): string => withTraining(`${h}${name}.safetensors`, { ...training, data });

export const HANGS: Case[] = [
  // rnnlm import's two inputs
  { name: 'import --weights a FIFO', args: ['import', '--weights', FIFO, '--vocab', TEXT, '--out', join(dir, 'hang-import.safetensors')], stderr: /--weights .* is not a regular file|is not a regular file \(a device, pipe or socket\)/ },
  { name: 'import --vocab /dev/zero', args: ['import', '--weights', GOOD, '--vocab', '/dev/zero', '--out', join(dir, 'hang-import.safetensors')], stderr: /\/dev\/zero is not a regular file/ },
  // each reader: a FIFO and a socket; /dev/urandom and folders for some (the others are in hostile.test.ts)
  ...READERS.flatMap(([flag, args, give]) => SPECIALS
    .filter(([what]) => (/^(train --data|eval TEXT_FILE)$/.test(flag) ? /urandom|socket/.test(what) : /FIFO|socket/.test(what))
      || (what === '/dev/urandom' && flag === 'train --resume') || (what === 'a folder' && /score|plot|sweep|same-author/.test(flag)))
    .map(([what, path, stderr]): Case => ({ name: `${flag} ${what}`, args: args(path), stderr: new RegExp(stderr.source + give), family: 2, code: 2 }))),
  // outputs that are special files: a rename over them would replace them, writing to them would block or vanish
  { name: 'sweep --results a FIFO', args: ['sweep', ...SMALL, '--data', TEXT, '--results', FIFO], stderr: /--results .*fifo is not a regular file/ },
  { name: 'sweep --results a folder', args: ['sweep', ...SMALL, '--data', TEXT, '--results', SUB], stderr: /--results .*folder is a folder; give a file name/ },
  { name: 'train --out a FIFO', args: ['train', ...SMALL, '--data', TEXT, '--out', FIFO], stderr: /--out .*fifo is not a regular file/ },
  { name: 'exercises --out a FIFO', args: ['exercises', '--out', FIFO], stderr: /--out .*fifo\/report\.md: .*fifo is not a folder/ },
  // /proc: stat says 0 bytes; the cap counts the bytes read
  { name: 'train --data /proc/cpuinfo --max-bytes 10', args: ['train', '--data', '/proc/cpuinfo', '--max-bytes', '10'], stderr: /\/proc\/cpuinfo is more than 10 bytes, above the limit of 10/ },
  { name: 'train --data /proc/self/status --max-bytes 10', args: ['train', '--data', '/proc/self/status', '--max-bytes', '10'], stderr: /\/proc\/self\/status is more than 10 bytes, above the limit of 10/ },
  { name: 'train --data /proc/self/status (read for what it is)', args: ['train', ...SMALL, '--data', '/proc/self/status', '--quiet'], stderr: null, code: 0 },
  { name: 'eval TEXT_FILE /proc/self/status (read for what it is)', args: ['eval', '--model', GOOD, '/proc/self/status'], stderr: null, code: 0 },
  // a checkpoint reader told 0 bytes by stat reads one: a /proc file is named for what it is, not "only 0 bytes"
  { name: 'generate --model /proc/self/status', args: ['generate', '--model', '/proc/self/status'],
    stderr: /\/proc\/self\/status is not a checkpoint: it reports a size of 0 but holds data \(a \/proc or \/sys file\?\)/ },
  { name: 'score --model /proc/cpuinfo', args: ['score', '--model', '/proc/cpuinfo', 'the time'], stderr: /\/proc\/cpuinfo is not a checkpoint: it reports a size of 0 but holds data/ },
  { name: 'eval --model /proc/self/status', args: ['eval', '--model', '/proc/self/status', TEXT], stderr: /\/proc\/self\/status is not a checkpoint: it reports a size of 0 but holds data/ },
  { name: 'train --init-from /proc/self/status', args: ['train', '--init-from', '/proc/self/status'], stderr: /\/proc\/self\/status is not a checkpoint: it reports a size of 0 but holds data/ },
  { name: 'train --resume /proc/cpuinfo', args: ['train', '--resume', '/proc/cpuinfo'], stderr: /\/proc\/cpuinfo is not a checkpoint: it reports a size of 0 but holds data/ },
  { name: 'plot RUN.jsonl /proc/cpuinfo', args: ['plot', '/proc/cpuinfo', '--out', join(dir, `${h}p.svg`)], stderr: /\/proc\/cpuinfo line 1 is not JSON \(expected the output of rnnlm train --json\)/ },
  { name: 'sweep --results /proc/cpuinfo', args: ['sweep', ...SMALL, '--data', TEXT, '--results', '/proc/cpuinfo'], stderr: /\/proc\/cpuinfo line 1 is not a sweep result/ },
  // the text a run names in its training state, read by --resume without --data
  { name: 'train --resume a run whose text is a FIFO', args: ['train', '--resume', runOn('data-fifo', FIFO), '--epochs', '2'], stderr: new RegExp(NOT_REGULAR.source + 'a text file') },
  { name: 'train --resume a run whose text is /dev/zero', args: ['train', '--resume', runOn('data-zero', '/dev/zero'), '--epochs', '2'], stderr: /\/dev\/zero is not a regular file/ },
  { name: 'train --resume a run whose text is a folder', args: ['train', '--resume', runOn('data-folder', SUB), '--epochs', '2'], stderr: FOLDER },
  { name: 'train --resume RUN --data /dev/urandom', args: ['train', '--resume', RUN, '--data', '/dev/urandom', '--epochs', '2'], stderr: /\/dev\/urandom is not a regular file/ },
  // generation beyond its limits is refused before it starts
  { name: 'generate --len 10000001', args: ['generate', '--model', GOOD, '--len', '10000001'], stderr: /--len must be at most 10000000, got '10000001'/ },
  { name: 'generate --len 1e12 --sample', args: ['generate', '--model', GOOD, '--sample', '--len', '1e12'], stderr: /--len must be at most 10000000, got '1e12'/ },
  { name: 'generate --beam 1001', args: ['generate', '--model', GOOD, '--beam', '1001'], stderr: /--beam must be at most 1000, got '1001'/ },
  { name: 'bench --runs 1001', args: ['bench', '--runs', '1001'], stderr: /--runs must be at most 1000, got '1001'/ },
].map((c): Case => ({ family: 2, code: 2, ...c }));
