// Hostile input, table-driven: every case runs one rnnlm command as a child process and expects its one-line
// message on stderr (no stack trace; or nothing, for a run that must succeed), its exit code, a bounded time and a
// bounded peak memory (the OS's accounting of the child: /usr/bin/time's maximum resident set size), and no change to
// any file that existed before it, nor any file left behind. Each case is tagged with the family of issue 18 it
// guards: 1 data loss, 2 hangs, 3 memory, 4 silent accepts, 5 slow paths, 6 terminal safety, 7 late checks. The
// cases of this file are the first ones (flags of every command, data and eval files, checkpoint files, generation
// options); test/hostile/cases-*.ts hold one family each. The files they use are made in test/hostile/fixtures.ts.
// With RNNLM_HOSTILE_REPORT=FILE, one JSON line per case is appended to FILE: {family, name, code, seconds, rssMiB, ok}.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BIN, over } from './helpers.js';
import { encodeSafetensors } from '../src/train/checkpoint/safetensors.js';
import {
  type Case, type Family, config, dir, file, FIFO, firstTensor, GOOD, good, goodFile, header, lengthOnly, SMALL, SUB, TEXT, vocab, withHeader, withMeta,
} from './hostile/fixtures.js';
import { DATA_LOSS } from './hostile/cases-data-loss.js';
import { HANGS } from './hostile/cases-hangs.js';
import { MEMORY_CASES } from './hostile/cases-memory.js';
import { SILENT_ACCEPTS } from './hostile/cases-silent.js';
import { SLOW_PATHS } from './hostile/cases-slow.js';
import { TERMINAL } from './hostile/cases-terminal.js';
import { LATE_CHECKS } from './hostile/cases-late.js';

const TIME = '/usr/bin/time';
const MAX_SECONDS = 20;
const MAX_RSS_MB = 1024;
const REPORT = process.env['RNNLM_HOSTILE_REPORT'];

/** Case names of files that are not regular files (family 2), and of sizes claimed beyond memory (family 3). */
const SPECIAL = /folder|\/dev\/|FIFO/;
const MEMORY = /2\^60|past the end|16,000 hidden|1e12/;

const nanWeights = (): Uint8Array => {
  const t = goodFile.tensors.map((x) => ({ ...x, data: Float32Array.from(x.data) }));
  t[1]!.data[2] = NaN;
  return encodeSafetensors({ tensors: t, metadata: goodFile.metadata });
};
const infWeights = (): Uint8Array => {
  const t = goodFile.tensors.map((x) => ({ ...x, data: Float32Array.from(x.data) }));
  t[0]!.data[0] = -Infinity;
  return encodeSafetensors({ tensors: t, metadata: goodFile.metadata });
};

const CASES: Case[] = [
  // train flags
  ...([
    ['--epochs', '-1', /--epochs must be at least 0/], ['--epochs', 'abc', /--epochs must be a number/], ['--epochs', '2.5', /--epochs must be a whole number/],
    ['--epochs', '1e400', /--epochs must be a number/], ['--epochs', '1e7', /epochs must be at most 1000000/],
    ['--batch-size', '0', /--batch-size must be at least 1/], ['--num-steps', '-3', /--num-steps must be at least 1/],
    ['--num-hiddens', '1e9', /--num-hiddens must be at most 16384, got '1e9'/], ['--num-hiddens', 'NaN', /--num-hiddens must be a number/],
    ['--lr', '0', /--lr must be greater than 0/], ['--lr', 'Infinity', /--lr must be a number/], ['--clip', '-1', /--clip must be at least 0/],
    ['--sigma', '0', /--sigma must be greater than 0/], ['--seed', '4294967296', /--seed must be at most 4294967295/], ['--seed', '1e300', /--seed must be at most 4294967295/],
    ['--seed', '-1', /--seed must be at least 0/], ['--threads', '1000000000', /--threads must be at most \d+, got '1000000000'/], ['--threads', '0', /--threads must be at least 1/],
    ['--optimizer', 'lion', /--optimizer must be one of sgd, momentum, adam, rmsprop/], ['--betas', '0.9', /--betas must be two numbers/],
    ['--betas', 'a,b', /--betas must be two numbers/], ['--betas', '1,0.9', /--betas: beta1 must be below 1, got 1/], ['--momentum', '1', /--momentum must be below 1, got '1'/],
    ['--weight-decay', '2', /--weight-decay must be at most 1, got '2'/], ['--lr-schedule', 'exp', /--lr-schedule must be one of constant, step, cosine/],
    ['--lr-gamma', '0', /--lr-gamma must be greater than 0/], ['--lr-gamma', '2', /--lr-gamma must be at most 1, got '2'/], ['--warmup', '-5', /--warmup must be at least 0/],
    ['--text', 'latin', /--text must be one of book, raw/], ['--tokens', 'bytes', /--tokens must be one of char, word/], ['--min-freq', '-1', /--min-freq must be at least 0/],
    ['--max-tokens', '1', /--max-tokens must be 0 \(no cap\) or at least 2/], ['--split', 'half', /--split must be one of book, full/],
    ['--partition', 'x', /--partition must be one of random, sequential/], ['--cell', 'transformer', /--cell must be one of rnn, gru, lstm/],
    ['--book', '11.1', /--book must be one of 9.5, /], ['--dropout', '1', /--dropout must be below 1, got '1'/], ['--num-layers', '0', /--num-layers must be at least 1/],
    ['--num-layers', '65', /--num-layers must be at most 64, got '65'/], ['--activation', 'gelu', /--activation must be one of tanh, relu/],
    ['--val-fraction', '1', /--val-fraction must be below 1, got '1'/], ['--engine', 'turbo', /--engine must be one of fused, book/],
    ['--backend', 'cuda', /--backend must be one of/], ['--plot', 'curves.png', /--plot writes SVG/], ['--embedding', '-2', /--embedding must be at least 0/],
    ['--max-bytes', '0', /--max-bytes must be at least 1/], ['--no-such-flag', 'x', /unknown option '--no-such-flag'/],
  ] as [string, string, RegExp][]).map(([flag, value, stderr]): Case => ({ family: 4, name: `train ${flag} ${value}`, args: ['train', flag, value], stderr, code: 2 })),
  { family: 4, name: 'train --bidirectional', args: ['train', '--bidirectional'], stderr: /--bidirectional: a next-character language model/, code: 2 },
  { family: 4, name: 'train --resume and --init-from', args: ['train', '--resume', GOOD, '--init-from', GOOD], stderr: /not both/, code: 2 },
  { family: 4, name: 'train --resume a model without its run', args: ['train', '--resume', GOOD], stderr: /holds a model without its run/, code: 2 },
  { family: 4, name: 'train --init-from changing the model', args: ['train', '--init-from', GOOD, '--num-hiddens', '9'], stderr: /its numHiddens cannot change/, code: 2 },
  // outputs: checked before anything is read or trained
  { family: 1, name: 'train --out equal to --data', args: ['train', '--data', TEXT, '--out', TEXT], stderr: /--out .* and --data .* are the same file: refusing to overwrite an input/, code: 2 },
  { family: 7, name: 'train --out in a missing folder', args: ['train', '--out', join(dir, 'none', 'm.safetensors')], stderr: /the folder .* does not exist/, code: 2 },
  { family: 1, name: 'train --out a folder', args: ['train', '--out', SUB], stderr: /is a folder; give a file name/, code: 2 },
  { family: 7, name: 'train --plot in a missing folder', args: ['train', '--plot', join(dir, 'none', 'p.svg')], stderr: /--plot .* the folder .* does not exist/, code: 2 },
  { family: 1, name: 'train --out an existing file that is not a checkpoint', args: ['train', '--out', file('notes.txt', 'my notes')], stderr: /exists and is not an rnnlm checkpoint: refusing to overwrite it/, code: 2 },
  { family: 1, name: 'train --out /dev/null', args: ['train', '--out', '/dev/null'], stderr: /--out \/dev\/null/, code: 2 },
  // data files
  ...([
    ['a missing file', join(dir, 'none.txt'), /no such file/], ['a folder', SUB, /is not a regular file \(a folder\)/],
    ['/dev/zero', '/dev/zero', /is not a regular file \(a device, pipe or socket\)/], ['/dev/null', '/dev/null', /is not a regular file/],
    ['a FIFO', FIFO, /is not a regular file \(a device, pipe or socket\)/], ['an empty file', file('empty.txt', ''), /no letters/],
    ['digits only', file('digits.txt', '1234 5678\n'.repeat(100)), /no letters/], ['a NUL byte', file('nul.txt', 'abc\0def'), /looks like a binary file.*NUL byte/],
    ['/usr/bin/ls', '/usr/bin/ls', /looks like a binary file/], ['control bytes', file('ctl.txt', '\x01\x02\x03a'.repeat(100)), /looks like a binary file.*control codes/],
    ['UTF-16 with a NUL character', file('u16.txt', Uint8Array.of(0xff, 0xfe, 0x61, 0, 0, 0, 0x62, 0)), /looks like a binary file.*NUL character/],
    ['a text too short', file('short.txt', 'hello world'), /too short/],
  ] as [string, string, RegExp][]).map(([name, path, stderr]): Case => ({ family: SPECIAL.test(name) ? 2 : 4, name: `train --data ${name}`, args: ['train', '--data', path], stderr, code: 2 })),
  { family: 3, name: 'train --data over --max-bytes', args: ['train', '--data', TEXT, '--max-bytes', '100'], stderr: /bytes, above the limit of 100/, code: 2 },
  { family: 4, name: 'train raw text too short for sequential streams', args: ['train', '--data', TEXT, '--partition', 'sequential', '--text', 'raw'], stderr: /sequential partitioning cuts/, code: 2 },
  { family: 4, name: 'train diverging (--sigma 1e30)', args: ['train', ...SMALL, '--data', TEXT, '--sigma', '1e30'], stderr: /training diverged at epoch 1/, code: 1 },
  { family: 4, name: 'train diverging (--clip 0 --lr 1000)', args: ['train', ...over(SMALL, '--epochs', '5'), '--data', TEXT, '--clip', '0', '--lr', '1000'], stderr: /training diverged/, code: 1 },
  // checkpoints, read by generate (the same reader serves score, eval, --resume, --init-from and the page)
  ...([
    ['missing', join(dir, 'none.safetensors'), /no such model file/], ['a folder', SUB, /is not a regular file|cannot read/],
    ['/dev/zero', '/dev/zero', /is not a regular file/], ['a FIFO', FIFO, /is not a regular file/],
    ['empty', file('e.safetensors', ''), /not a valid safetensors file: only 0 bytes/], ['7 bytes', file('7.safetensors', 'abcdefg'), /only 7 bytes/],
    ['a header length of 2^60', file('h60.safetensors', lengthOnly(2n ** 60n)), /header length/],
    ['a header length past the end', file('hpast.safetensors', lengthOnly(100n)), /header length 100 does not fit/],
    ['a header that is not JSON', file('nj.safetensors', Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7b)), /not a valid safetensors file/],
    ['a header that is an array', withHeader('arr.safetensors', [1, 2]), /not a JSON object/],
    ['a null entry', withHeader('null.safetensors', { ...header, [firstTensor]: null }), /not a valid safetensors file/],
    ['dtype F16', withHeader('f16.safetensors', { ...header, [firstTensor]: { ...header[firstTensor]!, dtype: 'F16' } }), /only F32/],
    ['a negative shape', withHeader('neg.safetensors', { ...header, [firstTensor]: { ...header[firstTensor]!, shape: [-1, 4] } }), /shape/],
    ['overlapping offsets', withHeader('ov.safetensors', { ...header, [firstTensor]: { ...header[firstTensor]!, data_offsets: [0, header[firstTensor]!.data_offsets[1]!] }, [Object.keys(header)[2]!]: { ...header[Object.keys(header)[2]!]!, data_offsets: [0, header[Object.keys(header)[2]!]!.data_offsets[1]! - header[Object.keys(header)[2]!]!.data_offsets[0]!] } }), /not a valid safetensors file/],
    ['truncated data', file('trunc.safetensors', good.subarray(0, good.length - 10)), /not a valid safetensors file/],
    ['a NaN weight', file('nan.safetensors', nanWeights()), /non-finite/],
    ['an infinite weight', file('inf.safetensors', infWeights()), /non-finite/],
    ['another format', withMeta('fmt.safetensors', { format: 'pytorch' }), /not an rnnlm checkpoint: format is pytorch/],
    ['version 9', withMeta('v9.safetensors', { version: '9' }), /version 9/],
    ['16,000 hidden units in 1 KB', withMeta('big.safetensors', { config: JSON.stringify({ ...config, numHiddens: 16000 }) }), /needs \d+ parameters/],
    ['config not JSON', withMeta('cfg.safetensors', { config: '{' }), /not an rnnlm checkpoint/],
    ['numHiddens 1e12', withMeta('huge.safetensors', { config: JSON.stringify({ ...config, numHiddens: 1e12 }) }), /numHiddens must be at most/],
    ['config null', withMeta('cfgnull.safetensors', { config: 'null' }), /config must be an object of settings/],
    ['config missing a field of its version', withMeta('cfgmiss.safetensors', { config: JSON.stringify({ ...config, optimizer: undefined }) }), /optimizer is missing/],
    ['version 2 config without its cell', withMeta('cfgv2.safetensors', { version: '2', config: JSON.stringify({ ...config, cell: undefined }) }), /cell is missing/],
    ['config with an unknown setting', withMeta('cfgx.safetensors', { config: JSON.stringify({ ...config, turbo: true }) }), /turbo is not a setting/],
    ['config lr as text', withMeta('cfglr.safetensors', { config: JSON.stringify({ ...config, lr: '1' }) }), /lr must be a number, got '1'/],
    ['config betas of three', withMeta('cfgb.safetensors', { config: JSON.stringify({ ...config, betas: [0.9, 0.9, 0.9] }) }), /betas must be two numbers/],
    ['vocab not a list', withMeta('voc.safetensors', { vocab: '"abc"' }), /vocab is not a list of strings/],
    ['a vocab token with an escape sequence', withMeta('esc.safetensors', { vocab: JSON.stringify([...vocab.idxToToken.slice(0, -1), '\x1b[2J']) }), /control character/],
    ['duplicate vocab tokens', withMeta('dup.safetensors', { vocab: JSON.stringify([...vocab.idxToToken.slice(0, -1), 'a']) }), /duplicate tokens/],
    ['a vocab without <unk>', withMeta('nounk.safetensors', { vocab: JSON.stringify(vocab.idxToToken.map((t) => (t === '<unk>' ? '?' : t))) }), /no <unk>/],
    ['a model description that disagrees', withMeta('desc.safetensors', { model: JSON.stringify({ kind: 'concise' }) }), /disagrees with the configuration/],
    ['a training state with a bad epoch', withMeta('tr.safetensors', { training: JSON.stringify({ epoch: 1e9 }) }), /training state/],
  ] as [string, string, RegExp][]).map(([name, path, stderr]): Case => ({ family: SPECIAL.test(name) ? 2 : MEMORY.test(name) ? 3 : /escape/.test(name) ? 6 : 4, name: `generate --model ${name}`, args: ['generate', '--model', path], stderr, code: 2 })),
  { family: 4, name: 'score --model with NaN weights', args: ['score', '--model', join(dir, 'nan.safetensors'), 'the time'], stderr: /non-finite/, code: 2 },
  { family: 3, name: 'eval --model 16,000 hidden units', args: ['eval', '--model', join(dir, 'big.safetensors'), TEXT], stderr: /needs \d+ parameters/, code: 2 },
  { family: 2, name: 'train --resume /dev/zero', args: ['train', '--resume', '/dev/zero'], stderr: /is not a regular file/, code: 2 },
  { family: 4, name: 'train --init-from truncated', args: ['train', '--init-from', join(dir, 'trunc.safetensors')], stderr: /not a valid safetensors file/, code: 2 },
  // generation and sampling options
  ...([
    [['--len', '-1'], /--len must be at least 0/], [['--len', 'ten'], /--len must be a number/], [['--prefix', ''], /--prefix must not be empty/],
    [['--prefix', '123'], /no character the model knows/], [['--prefix', '你好'], /no character the model knows/],
    [['--temperature', '0.5'], /--temperature needs sampling: turn on --sample/], [['--sample', '--temperature', '0'], /--temperature must be greater than 0/],
    [['--sample', '--temperature', '-1'], /--temperature must be greater than 0/], [['--sample', '--alpha', '2', '--temperature', '0.5'], /not both/],
    [['--sample', '--top-k', '0'], /--top-k must be at least 1/], [['--sample', '--top-k', '1.5'], /--top-k must be a whole number/],
    [['--sample', '--top-p', '0'], /--top-p must be greater than 0/], [['--sample', '--top-p', '1.5'], /--top-p must be at most 1/],
    [['--beam', '0'], /--beam must be at least 1/], [['--beam', '2', '--sample'], /does not combine with --sample/],
    [['--length-penalty', '1'], /--length-penalty is an option of beam search \(--num-beams\)/], [['--stop', 'AB'], /the stop text 'AB' cannot occur in this model's output: it never writes 'A'/],
    [['--sample', '--seed', '-1'], /--seed must be at least 0/], [['--backend', 'gpu'], /--backend must be one of/],
  ] as [string[], RegExp][]).map(([args, stderr]): Case => ({ family: 4, name: `generate ${args.join(' ')}`, args: ['generate', '--model', GOOD, ...args], stderr, code: 2 })),
  // score, eval and the other commands
  { family: 4, name: 'score without TEXT', args: ['score', '--model', GOOD], stderr: /exactly one TEXT argument/, code: 2 },
  { family: 4, name: 'score an empty text', args: ['score', '--model', GOOD, ''], stderr: /at least two tokens/, code: 2 },
  { family: 4, name: 'eval without files', args: ['eval', '--model', GOOD], stderr: /at least one TEXT_FILE/, code: 2 },
  { family: 4, name: 'eval a binary file', args: ['eval', '--model', GOOD, '/usr/bin/ls'], stderr: /looks like a binary file/, code: 2 },
  { family: 2, name: 'eval /dev/zero', args: ['eval', '--model', GOOD, '/dev/zero'], stderr: /is not a regular file/, code: 2 },
  { family: 2, name: 'eval a FIFO', args: ['eval', '--model', GOOD, FIFO], stderr: /is not a regular file/, code: 2 },
  { family: 2, name: 'eval a folder', args: ['eval', '--model', GOOD, SUB], stderr: /is not a regular file \(a folder\)/, code: 2 },
  { family: 4, name: 'eval a missing file', args: ['eval', '--model', GOOD, join(dir, 'none.txt')], stderr: /no such file/, code: 2 },
  { family: 4, name: 'an unknown command', args: ['fly'], stderr: /unknown command 'fly'/, code: 2 },
  { family: 4, name: 'plot without --out', args: ['plot', join(dir, 'none.jsonl')], stderr: /--out/, code: 2 },
  { family: 4, name: 'sweep with a bad list', args: ['sweep', '--lr', '1,x'], stderr: /--lr/, code: 2 },
  // strict flags (one schema validates them all): numbers in decimal or exponent notation only, each flag once
  ...([
    ['--epochs', '0x10'], ['--epochs', ' 5'], ['--epochs', '5 '], ['--lr', '1e-3 '], ['--num-hiddens', '0b11'], ['--num-hiddens', '0o7'],
    ['--seed', '+'], ['--lr', '.'], ['--lr', '1e'], ['--lr', '1_000'], ['--clip', ''], ['--sigma', '١'],
  ] as [string, string][]).map(([flag, value]): Case => ({ family: 4, name: `train ${flag} '${value}'`, args: ['train', `${flag}=${value}`], stderr: new RegExp(`${flag} must be a number`), code: 2 })),
  { family: 4, name: 'train --epochs twice', args: ['train', '--epochs', '2', '--epochs', '3'], stderr: /--epochs is given 2 times; give it once/, code: 2 },
  { family: 4, name: 'train --json twice', args: ['train', '--json', '--json'], stderr: /--json is given 2 times/, code: 2 },
  { family: 4, name: 'train --json=yes', args: ['train', '--json=yes'], stderr: /--json/, code: 2 },
  { family: 4, name: 'train --epoch (a typo)', args: ['train', '--epoch', '3'], stderr: /unknown option '--epoch' \(did you mean --epochs\?\)/, code: 2 },
  { family: 4, name: 'train --nmu-hiddens (a typo)', args: ['train', '--nmu-hiddens', '3'], stderr: /did you mean --num-hiddens\?/, code: 2 },
  { family: 6, name: 'train an unknown flag with an escape sequence', args: ['train', '--\x1b[2Jx'], stderr: /unknown option '--\\x1b\[2Jx'/, code: 2 },
  { family: 4, name: 'sweep --threads 1000000', args: ['sweep', '--threads', '1000000'], stderr: /--threads must be at most \d+/, code: 2 },
  { family: 3, name: 'sweep a grid of 10,001 runs', args: ['sweep', '--num-hiddens', Array.from({ length: 101 }, (_, i) => i + 1).join(','), '--lr', Array.from({ length: 100 }, (_, i) => i + 1).join(',')],
    stderr: /more than 10000 configurations/, code: 2 },
  { family: 4, name: 'sweep --lr twice', args: ['sweep', '--lr', '1', '--lr', '2'], stderr: /--lr is given 2 times/, code: 2 },
  { family: 4, name: 'exercises --threads 1000000', args: ['exercises', '--out', SUB, '--threads', '1000000'], stderr: /--threads must be at most \d+/, code: 2 },
  { family: 4, name: 'exercises --threads 0x2', args: ['exercises', '--out', SUB, '--threads', '0x2'], stderr: /--threads must be a number/, code: 2 },
  { family: 2, name: 'generate --len 1e12', args: ['generate', '--model', GOOD, '--len', '1e12'], stderr: /--len must be at most 10000000/, code: 2 },
  { family: 4, name: 'generate --len Infinity', args: ['generate', '--model', GOOD, '--len', 'Infinity'], stderr: /--len must be a number/, code: 2 },
  { family: 3, name: 'generate --beam 1000000', args: ['generate', '--model', GOOD, '--beam', '1000000'], stderr: /--beam must be at most 1000/, code: 2 },
  { family: 4, name: 'generate --seed twice', args: ['generate', '--model', GOOD, '--sample', '--seed', '1', '--seed', '2'], stderr: /--seed is given 2 times/, code: 2 },
  { family: 4, name: 'bench --runs 0', args: ['bench', '--runs', '0'], stderr: /--runs must be at least 1/, code: 2 },
  { family: 4, name: 'bench --layers 65', args: ['bench', '--layers', '1,65'], stderr: /--layers must be at most 64, got '65'/, code: 2 },
  { family: 3, name: 'bench --hiddens 1e9', args: ['bench', '--hiddens', '1e9'], stderr: /--hiddens must be at most 16384/, code: 2 },
  { family: 4, name: 'plot --title of 1,000 characters', args: ['plot', '--out', join(dir, 'p.svg'), '--title', 'x'.repeat(1000), join(dir, 'none.jsonl')], stderr: /--title must be at most 200 characters long/, code: 2 },
  // terminal safety: whatever a user typed reaches stderr escaped, on one line
  { family: 6, name: 'train --data a missing file named with an escape sequence', args: ['train', '--data', join(dir, '\x1b[2Jclear.txt')], stderr: /no such file: .*\\x1b\[2Jclear\.txt/, code: 2 },
  { family: 6, name: 'train --data a missing file whose name holds a newline', args: ['train', '--data', join(dir, 'two\nlines.txt')], stderr: /two\\nlines\.txt/, code: 2 },
  { family: 6, name: 'train --cell with an escape sequence', args: ['train', '--cell', '\x1b[31mred'], stderr: /--cell must be one of rnn, gru, lstm, got '\\x1b\[31mred'/, code: 2 },
  { family: 6, name: 'generate --model a name with a bell and a tab', args: ['generate', '--model', '\x07bell\tname.safetensors'], stderr: /\\x07bell\\tname/, code: 2 },
  { family: 6, name: 'an unknown command with an escape sequence', args: ['\x1b]0;title\x07'], stderr: /unknown command '\\x1b\]0;title\\x07'/, code: 2 },
  { family: 4, name: 'bench with an unknown cell', args: ['bench', '--cells', 'tcn'], stderr: /--cells must be one of rnn, gru, lstm, got 'tcn'/, code: 2 },
];

const ALL: Case[] = [...CASES, ...DATA_LOSS, ...HANGS, ...MEMORY_CASES, ...SILENT_ACCEPTS, ...SLOW_PATHS, ...TERMINAL, ...LATE_CHECKS];

/** sha1 of a file, remembered by its identity and times (a write changes its mtime and ctime): large files are hashed once. */
const hashes = new Map<string, { sig: string; hash: string }>();
/** Files above this are compared by identity, size and times only (the sparse ones claim gigabytes). */
const HASH_LIMIT = 64 << 20;

/**
 * Every entry under the folder, recursively: a file by its sha1, a symbolic link by its target, a folder, a FIFO or a
 * socket by its kind. Equal snapshots: nothing that existed changed, and nothing was left behind.
 */
function snapshot(root = dir, prefix = ''): Map<string, string> {
  const m = new Map<string, string>();
  for (const name of readdirSync(root)) {
    const p = join(root, name);
    const key = prefix + name;
    const info = lstatSync(p, { bigint: true });
    if (info.isSymbolicLink()) m.set(key, `link ${readlinkSync(p)}`);
    else if (info.isDirectory()) {
      m.set(key, 'folder');
      for (const [k, v] of snapshot(p, key + '/')) m.set(k, v);
    } else if (info.isFile()) {
      const sig = `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
      if (info.size > BigInt(HASH_LIMIT)) m.set(key, `large ${sig}`);
      else {
        let h = hashes.get(p);
        if (h?.sig !== sig) hashes.set(p, (h = { sig, hash: createHash('sha1').update(readFileSync(p)).digest('hex') }));
        m.set(key, h.hash);
      }
    } else m.set(key, 'special');
  }
  return m;
}

/** The child's stderr without /usr/bin/time's lines: the command's own lines, and its peak memory in MiB. */
function parseStderr(stderr: string): { lines: string[]; rssMiB: number } {
  const lines = stderr.split('\n').filter((l) => l !== '');
  const rss = Number(/^MAXRSS (\d+)$/.exec(lines.pop() ?? '')?.[1]) / 1024;
  return { lines: lines.filter((l) => !/^Command exited with non-zero status|^Command terminated by signal/.test(l)), rssMiB: rss };
}

interface Outcome {
  code: number | null;
  seconds: number | null;
  rssMiB: number | null;
}

/** Runs a case and asserts everything about it; what was measured is put in out first, for the report. */
function runCase(c: Case, out: Outcome): void {
  const maxSeconds = c.maxSeconds ?? MAX_SECONDS;
  const maxRssMiB = c.maxRssMiB ?? MAX_RSS_MB;
  const before = snapshot();
  const t0 = performance.now();
  // /usr/bin/time -f: the peak resident memory in KiB of the child (the largest of timeout and the node it waited for),
  // on the last stderr line; timeout kills the command itself when it overruns (killing /usr/bin/time would leave
  // it running, writing to the folder while later cases take their snapshots)
  const r = spawnSync(TIME, ['-f', 'MAXRSS %M', 'timeout', '-s', 'KILL', String(maxSeconds), process.execPath, BIN, ...c.args],
    { encoding: 'utf8', env: process.env, timeout: (maxSeconds + 10) * 1000, cwd: dir, maxBuffer: 64 << 20 });
  const seconds = (performance.now() - t0) / 1000;
  const { lines: message, rssMiB } = parseStderr(r.stderr ?? '');
  Object.assign(out, { code: r.status, seconds: Math.round(seconds * 1000) / 1000, rssMiB: Number.isFinite(rssMiB) ? Math.round(rssMiB) : null });
  try {
    assert.ok(r.error === undefined && r.status !== 137 && seconds < maxSeconds, `did not finish in ${maxSeconds} s (${r.error ? String(r.error) : `exit code ${r.status}`})`);
    if (c.stderr === null) {
      assert.equal(message.length, 0, `expected nothing on stderr, got:\n${message.join('\n')}`);
    } else {
      assert.equal(message.length, 1, `expected one line on stderr, got:\n${message.join('\n')}`);
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(message[0]!, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, 'no raw control character reaches the terminal');
      assert.match(message[0]!, c.stderr);
      assert.doesNotMatch(message[0]!, /^\s+at |Error:/);
    }
    assert.equal(r.status, c.code, message[0]);
    assert.ok(seconds < maxSeconds, `took ${seconds.toFixed(1)} s, more than ${maxSeconds} s`);
    assert.ok(rssMiB < maxRssMiB, `peak memory ${Math.round(rssMiB)} MiB, more than ${maxRssMiB} MiB`);
    if (c.noStdout) assert.equal(r.stdout, '', 'nothing on stdout');
    for (const name of c.creates ?? []) assert.ok(existsSync(join(dir, name)), `${name} was not written`);
  } finally {
    for (const name of c.creates ?? []) rmSync(join(dir, name), { force: true, recursive: true });
  }
  assert.deepEqual(snapshot(), before);
  assert.ok(existsSync(GOOD));
}

describe('hostile input', () => {
  // the folder holds megabytes of texts and checkpoints (and files that claim gigabytes): gone with the suite
  after(() => rmSync(dir, { recursive: true, force: true }));
  it(`has at least 300 cases, at least 10 in each family (${ALL.length})`, () => {
    const counts = new Map<Family, number>();
    for (const c of ALL) counts.set(c.family, (counts.get(c.family) ?? 0) + 1);
    for (const f of [1, 2, 3, 4, 5, 6, 7] as Family[]) assert.ok((counts.get(f) ?? 0) >= 10, `family ${f} has ${counts.get(f) ?? 0} cases`);
    assert.ok(ALL.length >= 300);
  });
  it('every case expects a specific message (or none), never any line at all', () => {
    for (const c of ALL) {
      if (c.stderr === null) assert.equal(c.code, 0, `${c.name}: only a run that succeeds may expect an empty stderr`);
      else assert.ok(!c.stderr.test('') && !c.stderr.test('x'), `${c.name}: ${c.stderr} matches anything`);
    }
  });
  for (const c of ALL) {
    it(`[${c.family}] ${c.name}`, () => {
      const out: Outcome = { code: null, seconds: null, rssMiB: null };
      let ok = false;
      try {
        runCase(c, out);
        ok = true;
      } finally {
        if (REPORT) appendFileSync(REPORT, JSON.stringify({ family: c.family, name: c.name, ...out, ok }) + '\n');
      }
    });
  }
  it('output errors: a full stdout (/dev/full) is one line and exit code 1, not a stack trace', () => {
    const full = openSync('/dev/full', 'w');
    const r = spawnSync(process.execPath, [BIN, '--help'], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
    closeSync(full);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'rnnlm: cannot write the output: ENOSPC\n');
  });
});
