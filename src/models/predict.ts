// The book's predict (D2L 9.5): warm up on a prefix read as the model's training text was, then step the model one
// token at a time, each chosen from the logits (greedy by default). What generation needs of a model lives here,
// beside the models, so that a model's predict() needs nothing above it; sampling and beam search (generate/) build
// on these steps.
import { opt, optionError } from '../util/option-error.js';
import type { Vocab } from '../data/vocab.js';
import { tokenSeparator } from '../data/tokenizer.js';

/** Chooses the next token index from a row of logits. */
export type Picker = (logits: ArrayLike<number>) => number;

/** The index of the largest value (the first of equals): greedy decoding. */
export function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
}

/** The prefix's tokens and indices; an empty prefix, or one without any token the model knows, is an error. */
export function prefixTokens(vocab: Vocab, prefix: string): { tokens: string[]; ids: Int32Array } {
  const tokens = vocab.tokenize(prefix);
  if (tokens.length === 0) throw new Error(`the prefix '${prefix}' has no ${vocab.tokenization.tokens === 'word' ? 'words' : 'characters'} once read as the model's text`);
  // book text: a prefix whose every character was dropped (digits, another script) reads as a bare space
  const meaningful = (t: string): boolean => vocab.has(t) && (vocab.tokenization.text === 'raw' || t.trim() !== '');
  if (!tokens.some(meaningful)) throw new Error(`the prefix '${prefix}' has no ${vocab.tokenization.tokens === 'word' ? 'word' : 'character'} the model knows`);
  return { tokens, ids: vocab.indices(tokens) };
}

/**
 * What generation needs of a model: feed one token from a state (undefined: the start of a text) and get the next
 * token's logits (V) and the new state, which must not change the state passed in (beam search feeds one state
 * several times). RNNLMScratch (its step, without gradients) and ForwardNet (rnnlm/inference) are two.
 */
export interface TokenStepper<S = unknown> {
  stepToken(token: number, state: S | undefined): { logits: ArrayLike<number>; state: S };
}

/** Feeds the prefix one token at a time (the book's warm-up); returns the logits for the first new token. */
export function warmUp<S>(model: TokenStepper<S>, ids: Int32Array): { logits: ArrayLike<number>; state: S } {
  let r = model.stepToken(ids[0]!, undefined);
  for (let i = 1; i < ids.length; i++) r = model.stepToken(ids[i]!, r.state);
  return r;
}

/** Logits with <unk> made impossible. */
function withoutUnknown(logits: ArrayLike<number>, unk: number): Float64Array {
  const out = Float64Array.from(logits);
  out[unk] = -Infinity;
  return out;
}

/**
 * The most tokens one generation call produces: ten million characters or words is more text than any use of a
 * character model needs, and predict() keeps them all in memory; Infinity or 1e12 is a mistake, refused up front.
 */
export const MAX_NEW_TOKENS = 10_000_000;

/** Refuses a length that is not a whole number from 0 to MAX_NEW_TOKENS (one line, naming the value and the option that gave it). */
export function checkNumPreds(numPreds: number, name = 'numPreds'): void {
  if (!Number.isInteger(numPreds) || numPreds < 0 || numPreds > MAX_NEW_TOKENS) {
    throw optionError`${opt(name)} must be a whole number of tokens from 0 to ${MAX_NEW_TOKENS}, got ${numPreds}`;
  }
}

/** The generated token indices, one at a time (greedy or picked; never <unk>; ends after a stop token). */
export function* continuation<S>(model: TokenStepper<S>, vocab: Vocab, prefix: string, numPreds: number, pick: Picker = argmax, stop?: number): Generator<number> {
  checkNumPreds(numPreds);
  const { ids } = prefixTokens(vocab, prefix);
  if (numPreds === 0) return;
  let r = warmUp(model, ids);
  for (let i = 0; i < numPreds; i++) {
    const next = pick(withoutUnknown(r.logits, vocab.unk));
    yield next;
    if (next === stop || i === numPreds - 1) return;
    r = model.stepToken(next, r.state);
  }
}

/** The prefix as the model read it, followed by generated token indices, as text. */
export function withPrefix(vocab: Vocab, prefix: string, ids: readonly number[]): string {
  const sep = tokenSeparator(vocab.tokenization);
  return prefixTokens(vocab, prefix).tokens.join(sep) + (ids.length > 0 ? sep + vocab.decode(ids) : '');
}
