// rnnlm generate: text from a saved model, warmed up on a prefix; greedy by default (as the book), or sampled.
import { BACKEND_NAMES, selectBackend } from '../backend/select.js';
import { preprocess } from '../data/preprocess.js';
import { makePicker } from '../generate/sampling.js';
import { loadCheckpoint } from '../train/checkpoint-file.js';
import { choiceFlag, numberFlag, parseFlags, stringFlag, UsageError } from './args.js';

export const GENERATE_HELP = `Usage: rnnlm generate --model FILE [--prefix TEXT] [--len N] [--sample [--temperature T | --alpha A] [--top-k K] [--top-p P] [--seed N]]

Continues a prefix with a trained model (rnnlm train --out FILE). Greedy by default: the most likely character
each step, as the book. --sample draws from the model's distribution instead.

Options:
  --model FILE      a checkpoint written by rnnlm train --out
  --prefix TEXT     the text to warm up on (default 'it has'); preprocessed as the training text
  --len N           characters to generate (default 20)
  --sample          sample instead of taking the most likely character
  --temperature T   divide the logits by T before sampling (T < 1 sharpens, T > 1 flattens; default 1)
  --alpha A         sharpen: sample from q proportional to p^A; the same as --temperature 1/A
  --top-k K         sample among the K most likely characters only
  --top-p P         sample among the most likely characters whose probability reaches P (nucleus sampling)
  --seed N          seed of the sampler (default 0), for reproducible samples
  --backend B       auto (default), native, wasm or reference
  -h, --help        show this help
`;

const OPTIONS = {
  model: { type: 'string' }, prefix: { type: 'string' }, len: { type: 'string' }, sample: { type: 'boolean' },
  temperature: { type: 'string' }, alpha: { type: 'string' }, 'top-k': { type: 'string' }, 'top-p': { type: 'string' },
  seed: { type: 'string' }, backend: { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

/** The decoding choice the flags name; a flag that needs --sample without it is an error. */
function pickerFromFlags(flags: Record<string, string | boolean | undefined>): (logits: ArrayLike<number>) => number {
  const opt = (name: string, o: Parameters<typeof numberFlag>[3]): number | undefined =>
    flags[name] === undefined ? undefined : numberFlag(flags, name, NaN, o);
  const options = {
    sample: flags['sample'] === true,
    temperature: opt('temperature', { min: 0, exclusiveMin: true }),
    alpha: opt('alpha', { min: 0, exclusiveMin: true }),
    topK: opt('top-k', { integer: true, min: 1 }),
    topP: opt('top-p', { min: 0, exclusiveMin: true }),
    seed: opt('seed', { integer: true, min: 0 }),
  };
  try {
    return makePicker(options);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export async function generateCommand(argv: string[], print: (line: string) => void): Promise<void> {
  const { flags } = parseFlags(argv, OPTIONS);
  if (flags['help']) return print(GENERATE_HELP.trimEnd());
  const path = stringFlag(flags, 'model');
  if (path === undefined) throw new UsageError('generate needs --model FILE (a checkpoint from rnnlm train --out FILE)');
  const rawPrefix = stringFlag(flags, 'prefix') ?? 'it has';
  const len = numberFlag(flags, 'len', 20, { integer: true, min: 0 });
  const pick = pickerFromFlags(flags);
  await selectBackend(choiceFlag(flags, 'backend', BACKEND_NAMES, 'auto'), (m) => process.stderr.write(`rnnlm: ${m}\n`));
  const { model, vocab } = await loadCheckpoint(path);
  const prefix = checkPrefix(rawPrefix, (c) => vocab.has(c));
  print(model.predict(prefix, len, vocab, pick));
}

/** Preprocesses a prefix as training text was; refuses one in which the model knows no character. */
export function checkPrefix(raw: string, known: (c: string) => boolean): string {
  if (raw.length === 0) throw new UsageError('--prefix must not be empty');
  if (![...raw].some((c) => known(c.toLowerCase()))) {
    throw new UsageError(`--prefix '${raw}' has no character the model knows`);
  }
  return preprocess(raw);
}
