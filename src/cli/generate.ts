// rnnlm generate: text from a saved model, warmed up on a prefix; greedy by default (as the book), sampled, or by
// beam search. Text is written as it is produced (flushed every few milliseconds, waiting when the reader is slow),
// so that --len 1e9 starts printing at once; Ctrl-C or a closed pipe stops it cleanly.
import { once } from 'node:events';
import { BACKEND_NAMES, selectBackend } from '../backend/select.js';
import { generateText, type GenerateOptions } from '../generate/generate.js';
import { DEFAULT_LENGTH_PENALTY } from '../generate/beam.js';
import { makePicker } from '../generate/sampling.js';
import { loadCheckpoint } from '../train/checkpoint-file.js';
import { choiceFlag, CommandError, numberFlag, parseFlags, stringFlag, UsageError, type Flags } from './args.js';
import { escapeControls } from './terminal.js';

export const GENERATE_HELP = `Usage: rnnlm generate --model FILE [--prefix TEXT] [--len N] [--sample [--temperature T | --alpha A] [--top-k K] [--top-p P] [--seed N]] [--beam K [--length-penalty A]] [--stop TEXT]

Continues a prefix with a trained model (rnnlm train --out FILE). Greedy by default: the most likely token each
step, as the book. --sample draws from the model's distribution instead; --beam K keeps the K best continuations
(D2L 10.8). <unk> is never generated. Text appears as it is produced; Ctrl-C stops it.

Options:
  --model FILE      a checkpoint written by rnnlm train --out
  --prefix TEXT     the text to warm up on (default 'it has'); read as the training text was (--text, --tokens)
  --len N           tokens (characters or words) to generate (default 20)
  --sample          sample instead of taking the most likely token
  --temperature T   divide the logits by T before sampling (T < 1 sharpens, T > 1 flattens; default 1)
  --alpha A         sharpen: sample from q proportional to p^A; the same as --temperature 1/A
  --top-k K         sample among the K most likely tokens only
  --top-p P         sample among the most likely tokens whose probability reaches P (nucleus sampling)
  --seed N          seed of the sampler (default 0), for reproducible samples
  --beam K          beam search with K hypotheses: the continuation with the best (1/L^alpha) log P
  --length-penalty A  alpha of beam search's score (default ${DEFAULT_LENGTH_PENALTY}); it matters when --stop ends
                    hypotheses at different lengths
  --stop TEXT       end the text once this token is generated (for example a newline: --stop $'\\n')
  --backend B       auto (default), native, wasm or reference
  -h, --help        show this help

On a terminal, control characters other than newline and tab are shown escaped (\\x1b); in a pipe or file the text
is written exactly.
`;

const OPTIONS = {
  model: { type: 'string' }, prefix: { type: 'string' }, len: { type: 'string' }, sample: { type: 'boolean' },
  temperature: { type: 'string' }, alpha: { type: 'string' }, 'top-k': { type: 'string' }, 'top-p': { type: 'string' },
  seed: { type: 'string' }, beam: { type: 'string' }, 'length-penalty': { type: 'string' }, stop: { type: 'string' },
  backend: { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

/** The decoding the flags name; a flag that needs --sample without it, or sampling with a beam, is an error. */
function decodingFromFlags(flags: Flags, len: number): GenerateOptions {
  const opt = (name: string, o: Parameters<typeof numberFlag>[3]): number | undefined =>
    flags[name] === undefined ? undefined : numberFlag(flags, name, NaN, o);
  const options: GenerateOptions = {
    numPreds: len,
    sample: flags['sample'] === true,
    temperature: opt('temperature', { min: 0, exclusiveMin: true }),
    alpha: opt('alpha', { min: 0, exclusiveMin: true }),
    topK: opt('top-k', { integer: true, min: 1 }),
    topP: opt('top-p', { min: 0, exclusiveMin: true }),
    seed: opt('seed', { integer: true, min: 0 }),
    beam: opt('beam', { integer: true, min: 1 }),
    lengthPenalty: opt('length-penalty', { min: 0 }),
  };
  const stop = stringFlag(flags, 'stop');
  if (stop !== undefined) options.stop = stop;
  if (options.beam !== undefined && options.sample) throw new UsageError('--beam searches for the most likely text; it does not combine with --sample');
  if (options.lengthPenalty !== undefined && options.beam === undefined) throw new UsageError('--length-penalty is an option of --beam');
  const shaping = ['temperature', 'alpha', 'top-k', 'top-p'].filter((f) => flags[f] !== undefined);
  if (shaping.length > 0 && !options.sample) throw new UsageError(`--${shaping.join(', --')} need sampling: add --sample`);
  try {
    makePicker(options); // checks the sampling options before the model is loaded
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return options;
}

/** Writes text to stdout in batches, waiting for the reader when it is slower than generation. */
class StreamingOutput {
  private pending = '';
  private last = performance.now();
  constructor(private readonly out: NodeJS.WriteStream, private readonly shown: (s: string) => string) {}

  async write(piece: string): Promise<void> {
    this.pending += piece;
    if (this.pending.length >= 4096 || performance.now() - this.last > 30) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending === '') return;
    const ok = this.out.write(this.shown(this.pending));
    this.pending = '';
    this.last = performance.now();
    if (!ok) await once(this.out, 'drain');
  }
}

export async function generateCommand(argv: string[], print: (line: string) => void): Promise<void> {
  const { flags } = parseFlags(argv, OPTIONS);
  if (flags['help']) return print(GENERATE_HELP.trimEnd());
  const path = stringFlag(flags, 'model');
  if (path === undefined) throw new UsageError('generate needs --model FILE (a checkpoint from rnnlm train --out FILE)');
  const prefix = stringFlag(flags, 'prefix') ?? 'it has';
  if (prefix.length === 0) throw new UsageError('--prefix must not be empty');
  const options = decodingFromFlags(flags, numberFlag(flags, 'len', 20, { integer: true, min: 0 }));
  await selectBackend(choiceFlag(flags, 'backend', BACKEND_NAMES, 'auto'), (m) => process.stderr.write(`rnnlm: ${m}\n`));
  const { model, vocab } = await loadCheckpoint(path);
  const tty = process.stdout.isTTY === true;
  const out = new StreamingOutput(process.stdout, tty ? escapeControls : (s) => s);
  let stopped = false;
  const onInterrupt = (): void => void (stopped = true);
  process.once('SIGINT', onInterrupt);
  try {
    let first = true;
    try {
      for await (const piece of generateText(model, vocab, prefix, options)) {
        if (stopped) break;
        await out.write(piece);
        first = false;
      }
    } catch (e) {
      if (first) throw new UsageError((e as Error).message); // a prefix or --stop the model cannot read
      throw e;
    }
    await out.write('\n');
    await out.flush();
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
  if (stopped) throw new CommandError('interrupted', 130);
}
