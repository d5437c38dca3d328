// rnnlm score and rnnlm eval: how well a trained model predicts a string, or whole books.
import { selectBackend } from '../node/select-backend.js';
import { gutenbergBody } from '../data/text.js';
import { openTextFile, type TextFile } from '../node/text-file.js';
import type { Vocab } from '../data/vocab.js';
import { scoreText, scoringStream, type TextScore } from '../generate/score.js';
import type { RNNLMScratch } from '../models/rnn.js';
import { loadCheckpoint } from '../node/checkpoint-file.js';
import { UsageError } from './args.js';
import { notice } from './terminal.js';
import { commandHelp, parseCommand, type CommandSpec } from './command.js';
import type { Schema } from '../util/schema.js';

const MODEL = {
  model: { kind: 'string', meta: 'FILE', nonEmpty: true, help: 'a checkpoint written by rnnlm train --out; required' },
} as const;

export const SCORE_COMMAND = {
  usage: 'rnnlm score --model FILE [--json] TEXT',
  description: `Prints the log-probability the model gives TEXT (each token given all before it), its perplexity and bits per
token (per character for character models). TEXT is read as the model's training text was (--text, --tokens).`,
  positionals: true,
  options: { ...MODEL, json: { kind: 'boolean', default: false, help: 'print the score as one JSON object' } },
} as const satisfies CommandSpec<Schema>;

export const EVAL_COMMAND = {
  usage: 'rnnlm eval --model FILE [--keep-header] [--json] TEXT_FILE...',
  description: `Reports, for each file, the model's perplexity and bits per token over the whole text (one stream, the state
carried throughout), the tokens scored, and the share of tokens outside the model's vocabulary. Files are read in
pieces and scored in chunks of tokens, so memory does not grow with the file. Encodings: UTF-8 or UTF-16 (LE, BE)
by their byte-order mark, else UTF-8, else Windows-1252; binary files are refused. Project Gutenberg headers and
footers are removed unless --keep-header is given. Text is read as the model's training text was.`,
  positionals: true,
  options: {
    ...MODEL,
    keepHeader: { kind: 'boolean', default: false, help: 'score Project Gutenberg headers and footers too' },
    json: { kind: 'boolean', default: false, help: 'print one JSON object per file' },
  },
} as const satisfies CommandSpec<Schema>;

export const SCORE_HELP = commandHelp(SCORE_COMMAND);
export const EVAL_HELP = commandHelp(EVAL_COMMAND);

async function model(path: string | undefined, command: string): ReturnType<typeof loadCheckpoint> {
  if (path === undefined) throw new UsageError(`${command} needs --model FILE (a checkpoint from rnnlm train --out FILE)`);
  await selectBackend('auto', notice);
  return loadCheckpoint(path);
}

const unit = (vocab: Vocab): string => (vocab.tokenization.tokens === 'word' ? 'word token' : 'character');

const fmt = (s: TextScore, vocab: Vocab): string =>
  `perplexity ${s.perplexity.toFixed(3)}, ${s.bitsPerToken.toFixed(3)} bits per ${unit(vocab)}, log-probability ${s.logProb.toFixed(2)} nats ` +
  `(${(s.logProb / Math.LN2).toFixed(2)} bits) over ${s.tokens} ${unit(vocab)}s`;

/**
 * Scores a file read in pieces: its Gutenberg body (gutenbergBody, the same reading as rnnlm train's, so a model is
 * scored on the tokens it would have trained on), or every character with keepHeader.
 */
async function scoreFile(m: RNNLMScratch, vocab: Vocab, file: TextFile, keepHeader: boolean): Promise<TextScore & { encoding: string; gutenbergStripped: boolean }> {
  const scoring = scoringStream(m, vocab);
  const body = keepHeader ? { pieces: () => file.pieces(), stripped: false } : gutenbergBody(() => file.pieces());
  for await (const piece of body.pieces()) scoring.push(piece);
  return { ...scoring.score(), encoding: file.encoding, gutenbergStripped: body.stripped };
}

export async function scoreCommand(argv: string[], print: (line: string) => void): Promise<void> {
  const { values: flags, rest, help } = parseCommand(SCORE_COMMAND, argv);
  if (help) return print(SCORE_HELP);
  if (rest.length !== 1) throw new UsageError('score needs exactly one TEXT argument (quote it)');
  const { model: m, vocab } = await model(flags.model, 'score');
  const s = scoreText(m, vocab, rest[0]!);
  print(flags['json'] ? JSON.stringify(s) : fmt(s, vocab));
}

export async function evalCommand(argv: string[], print: (line: string) => void): Promise<void> {
  const { values: flags, rest, help } = parseCommand(EVAL_COMMAND, argv);
  if (help) return print(EVAL_HELP);
  if (rest.length === 0) throw new UsageError('eval needs at least one TEXT_FILE');
  const { model: m, vocab } = await model(flags.model, 'eval');
  // every file is opened and checked (exists, a regular file under the cap, text in one encoding) before any is
  // scored: a bad third file is refused before the first two are scored and printed
  const files: TextFile[] = [];
  for (const path of rest) files.push(await openTextFile(path));
  const rows = [];
  for (const file of files) rows.push({ file: file.path, ...(await scoreFile(m, vocab, file, flags.keepHeader === true)) });
  if (flags['json']) return rows.forEach((r) => print(JSON.stringify(r)));
  const u = vocab.tokenization.tokens === 'word' ? 'word' : 'char';
  print(`| file | perplexity | bits/${u} | ${u === 'word' ? 'word tokens' : 'characters'} | outside vocabulary | encoding | Gutenberg header |`);
  print('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    print(`| ${r.file} | ${r.perplexity.toFixed(3)} | ${r.bitsPerToken.toFixed(3)} | ${r.tokens} | ${(100 * r.unknownShare).toFixed(2)}% | ` +
      `${r.encoding} | ${r.gutenbergStripped ? 'removed' : 'none'} |`);
  }
}
