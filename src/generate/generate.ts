// Generating text with a language model: warm up on a prefix read as the model's training text was (the book's
// predict), then produce tokens greedily, by sampling (sampling.ts) or by beam search (beam.ts), under the settings
// people know from Hugging Face generate (the same names in camelCase): maxNewTokens/minNewTokens, temperature,
// topK, topP, repetitionPenalty, noRepeatNgramSize (logits-processors.ts), stop strings matched on the text
// (stop-strings.ts), numReturnSequences, numBeams, seed. <unk> is never produced: its probability is set to zero
// before any choice. Greedy and sampled text is produced token by token, so that it can be shown as it comes (an
// async iterator, or a callback); beam search knows its sequences only at the end.
import type { Vocab } from '../data/vocab.js';
import { argmax, checkNumPreds, prefixTokens, warmUp, type TokenStepper } from '../models/predict.js';
import { beamSteps, DEFAULT_LENGTH_PENALTY, type BeamResults } from './beam.js';
import { checkDecoding, drawFrom, randomSeed, samplingDistribution, type DecodeOptions } from './sampling.js';
import { checkProcessors, hasProcessors, LogitsProcessor } from './logits-processors.js';
import { StopWatcher, stopList } from './stop-strings.js';
import { tokenSeparator } from '../data/tokenizer.js';
import { Rng } from '../tensor/random.js';
import { nextTask } from '../util/next-task.js';
import { opt, optionError } from '../util/option-error.js';

export { continuation, prefixTokens, withPrefix, type Picker, type TokenStepper } from '../models/predict.js';

export interface GenerateOptions extends DecodeOptions {
  maxNewTokens?: number; // tokens to generate at most (default 100)
  numPreds?: number; // the book's name of maxNewTokens (num_preds); give one or the other
  minNewTokens?: number; // no stop string ends the text before it has this many new tokens (default 0)
  numBeams?: number; // beam search with this many hypotheses (D2L 10.8) instead of greedy or sampled decoding
  beam?: number; // the same as numBeams
  lengthPenalty?: number; // beam search's alpha in (1/L^alpha) log P (default 0.75)
  stop?: string | readonly string[]; // texts that end the generated text once it contains one (matched on text)
  numReturnSequences?: number; // texts to return: independent samples, or the best beams (default 1)
  signal?: AbortSignal; // generation ends early once aborted (between tokens, or between beam steps)
}

/** The default of maxNewTokens, and the most sequences one call returns. */
export const DEFAULT_NEW_TOKENS = 100;
export const MAX_SEQUENCES = 1000;

/** The settings checked and resolved once, before any token. */
export interface DecodingPlan {
  maxNew: number;
  minNew: number;
  beams: number | undefined;
  lengthPenalty: number;
  returns: number;
  stops: readonly string[];
  seed: number | undefined; // sampling's seed (random when not given); sequence i samples with seed + i
  options: GenerateOptions;
}

/** Checks the options (each error one line naming the value) and resolves their defaults and aliases. */
export function decodingPlan(options: GenerateOptions): DecodingPlan {
  const pick = <T>(a: T | undefined, b: T | undefined, name: string, alias: string): T | undefined => {
    if (a !== undefined && b !== undefined && a !== b) throw optionError`give ${opt(name)} or ${opt(alias)}, not both`;
    return a ?? b;
  };
  const maxNew = pick(options.maxNewTokens, options.numPreds, 'maxNewTokens', 'numPreds') ?? DEFAULT_NEW_TOKENS;
  checkNumPreds(maxNew, options.maxNewTokens !== undefined ? 'maxNewTokens' : 'numPreds');
  const minNew = options.minNewTokens ?? 0;
  if (!Number.isInteger(minNew) || minNew < 0 || minNew > maxNew) throw optionError`${opt('minNewTokens')} must be a whole number from 0 to ${opt('maxNewTokens')} (${maxNew}), got ${minNew}`;
  const beams = pick(options.numBeams, options.beam, 'numBeams', 'beam');
  if (beams !== undefined && options.sample) throw optionError`beam search (${opt('numBeams')}) looks for the most likely text; it does not combine with ${opt('sample')}`;
  const returns = options.numReturnSequences ?? 1;
  if (!Number.isInteger(returns) || returns < 1 || returns > MAX_SEQUENCES) throw optionError`${opt('numReturnSequences')} must be a whole number from 1 to ${MAX_SEQUENCES}, got ${returns}`;
  if (returns > 1 && !options.sample && beams === undefined) {
    throw optionError`greedy decoding gives one text: turn on ${opt('sample')}, or search at least as many beams (${opt('numBeams')}) as ${opt('numReturnSequences')}`;
  }
  if (beams !== undefined && returns > beams) throw optionError`${opt('numReturnSequences')} (${returns}) must be at most ${opt('numBeams')} (${beams})`;
  if (options.lengthPenalty !== undefined && beams === undefined) throw optionError`${opt('lengthPenalty')} is an option of beam search (${opt('numBeams')})`;
  checkProcessors(options);
  const stops = stopList(options.stop);
  checkDecoding(options);
  const seed = options.sample ? (options.seed ?? randomSeed()) >>> 0 : undefined;
  return { maxNew, minNew, beams, lengthPenalty: options.lengthPenalty ?? DEFAULT_LENGTH_PENALTY, returns, stops, seed, options };
}

/**
 * One greedy or sampled continuation's token indices, one at a time: the processors reshape each step's logits,
 * <unk> is never produced, and the text ends after maxNew tokens, after the token that completes a stop string (once
 * minNew are out), or when the processors ban every token.
 */
function* sequenceTokens<S>(model: TokenStepper<S>, vocab: Vocab, ids: Int32Array, plan: DecodingPlan, rng: Rng | null, watcher: StopWatcher): Generator<number> {
  if (plan.maxNew === 0) return;
  const { options } = plan;
  const processor = hasProcessors(options) ? LogitsProcessor.after(options, ids) : null;
  const sep = tokenSeparator(vocab.tokenization);
  let r = warmUp(model, ids);
  for (let i = 0; i < plan.maxNew; i++) {
    const z = Float64Array.from(r.logits);
    z[vocab.unk] = -Infinity;
    processor?.apply(z);
    if (processor && z.every((x) => x === -Infinity)) return; // every continuation banned
    const next = rng ? drawFrom(samplingDistribution(z, options), rng) : argmax(z);
    yield next;
    processor?.push(next);
    const stopped = watcher.active && watcher.push(sep + vocab.idxToToken[next]!) && i + 1 >= plan.minNew;
    if (stopped || i === plan.maxNew - 1) return;
    r = model.stepToken(next, r.state);
  }
}

/** Beam search under the plan, a step at a time (beamSteps), for callers that let other work in between steps. */
function beamSearchSteps<S>(model: TokenStepper<S>, vocab: Vocab, ids: Int32Array, plan: DecodingPlan, watcher: StopWatcher): Generator<void, BeamResults> {
  const { options } = plan;
  const sep = tokenSeparator(vocab.tokenization);
  const processing = hasProcessors(options);
  const pieces = vocab.idxToToken.map((t) => sep + t);
  return beamSteps(warmUp(model, ids), (token, state: S) => model.stepToken(token, state), {
    beam: plan.beams!, numPreds: plan.maxNew, alpha: plan.lengthPenalty, exclude: [vocab.unk], returns: plan.returns, minLength: plan.minNew,
    ...(processing ? { process: (z: Float64Array, generated: readonly number[]) => LogitsProcessor.after(options, [...ids, ...generated]).apply(z) } : {}),
    ...(watcher.active ? { finishes: (generated: readonly number[]) => {
      // the ids whose piece would complete a stop string after this hypothesis's text
      let tail = '';
      for (const t of generated) tail = watcher.nextTail(tail, pieces[t]!);
      return Uint8Array.from(pieces, (p) => (watcher.wouldStop(tail, p) ? 1 : 0));
    } } : {}),
  });
}

/** Beam search under the plan at once (the synchronous callers). */
function bestBeams<S>(model: TokenStepper<S>, vocab: Vocab, ids: Int32Array, plan: DecodingPlan, watcher: StopWatcher): BeamResults {
  const steps = beamSearchSteps(model, vocab, ids, plan, watcher);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Beam search a step at a time, letting other work in (a stop signal's handler, the page) between steps; null once aborted. */
async function searchBeams<S>(model: TokenStepper<S>, vocab: Vocab, ids: Int32Array, plan: DecodingPlan, watcher: StopWatcher,
  signal: AbortSignal | undefined): Promise<BeamResults | null> {
  const steps = beamSearchSteps(model, vocab, ids, plan, watcher);
  for (let r = steps.next(); ; r = steps.next()) {
    if (r.done) return r.value;
    await nextTask();
    if (signal?.aborted) return null;
  }
}

/** The prefix as the model read it, and how generated tokens are written after it. */
function textParts(vocab: Vocab, prefix: string): { ids: Int32Array; head: string; sep: string } {
  const { tokens, ids } = prefixTokens(vocab, prefix);
  const sep = tokenSeparator(vocab.tokenization);
  return { ids, head: tokens.join(sep), sep };
}

/**
 * Every text the options ask for (numReturnSequences of them; prefix included, as the book's predict writes it),
 * and the sampling seed used. onText, when given, receives each text piece by piece as it is produced, with the
 * text's index (beam search: each whole text at the end); a promise it returns is awaited (a slow reader holds
 * generation back instead of piling text up).
 */
export async function generateTexts<S>(model: TokenStepper<S>, vocab: Vocab, prefix: string, options: GenerateOptions,
  onText?: (piece: string, index: number) => void | Promise<void>): Promise<{ texts: string[]; seed?: number }> {
  const plan = decodingPlan(options);
  const watcher = StopWatcher.forModel(plan.stops, vocab);
  const { ids, head, sep } = textParts(vocab, prefix);
  const { signal } = options;
  const texts: string[] = [];
  const seeded = plan.seed !== undefined ? { seed: plan.seed } : {};
  if (plan.beams !== undefined) {
    const found = await searchBeams(model, vocab, ids, plan, watcher, signal);
    for (const [i, s] of (found?.sequences ?? []).entries()) {
      const text = head + (s.tokens.length > 0 ? sep + vocab.decode(s.tokens) : '');
      await onText?.(text, i);
      texts.push(text);
    }
    return { texts, ...seeded };
  }
  for (let i = 0; i < plan.returns; i++) {
    let text = head;
    await onText?.(head, i);
    let n = 0;
    const rng = plan.seed !== undefined ? new Rng((plan.seed + i) >>> 0) : null;
    for (const id of sequenceTokens(model, vocab, ids, plan, rng, new StopWatcher(plan.stops))) {
      if (signal?.aborted) break;
      const piece = sep + vocab.idxToToken[id]!;
      text += piece;
      await onText?.(piece, i);
      if (++n % 64 === 0) await nextTask();
    }
    texts.push(text);
    if (signal?.aborted) break;
  }
  return { texts, ...seeded };
}

/**
 * One generated text as it is produced: the prefix as the model read it first, then each new token (with a space
 * before book words). Beam search yields its text once, at the end. onText, when given, also receives each piece.
 * numReturnSequences must be 1 here (generateTexts returns several).
 */
export async function* generateText<S>(model: TokenStepper<S>, vocab: Vocab, prefix: string, options: GenerateOptions, onText?: (piece: string) => void): AsyncGenerator<string> {
  const plan = decodingPlan(options); // before any text: a length of Infinity is refused, not generated
  if (plan.returns !== 1) throw new Error('generateText streams one text; generateTexts returns numReturnSequences of them');
  const watcher = StopWatcher.forModel(plan.stops, vocab);
  const { ids, head, sep } = textParts(vocab, prefix);
  const emit = (piece: string): string => (onText?.(piece), piece);
  yield emit(head);
  const { signal } = options;
  if (plan.beams !== undefined) {
    const found = await searchBeams(model, vocab, ids, plan, watcher, signal);
    if (found && found.tokens.length > 0) yield emit(sep + vocab.decode(found.tokens));
    return;
  }
  let n = 0;
  const rng = plan.seed !== undefined ? new Rng(plan.seed) : null;
  for (const id of sequenceTokens(model, vocab, ids, plan, rng, watcher)) {
    if (signal?.aborted) return;
    yield emit(sep + vocab.idxToToken[id]!);
    if (++n % 64 === 0) await nextTask();
  }
}

/** The best continuation by beam search (token indices), never <unk>. */
export function beamContinuation<S>(model: TokenStepper<S>, vocab: Vocab, prefix: string, numPreds: number, beam: number, alpha = DEFAULT_LENGTH_PENALTY): number[] {
  const plan = decodingPlan({ numPreds, numBeams: beam, lengthPenalty: alpha });
  return bestBeams(model, vocab, prefixTokens(vocab, prefix).ids, plan, new StopWatcher([])).tokens;
}

/** The whole generated text at once (prefix included), as the book's predict returns it. */
export function generate<S>(model: TokenStepper<S>, vocab: Vocab, prefix: string, options: GenerateOptions): string {
  const plan = decodingPlan(options);
  if (plan.returns !== 1) throw new Error('generate returns one text; generateTexts returns numReturnSequences of them');
  const watcher = StopWatcher.forModel(plan.stops, vocab);
  const { ids, head, sep } = textParts(vocab, prefix);
  const tokens = plan.beams !== undefined ? bestBeams(model, vocab, ids, plan, watcher).tokens
    : [...sequenceTokens(model, vocab, ids, plan, plan.seed !== undefined ? new Rng(plan.seed) : null, watcher)];
  return head + (tokens.length > 0 ? sep + vocab.decode(tokens) : '');
}
