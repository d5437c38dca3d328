// rnnlm score and rnnlm eval: how well a trained model predicts a string, or whole books.
import { selectBackend } from '../backend/select.js';
import { readBytes } from '../data/load.js';
import { decodeText, stripGutenberg } from '../data/text.js';
import { scoreText, type TextScore } from '../generate/score.js';
import { loadCheckpoint } from '../train/checkpoint-file.js';
import { parseFlags, stringFlag, UsageError } from './args.js';

export const SCORE_HELP = `Usage: rnnlm score --model FILE [--json] TEXT

Prints the log-probability the model gives TEXT (each character given all before it), its perplexity and bits per
character. TEXT is preprocessed as the training text was.
`;

export const EVAL_HELP = `Usage: rnnlm eval --model FILE [--keep-header] [--json] TEXT_FILE...

Reports, for each file, the model's perplexity and bits per character over the whole text (one stream, the state
carried throughout), the characters scored, and the share of characters outside the model's vocabulary. Files are
read as UTF-8, or Windows-1252 when they are not valid UTF-8; Project Gutenberg headers and footers are removed
unless --keep-header is given. Text is preprocessed as the model's training text was.
`;

const OPTIONS = { model: { type: 'string' }, json: { type: 'boolean' }, 'keep-header': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

async function model(flags: Record<string, string | boolean | undefined>, command: string): ReturnType<typeof loadCheckpoint> {
  const path = stringFlag(flags, 'model');
  if (path === undefined) throw new UsageError(`${command} needs --model FILE (a checkpoint from rnnlm train --out FILE)`);
  await selectBackend('auto', (m) => process.stderr.write(`rnnlm: ${m}\n`));
  return loadCheckpoint(path);
}

const fmt = (s: TextScore): string =>
  `perplexity ${s.perplexity.toFixed(3)}, ${s.bitsPerChar.toFixed(3)} bits per character, log-probability ${s.logProb.toFixed(2)} nats ` +
  `(${(s.logProb / Math.LN2).toFixed(2)} bits) over ${s.chars} characters`;

export async function scoreCommand(argv: string[], print: (line: string) => void): Promise<void> {
  const { flags, rest } = parseFlags(argv, OPTIONS, true);
  if (flags['help']) return print(SCORE_HELP.trimEnd());
  if (rest.length !== 1) throw new UsageError('score needs exactly one TEXT argument (quote it)');
  const { model: m, vocab } = await model(flags, 'score');
  const s = scoreText(m, vocab, rest[0]!);
  print(flags['json'] ? JSON.stringify(s) : fmt(s));
}

export async function evalCommand(argv: string[], print: (line: string) => void): Promise<void> {
  const { flags, rest } = parseFlags(argv, OPTIONS, true);
  if (flags['help']) return print(EVAL_HELP.trimEnd());
  if (rest.length === 0) throw new UsageError('eval needs at least one TEXT_FILE');
  const { model: m, vocab } = await model(flags, 'eval');
  const rows = [];
  for (const file of rest) {
    const { text: decoded, encoding } = decodeText(await readBytes(file));
    const { text, stripped } = flags['keep-header'] ? { text: decoded, stripped: false } : stripGutenberg(decoded);
    rows.push({ file, encoding, gutenbergStripped: stripped, ...scoreText(m, vocab, text) });
  }
  if (flags['json']) return rows.forEach((r) => print(JSON.stringify(r)));
  print('| file | perplexity | bits/char | characters | outside vocabulary | encoding | Gutenberg header |');
  print('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    print(`| ${r.file} | ${r.perplexity.toFixed(3)} | ${r.bitsPerChar.toFixed(3)} | ${r.chars} | ${(100 * r.unknownShare).toFixed(2)}% | ` +
      `${r.encoding} | ${r.gutenbergStripped ? 'removed' : 'none'} |`);
  }
}
