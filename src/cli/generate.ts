// rnnlm generate: text from a saved model, warmed up on a prefix (greedy by default, as the book).
import { selectBackend } from '../backend/select.js';
import { preprocess } from '../data/preprocess.js';
import { loadCheckpoint } from '../train/checkpoint-file.js';
import { numberFlag, parseFlags, stringFlag, UsageError } from './args.js';

export const GENERATE_HELP = `Usage: rnnlm generate --model FILE [--prefix TEXT] [--len N]

Continues a prefix with a trained model (rnnlm train --out FILE), choosing the most likely character each step.

Options:
  --model FILE    a checkpoint written by rnnlm train --out
  --prefix TEXT   the text to warm up on (default 'it has'); preprocessed as the training text
  --len N         characters to generate (default 20)
  -h, --help      show this help
`;

const OPTIONS = {
  model: { type: 'string' }, prefix: { type: 'string' }, len: { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

export async function generateCommand(argv: string[], print: (line: string) => void): Promise<void> {
  const { flags } = parseFlags(argv, OPTIONS);
  if (flags['help']) return print(GENERATE_HELP.trimEnd());
  const path = stringFlag(flags, 'model');
  if (path === undefined) throw new UsageError('generate needs --model FILE (a checkpoint from rnnlm train --out FILE)');
  const rawPrefix = stringFlag(flags, 'prefix') ?? 'it has';
  const len = numberFlag(flags, 'len', 20, { integer: true, min: 0 });
  await selectBackend('auto', (m) => process.stderr.write(`rnnlm: ${m}\n`));
  const { model, vocab } = await loadCheckpoint(path);
  const prefix = checkPrefix(rawPrefix, (c) => vocab.has(c));
  print(model.predict(prefix, len, vocab));
}

/** Preprocesses a prefix as training text was; refuses one in which the model knows no character. */
export function checkPrefix(raw: string, known: (c: string) => boolean): string {
  if (raw.length === 0) throw new UsageError('--prefix must not be empty');
  if (![...raw].some((c) => known(c.toLowerCase()))) {
    throw new UsageError(`--prefix '${raw}' has no character the model knows`);
  }
  return preprocess(raw);
}
