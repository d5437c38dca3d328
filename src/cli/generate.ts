// rnnlm generate: text from a saved model, warmed up on a prefix; greedy by default (as the book), sampled, or by
// beam search. Text is written as it is produced (flushed every few milliseconds, waiting when the reader is slow),
// so that --len 1e9 starts printing at once; Ctrl-C or a closed pipe stops it cleanly.
import { once } from 'node:events';
import { selectBackend } from '../node/select-backend.js';
import { generateText, type GenerateOptions } from '../generate/generate.js';
import { DEFAULT_LENGTH_PENALTY, MAX_BEAM } from '../generate/beam.js';
import { MAX_NEW_TOKENS } from '../models/predict.js';
import { makePicker } from '../generate/sampling.js';
import { loadCheckpointContents } from '../node/checkpoint-file.js';
import { ForwardNet } from '../models/forward-net.js';
import { getBackend } from '../backend/current.js';
import { flagOf, type Schema } from '../util/schema.js';
import { CommandError, UsageError } from './args.js';
import { commandHelp, parseCommand, type CommandSpec, type Parsed } from './command.js';
import { BACKEND } from './common-options.js';
import { onStopSignal, signalExitCode, type StopSignal } from '../node/signals.js';
import { escapeControls, notice } from './terminal.js';

/** The longest continuation one command generates (a typo such as --len 1e12 would never end): the library's limit. */
export const MAX_LENGTH = MAX_NEW_TOKENS;
export { MAX_BEAM };

export const GENERATE_COMMAND = {
  usage: 'rnnlm generate --model FILE [--prefix TEXT] [--len N] [--sample [--temperature T | --alpha A] [--top-k K] [--top-p P] [--seed N]] [--beam K [--length-penalty A]] [--stop TEXT]',
  description: `Continues a prefix with a trained model (rnnlm train --out FILE). Greedy by default: the most likely token each
step, as the book. --sample draws from the model's distribution instead; --beam K keeps the K best continuations
(D2L 10.8). <unk> is never generated. Text appears as it is produced; Ctrl-C stops it.`,
  options: {
    model: { kind: 'string', meta: 'FILE', nonEmpty: true, help: 'a checkpoint written by rnnlm train --out; required' },
    prefix: { kind: 'string', default: 'it has', meta: 'TEXT', nonEmpty: true, maxLength: 1_000_000,
      help: 'the text to warm up on; read as the training text was (--text, --tokens)' },
    len: { kind: 'int', default: 20, min: 0, max: MAX_LENGTH, meta: 'N', help: 'tokens (characters or words) to generate' },
    sample: { kind: 'boolean', default: false, help: 'sample instead of taking the most likely token' },
    temperature: { kind: 'number', default: 1, min: 0, minExclusive: true, max: 1e30, meta: 'T',
      help: 'divide the logits by T before sampling (T < 1 sharpens, T > 1 flattens)' },
    alpha: { kind: 'number', min: 0, minExclusive: true, max: 1e30, meta: 'A', help: 'sharpen: sample from q proportional to p^A; the same as --temperature 1/A' },
    topK: { kind: 'int', min: 1, max: 10_000_000, meta: 'K', help: 'sample among the K most likely tokens only (default: all)' },
    topP: { kind: 'number', default: 1, min: 0, minExclusive: true, max: 1, meta: 'P',
      help: 'sample among the most likely tokens whose probability reaches P (nucleus sampling)' },
    seed: { kind: 'int', default: 0, min: 0, max: 2 ** 32 - 1, meta: 'N', help: 'seed of the sampler, for reproducible samples' },
    beam: { kind: 'int', min: 1, max: MAX_BEAM, meta: 'K', help: 'beam search with K hypotheses: the continuation with the best (1/L^alpha) log P (default: greedy)' },
    lengthPenalty: { kind: 'number', default: DEFAULT_LENGTH_PENALTY, min: 0, max: 100, meta: 'A',
      help: "alpha of beam search's score; it matters when --stop ends hypotheses at different lengths" },
    stop: { kind: 'string', meta: 'TEXT', nonEmpty: true, help: "end the text once this token is generated (for example a newline: --stop $'\\n')" },
    ...BACKEND,
  },
  notes: `On a terminal, control characters other than newline and tab are shown escaped (\\x1b); in a pipe or file the text
is written exactly.`,
} as const satisfies CommandSpec<Schema>;

export const GENERATE_HELP = commandHelp(GENERATE_COMMAND);

type GenerateFlags = Parsed<typeof GENERATE_COMMAND.options>['values'];

/** The decoding the flags name; a flag that needs --sample without it, or sampling with a beam, is an error. */
function decodingFromFlags(flags: GenerateFlags): GenerateOptions {
  const options: GenerateOptions = {
    numPreds: flags.len ?? GENERATE_COMMAND.options.len.default,
    sample: flags.sample === true,
    temperature: flags.temperature,
    alpha: flags.alpha,
    topK: flags.topK,
    topP: flags.topP,
    seed: flags.seed,
    beam: flags.beam,
    lengthPenalty: flags.lengthPenalty,
  };
  if (flags.stop !== undefined) options.stop = flags.stop;
  if (options.beam !== undefined && options.sample) throw new UsageError('--beam searches for the most likely text; it does not combine with --sample');
  if (options.lengthPenalty !== undefined && options.beam === undefined) throw new UsageError('--length-penalty is an option of --beam');
  const shaping = (['temperature', 'alpha', 'topK', 'topP'] as const).filter((f) => flags[f] !== undefined).map((f) => flagOf(f, GENERATE_COMMAND.options[f]));
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
  const { values: flags, help } = parseCommand(GENERATE_COMMAND, argv);
  if (help) return print(GENERATE_HELP);
  const path = flags.model;
  if (path === undefined) throw new UsageError('generate needs --model FILE (a checkpoint from rnnlm train --out FILE)');
  const prefix = flags.prefix ?? GENERATE_COMMAND.options.prefix.default;
  const options = decodingFromFlags(flags);
  await selectBackend(flags.backend ?? 'auto', notice);
  const { weights, vocab, config } = await loadCheckpointContents(path);
  // the forward pass alone, each weight laid out for the kernels once (what rnnlm/inference runs, and the same floats:
  // test/models/forward-net.test.ts): the model classes' step builds its operands from the parameters at every
  // token, a transpose of every weight per token, 28 ms a token at 2 layers of 512 where this takes well under 1
  const model = new ForwardNet(config, vocab.length, weights, getBackend());
  const tty = process.stdout.isTTY === true;
  const out = new StreamingOutput(process.stdout, tty ? escapeControls : (s) => s);
  let stopped: StopSignal | null = null;
  const stop = new AbortController();
  const stopListening = onStopSignal((signal) => {
    stopped = signal;
    stop.abort();
  });
  try {
    let first = true;
    try {
      for await (const piece of generateText(model, vocab, prefix, { ...options, signal: stop.signal })) {
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
    stopListening();
  }
  if (stopped !== null) throw new CommandError(`interrupted (${stopped})`, signalExitCode(stopped));
}
