// rnnlm generate: text from a saved model, warmed up on a prefix; greedy by default (as the book), sampled, or by
// beam search. Text is written as it is produced (flushed every few milliseconds, waiting when the reader is slow),
// so that --len 1e9 starts printing at once; Ctrl-C or a closed pipe stops it cleanly.
import { once } from 'node:events';
import { selectBackend } from '../node/select-backend.js';
import { decodingPlan, generateTexts, MAX_SEQUENCES, type GenerateOptions } from '../generate/generate.js';
import { MAX_NGRAM } from '../generate/logits-processors.js';
import { MAX_STOP_LENGTH } from '../generate/stop-strings.js';
import { DEFAULT_LENGTH_PENALTY, MAX_BEAM } from '../generate/beam.js';
import { MAX_NEW_TOKENS } from '../models/predict.js';
import { randomSeed } from '../generate/sampling.js';
import { loadCheckpointContents } from '../node/checkpoint-file.js';
import { ForwardNet } from '../models/forward-net.js';
import { getBackend } from '../backend/current.js';
import { flagOf, type Schema } from '../util/schema.js';
import { OptionError } from '../util/option-error.js';
import { CommandError, UsageError } from './args.js';
import { commandHelp, parseCommand, type CommandSpec, type Parsed } from './command.js';
import { BACKEND, JSON_OUTPUT } from './common-options.js';
import { onStopSignal, signalExitCode, type StopSignal } from '../node/signals.js';
import { escapeControls, notice } from './terminal.js';

/** The longest continuation one command generates (a typo such as --len 1e12 would never end): the library's limit. */
export const MAX_LENGTH = MAX_NEW_TOKENS;
export { MAX_BEAM };

export const GENERATE_COMMAND = {
  usage: 'rnnlm generate --model FILE [--prefix TEXT] [--max-new-tokens N] [--sample [--temperature T] [--top-k K] [--top-p P] [--seed N]] ' +
    '[--num-beams K [--length-penalty A]] [--repetition-penalty R] [--no-repeat-ngram-size N] [--stop TEXT]... [--num-return-sequences N] [--json]',
  description: `Continues a prefix with a trained model (rnnlm train --out FILE). Greedy by default: the most likely token each
step, as the book. --sample draws from the model's distribution instead (with a random seed unless --seed is given;
--verbose and --json report it); --num-beams K keeps the K best continuations (D2L 10.8). The options are Hugging
Face generate's, in kebab-case. <unk> is never generated. Text appears as it is produced; Ctrl-C stops it.`,
  options: {
    model: { kind: 'string', meta: 'FILE', nonEmpty: true, help: 'a checkpoint written by rnnlm train --out; required' },
    prefix: { kind: 'string', default: 'it has', meta: 'TEXT', nonEmpty: true, maxLength: 1_000_000,
      help: 'the text to warm up on; read as the training text was (--text, --tokens)' },
    maxNewTokens: { kind: 'int', default: 20, min: 0, max: MAX_LENGTH, meta: 'N', help: 'tokens (characters or words) to generate at most' },
    len: { kind: 'int', min: 0, max: MAX_LENGTH, meta: 'N', help: 'the same as --max-new-tokens (its earlier name)' },
    minNewTokens: { kind: 'int', min: 0, max: MAX_LENGTH, meta: 'N', help: 'no --stop text ends the text before it has N new tokens (default 0)' },
    sample: { kind: 'boolean', default: false, help: 'sample instead of taking the most likely token' },
    temperature: { kind: 'number', default: 1, min: 0, minExclusive: true, max: 1e30, meta: 'T',
      help: 'divide the logits by T before sampling (T < 1 sharpens, T > 1 flattens)' },
    alpha: { kind: 'number', min: 0, minExclusive: true, max: 1e30, meta: 'A', help: 'sharpen: sample from q proportional to p^A; the same as --temperature 1/A' },
    topK: { kind: 'int', min: 1, max: 10_000_000, meta: 'K', help: 'sample among the K most likely tokens only (default: all)' },
    topP: { kind: 'number', default: 1, min: 0, minExclusive: true, max: 1, meta: 'P',
      help: 'sample among the most likely tokens whose probability reaches P (nucleus sampling)' },
    seed: { kind: 'int', min: 0, max: 2 ** 32 - 1, meta: 'N', help: 'seed of the sampler, for reproducible samples (default: random, reported by --verbose and --json)' },
    repetitionPenalty: { kind: 'number', min: 0, minExclusive: true, max: 1e30, meta: 'R',
      help: 'divide the positive logits (multiply the negative ones) of tokens already in the text by R: R > 1 repeats less (default 1, none)' },
    noRepeatNgramSize: { kind: 'int', min: 1, max: MAX_NGRAM, meta: 'N', help: 'never write an N-gram of tokens that is already in the text (prefix included)' },
    numBeams: { kind: 'int', min: 1, max: MAX_BEAM, meta: 'K', help: 'beam search with K hypotheses: the continuation with the best (1/L^alpha) log P (default: greedy)' },
    beam: { kind: 'int', min: 1, max: MAX_BEAM, meta: 'K', help: 'the same as --num-beams (its earlier name)' },
    lengthPenalty: { kind: 'number', default: DEFAULT_LENGTH_PENALTY, min: 0, max: 100, meta: 'A',
      help: "alpha of beam search's score; it matters when --stop ends hypotheses at different lengths" },
    stop: { kind: 'string', meta: 'TEXT', nonEmpty: true, maxLength: MAX_STOP_LENGTH, repeatable: true,
      help: "end the text once it contains TEXT, matched on the text across tokens (for example a newline: --stop $'\\n')" },
    numReturnSequences: { kind: 'int', min: 1, max: MAX_SEQUENCES, meta: 'N', help: 'write N texts: N samples (sample i uses seed + i), or the N best of --num-beams (default 1)' },
    verbose: { kind: 'boolean', default: false, help: 'also say on stderr which seed sampled the text' },
    ...JSON_OUTPUT,
    ...BACKEND,
  },
  notes: `Several texts are written one after another, each ending with a newline; --json writes one object at the end,
{"texts": [...], "seed": N} (seed when sampling). On a terminal, control characters other than newline and tab are
shown escaped (\\x1b); in a pipe or file the text is written exactly.`,
} as const satisfies CommandSpec<Schema>;

export const GENERATE_HELP = commandHelp(GENERATE_COMMAND);

type GenerateFlags = Parsed<typeof GENERATE_COMMAND.options>['values'];

/** A library option as its flag (every option the CLI passes has one). */
function flagWords(option: string): string {
  const spec = (GENERATE_COMMAND.options as Schema)[option];
  return spec ? `--${flagOf(option, spec)}` : option;
}

/**
 * The decoding the flags name. The CLI checks only what is its own (a flag and its alias both given; --seed without
 * --sample, which the library ignores); the library checks the options (decodingPlan), its errors read in flag words.
 */
function decodingFromFlags(flags: GenerateFlags): GenerateOptions {
  const both = (a: unknown, b: unknown, names: string): void => {
    if (a !== undefined && b !== undefined) throw new UsageError(`give ${names}, not both`);
  };
  both(flags.maxNewTokens, flags.len, '--max-new-tokens or --len');
  both(flags.numBeams, flags.beam, '--num-beams or --beam');
  const options: GenerateOptions = {
    maxNewTokens: flags.maxNewTokens ?? flags.len ?? GENERATE_COMMAND.options.maxNewTokens.default,
    sample: flags.sample === true,
    temperature: flags.temperature,
    alpha: flags.alpha,
    topK: flags.topK,
    topP: flags.topP,
    lengthPenalty: flags.lengthPenalty,
    ...(flags.minNewTokens !== undefined ? { minNewTokens: flags.minNewTokens } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(flags.repetitionPenalty !== undefined ? { repetitionPenalty: flags.repetitionPenalty } : {}),
    ...(flags.noRepeatNgramSize !== undefined ? { noRepeatNgramSize: flags.noRepeatNgramSize } : {}),
    ...(flags.numBeams ?? flags.beam) !== undefined ? { numBeams: flags.numBeams ?? flags.beam } : {},
    ...(flags.stop !== undefined ? { stop: flags.stop } : {}),
    ...(flags.numReturnSequences !== undefined ? { numReturnSequences: flags.numReturnSequences } : {}),
  };
  if (flags.seed !== undefined && !options.sample) throw new UsageError('--seed needs sampling: turn on --sample'); // the library ignores a greedy seed
  if (options.sample && options.seed === undefined) options.seed = randomSeed(); // drawn here, so that it can be reported
  try {
    decodingPlan(options); // the library's checks, before the model is loaded, in flag words
  } catch (e) {
    if (e instanceof OptionError) throw new UsageError(e.in(flagWords));
    throw e;
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
    let last = 0;
    const json = flags.json === true;
    if (flags.verbose && options.seed !== undefined) notice(`sampling with seed ${options.seed} (--seed ${options.seed} makes the same text again)`);
    let done: { texts: string[]; seed?: number };
    try {
      done = await generateTexts(model, vocab, prefix, { ...options, signal: stop.signal }, async (piece, index) => {
        first = false;
        if (json || stopped) return;
        const between = index !== last ? '\n' : ''; // each text on lines of its own
        last = index;
        await out.write(between + piece);
      });
    } catch (e) {
      if (first) throw new UsageError((e as Error).message); // a prefix or --stop the model cannot read
      throw e;
    }
    if (json) process.stdout.write(JSON.stringify({ texts: done.texts, ...(done.seed !== undefined ? { seed: done.seed } : {}) }) + '\n');
    else {
      await out.write('\n');
      await out.flush();
    }
  } finally {
    stopListening();
  }
  if (stopped !== null) throw new CommandError(`interrupted (${stopped})`, signalExitCode(stopped));
}
