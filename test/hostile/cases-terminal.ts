// Family 6, terminal safety: escape sequences (erase the screen, set the window title), C1 controls, newlines and tabs
// in every path of every command, in the values of choice flags, in the prefix and stop text of generate, and in the
// strings a checkpoint carries. The message is one line with each control character escaped (\x1b, \n, \t, \x9b): the
// runner asserts no raw control character reaches stderr, and each case that its escaped form is there.
import { join } from 'node:path';
import { type Case, dir, GOOD, run, RUN, SMALL, TEXT, training, withMeta, withTraining, WORDS } from './fixtures.js';

const t = 'term-';
/** Each hostile sequence, with how the message shows it (as a regexp source). */
const SEQUENCES: [string, string, string][] = [
  ['an erase-screen sequence', '\x1b[2J', '\\\\x1b\\[2J'],
  ['a window-title sequence', '\x1b]0;t\x07', '\\\\x1b\\]0;t\\\\x07'],
  ['a newline', 'a\nb', 'a\\\\nb'],
  ['a tab', 'a\tb', 'a\\\\tb'],
  ['a C1 CSI (\\x9b)', '\x9b6n', '\\\\x9b6n'],
  // one convention for every message: \n, \t, \r by name, every other control as \xHH, the separators as \u{...}
  ['a carriage return', 'a\rb', 'a\\\\rb'],
  ['a DEL and a line separator', 'a\x7f\u2028b', 'a\\\\x7f\\\\u\\{2028\\}b'],
];

/** Each path flag: the arguments for a name holding the sequence, and the message around the name's escaped form. */
const PATHS: [string, (s: string) => string[], (e: string) => string][] = [
  ['train --data', (s) => ['train', '--data', `x${s}.txt`], (e) => `no such file: x${e}\\.txt`],
  ['train --out', (s) => ['train', ...SMALL, '--data', TEXT, '--out', `no${s}/m.safetensors`], (e) => `--out no${e}/m\\.safetensors: the folder no${e} does not exist`],
  ['train --plot', (s) => ['train', ...SMALL, '--data', TEXT, '--plot', `no${s}/m.svg`], (e) => `--plot no${e}/m\\.svg: the folder no${e} does not exist`],
  ['train --plot (not SVG)', (s) => ['train', '--plot', `m${s}.png`], (e) => `--plot writes SVG: give a file ending in \\.svg, not m${e}\\.png`],
  ['train --resume', (s) => ['train', '--resume', `x${s}.safetensors`], (e) => `no such model file: x${e}\\.safetensors`],
  ['train --init-from', (s) => ['train', '--init-from', `x${s}.safetensors`], (e) => `no such model file: x${e}\\.safetensors`],
  ['generate --model', (s) => ['generate', '--model', `x${s}.safetensors`], (e) => `no such model file: x${e}\\.safetensors`],
  ['score --model', (s) => ['score', '--model', `x${s}.safetensors`, 'the time'], (e) => `no such model file: x${e}\\.safetensors`],
  ['eval --model', (s) => ['eval', '--model', `x${s}.safetensors`, TEXT], (e) => `no such model file: x${e}\\.safetensors`],
  ['eval TEXT_FILE', (s) => ['eval', '--model', GOOD, `x${s}.txt`], (e) => `no such file: x${e}\\.txt`],
  ['sweep --results', (s) => ['sweep', ...SMALL, '--data', TEXT, '--results', `no${s}/r.jsonl`], (e) => `--results no${e}/r\\.jsonl: the folder no${e} does not exist`],
  ['sweep --data', (s) => ['sweep', ...SMALL, '--data', `x${s}.txt`, '--results', join(dir, `${t}r.jsonl`)], (e) => `no such file: x${e}\\.txt`],
  ['exercises --out', (s) => ['exercises', '--out', `text.txt/${s}`], (e) => `--out text\\.txt/${e}/report\\.md: .*text\\.txt is not a folder`],
  ['exercises --same-author', (s) => ['exercises', '--out', join(dir, `${t}ex`), '--same-author', `x${s}.txt`], (e) => `no such file: x${e}\\.txt`],
  ['exercises --other-author', (s) => ['exercises', '--out', join(dir, `${t}ex`), '--other-author', `x${s}.txt`], (e) => `no such file: x${e}\\.txt`],
  ['plot RUN.jsonl', (s) => ['plot', `x${s}.jsonl`, '--out', join(dir, `${t}p.svg`)], (e) => `no such file: x${e}\\.jsonl`],
  ['plot --out', (s) => ['plot', 'run.jsonl', '--out', `no${s}/p.svg`], (e) => `--out no${e}/p\\.svg: the folder no${e} does not exist`],
  ['plot --out (not SVG)', (s) => ['plot', 'run.jsonl', '--out', `p${s}.png`], (e) => `give a file ending in \\.svg, not p${e}\\.png`],
];

/** Choice flags (and the message's list of choices). */
const CHOICES: [string[], string, string][] = [
  [['train'], '--optimizer', 'sgd, momentum, adam, rmsprop'], [['train'], '--cell', 'rnn, gru, lstm'], [['train'], '--book', '9\\.5, 9\\.6, 10\\.1, 10\\.2, 10\\.3'],
  [['generate', '--model', GOOD], '--backend', 'auto, native, wasm, reference'], [['bench', '--no-torch'], '--engines', 'rnnlm, rnnlm-concise, torch, torch-concise'],
  [['sweep'], '--activation', 'tanh, relu'],
];

// a run whose training state names its text with an escape sequence; checkpoint strings with escape sequences
const runEsc = withTraining(`${t}run-data.safetensors`, { ...training, data: join(dir, '\x1b[2Jgone.txt') });
const formatEsc = withMeta(`${t}format.safetensors`, { format: '\x1b]0;owned\x07' });
const versionEsc = withMeta(`${t}version.safetensors`, { version: '\x1b[2J' });
const cellEsc = withMeta(`${t}cell.safetensors`, { config: JSON.stringify({ ...JSON.parse(run.metadata['config']!), cell: '\x1b[31mred' }) });
const keyEsc = withMeta(`${t}key.safetensors`, { config: JSON.stringify({ ...JSON.parse(run.metadata['config']!), '\x1b[2Jkey': 1 }) });

export const TERMINAL: Case[] = [
  // every path flag, each with the next sequence in turn
  ...PATHS.map(([flag, args, message], i): Case => {
    const [what, s, e] = SEQUENCES[i % 5]!;
    return { family: 6, name: `${flag} a name with ${what}`, args: args(s), stderr: new RegExp(message(e)), code: 2 };
  }),
  // every sequence in one path
  ...SEQUENCES.map(([what, s, e]): Case => ({ family: 6, name: `generate --model a name with ${what} (every sequence)`, args: ['generate', '--model', `y${s}.safetensors`], stderr: new RegExp(`no such model file: y${e}\\.safetensors`), code: 2 })),
  // choice flags
  ...CHOICES.map(([command, flag, list], i): Case => {
    const [what, s, e] = SEQUENCES[i % 5]!;
    return { family: 6, name: `${command[0]} ${flag} with ${what}`, args: [...command, flag, s], stderr: new RegExp(`${flag} must be one of ${list}, got '${e}'`), code: 2 };
  }),
  // unknown flags and commands
  { name: 'generate an unknown flag with a window-title sequence', args: ['generate', '--model', GOOD, '--\x1b]0;t\x07'], stderr: /unknown option '--\\x1b\]0;t\\x07'/ },
  { name: 'eval an unknown flag with a newline', args: ['eval', '--a\nb'], stderr: /unknown option '--a\\nb'/ },
  { name: 'an unknown command with a C1 CSI', args: ['\x9b6n'], stderr: /unknown command '\\x9b6n'/ },
  // the prefix and the stop text of generate
  { name: 'generate --prefix an erase-screen sequence (book text)', args: ['generate', '--model', GOOD, '--prefix', '\x1b[2J\x1b[2J'], stderr: /the prefix '\\x1b\[2J\\x1b\[2J' has no character the model knows/ },
  { name: 'generate --prefix a window-title sequence (raw words)', args: ['generate', '--model', WORDS, '--prefix', '\x1b]0;t\x07'], stderr: /the prefix '\\x1b\]0;t\\x07' has no (character|token|word) the model knows/ },
  { name: 'generate --prefix a C1 CSI (raw words)', args: ['generate', '--model', WORDS, '--prefix', '\x9b6n'], stderr: /the prefix '\\x9b6n' has no/ },
  { name: 'generate --stop an erase-screen sequence', args: ['generate', '--model', GOOD, '--stop', '\x1b[2J'], stderr: /the stop text '\\x1b\[2J' cannot occur in this model's output: it never writes '\\x1b'/ },
  { name: 'generate --stop a window-title sequence (raw words)', args: ['generate', '--model', WORDS, '--stop', '\x1b]0;t\x07'], stderr: /the stop text '\\x1b\]0;t\\x07' cannot occur in this model's output/ },
  { name: 'generate --stop a newline then a tab (raw words)', args: ['generate', '--model', WORDS, '--stop', '\n\t'], stderr: /the stop text '\\n\\t' cannot occur in this model's output: it never writes '\\n'/ },
  // strings a file carries
  { name: 'train --resume a run whose text is named with an escape sequence', args: ['train', '--resume', runEsc, '--epochs', '2'], stderr: /no such file: .*\\x1b\[2Jgone\.txt/ },
  { name: 'generate --model a checkpoint whose format is a window-title sequence', args: ['generate', '--model', formatEsc], stderr: /not an rnnlm checkpoint: format is \\x1b\]0;owned\\x07/ },
  { name: 'generate --model a checkpoint whose version is an escape sequence', args: ['generate', '--model', versionEsc], stderr: /version \\x1b\[2J/ },
  { name: 'generate --model a configuration whose cell is an escape sequence', args: ['generate', '--model', cellEsc], stderr: /cell must be one of rnn, gru, lstm, got '\\x1b\[31mred'/ },
  { name: 'generate --model a configuration with a key holding an escape sequence', args: ['generate', '--model', keyEsc], stderr: /\\x1b\[2Jkey is not a setting/ },
  { name: 'score --model RUN text of escape sequences only', args: ['score', '--model', RUN, '\x1b\x1b'], stderr: /the text needs at least two tokens/ },
].map((c): Case => ({ family: 6, code: 2, ...c }));
