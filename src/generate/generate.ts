// Generating text with a language model: warm up on a prefix read as the model's training text was (the book's
// predict), then produce tokens greedily, by sampling (sampling.ts) or by beam search (beam.ts). <unk> is never
// produced: its probability is set to zero before any choice. Greedy and sampled text is produced token by token,
// so that it can be shown as it comes (an async iterator, or a callback); beam search knows its best sequence
// only at the end.
import type { Vocab } from '../data/vocab.js';
import { checkNumPreds, continuation, prefixTokens, warmUp, withPrefix, type TokenStepper } from '../models/predict.js';
import { beamSteps, DEFAULT_LENGTH_PENALTY } from './beam.js';
import { makePicker, type DecodeOptions } from './sampling.js';
import { tokenSeparator } from '../data/tokenizer.js';
import { nextTask } from '../util/next-task.js';

export { continuation, prefixTokens, withPrefix, type Picker, type TokenStepper } from '../models/predict.js';

export interface GenerateOptions extends DecodeOptions {
  numPreds: number; // tokens to generate (at most, with stop)
  beam?: number; // beam search with this many hypotheses (D2L 10.8) instead of greedy or sampled decoding
  lengthPenalty?: number; // beam search's alpha in (1/L^alpha) log P (default 0.75)
  stop?: string; // a token that ends the text once produced (a newline, a full stop, a word)
  signal?: AbortSignal; // generateText ends early once aborted (between tokens, or between beam steps)
}

/** The best continuation by beam search (token indices), never <unk>. */
export function beamContinuation<S>(model: TokenStepper<S>, vocab: Vocab, prefix: string, numPreds: number, beam: number, alpha = DEFAULT_LENGTH_PENALTY, stop?: number): number[] {
  const steps = beamContinuationSteps(model, vocab, prefix, numPreds, beam, alpha, stop);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value.tokens;
  }
}

/** The same search one step at a time (beamSteps), for callers that let other work in or stop between steps. */
function beamContinuationSteps<S>(model: TokenStepper<S>, vocab: Vocab, prefix: string, numPreds: number, beam: number, alpha = DEFAULT_LENGTH_PENALTY, stop?: number) {
  checkNumPreds(numPreds);
  const { ids } = prefixTokens(vocab, prefix);
  return beamSteps(warmUp(model, ids), (token, state: S) => model.stepToken(token, state),
    { beam, numPreds, alpha, exclude: [vocab.unk], ...(stop !== undefined ? { stop: [stop] } : {}) });
}

/** The index of a stop token, which must be in the vocabulary. */
function stopIndex(vocab: Vocab, stop: string | undefined): number | undefined {
  if (stop === undefined) return undefined;
  const tokens = vocab.tokenize(stop);
  if (tokens.length !== 1 || !vocab.has(tokens[0]!)) throw new Error(`the stop text '${stop}' is not one token of the model's vocabulary`);
  return vocab.index(tokens[0]!);
}


/**
 * Generated text as it is produced: the prefix as the model read it first, then each new token (with a space before
 * book words). Beam search yields its text once, at the end. onText, when given, also receives each piece.
 */
export async function* generateText<S>(model: TokenStepper<S>, vocab: Vocab, prefix: string, options: GenerateOptions, onText?: (piece: string) => void): AsyncGenerator<string> {
  checkNumPreds(options.numPreds); // before any text: a length of Infinity is refused, not generated
  const { tokens } = prefixTokens(vocab, prefix);
  const sep = tokenSeparator(vocab.tokenization);
  const stop = stopIndex(vocab, options.stop);
  const emit = (piece: string): string => (onText?.(piece), piece);
  yield emit(tokens.join(sep));
  const { signal } = options;
  if (options.beam !== undefined) {
    // a step at a time, letting other work in (a stop signal's handler, the page) between steps
    const steps = beamContinuationSteps(model, vocab, prefix, options.numPreds, options.beam, options.lengthPenalty, stop);
    for (let r = steps.next(); ; r = steps.next()) {
      if (r.done) {
        if (r.value.tokens.length > 0) yield emit(sep + vocab.decode(r.value.tokens));
        return;
      }
      await nextTask();
      if (signal?.aborted) return;
    }
  }
  let n = 0;
  for (const id of continuation(model, vocab, prefix, options.numPreds, makePicker(options), stop)) {
    if (signal?.aborted) return;
    yield emit(sep + vocab.idxToToken[id]!);
    if (++n % 64 === 0) await nextTask();
  }
}

/** The whole generated text at once (prefix included), as the book's predict returns it. */
export function generate<S>(model: TokenStepper<S>, vocab: Vocab, prefix: string, options: GenerateOptions): string {
  const stop = stopIndex(vocab, options.stop);
  return withPrefix(vocab, prefix, options.beam !== undefined
    ? beamContinuation(model, vocab, prefix, options.numPreds, options.beam, options.lengthPenalty, stop)
    : [...continuation(model, vocab, prefix, options.numPreds, makePicker(options), stop)]);
}
