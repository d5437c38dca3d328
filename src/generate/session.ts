// The step API, for people who build their own decoding (autocomplete, constrained output, a probability view):
// start on a prefix, read the next token's distribution, feed the token you choose, repeat. The model's state is
// carried inside; nothing is chosen for you (<unk> has the probability the model gives it: generate never picks it).
//
//   const s = model.start('the time');
//   s.top(5);          // [{ token: ' ', id: 1, p: 0.41 }, ...]
//   s.feed('m');       // a token of the vocabulary (a character or a word), or its index
import type { Vocab } from '../data/vocab.js';
import { prefixTokens, warmUp, type TokenStepper } from '../models/predict.js';
import { tokenSeparator } from '../data/tokenizer.js';

export interface TokenChance {
  token: string;
  id: number;
  p: number;
}

export interface TextSession {
  /** The text so far: the prefix as the model read it, then each token fed. */
  readonly text: string;
  /** The probability of each next token (V, in the vocabulary's order: vocab.idxToToken), in float64. */
  probs(): Float64Array;
  /** The k most likely next tokens, most likely first (ties: the lower index first). */
  top(k: number): TokenChance[];
  /** Feeds one token (its text, which must be one token of the vocabulary, or its index) and steps the model. */
  feed(token: string | number): void;
}

/** Softmax of a row of logits in float64 (shifted by the max: no overflow). */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const p = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += p[i] = Math.exp(logits[i]! - max);
  for (let i = 0; i < p.length; i++) p[i] = p[i]! / sum;
  return p;
}

export function startSession<S>(model: TokenStepper<S>, vocab: Vocab, prefix: string): TextSession {
  const { tokens, ids } = prefixTokens(vocab, prefix);
  const sep = tokenSeparator(vocab.tokenization);
  let r = warmUp(model, ids);
  let text = tokens.join(sep);
  let probs: Float64Array | null = null;
  const idOf = (token: string | number): number => {
    if (typeof token === 'number') {
      if (!Number.isInteger(token) || token < 0 || token >= vocab.length) throw new RangeError(`a token index must be a whole number from 0 to ${vocab.length - 1}, got ${token}`);
      return token;
    }
    if (typeof token !== 'string' || !vocab.has(token)) throw new Error(`${JSON.stringify(token)} is not a token of this model's vocabulary`);
    return vocab.index(token);
  };
  return {
    get text() {
      return text;
    },
    probs() {
      return Float64Array.from((probs ??= softmax(r.logits)));
    },
    top(k) {
      if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be a whole number >= 0, got ${k}`);
      const p = (probs ??= softmax(r.logits));
      const order = Array.from(p.keys()).sort((a, b) => p[b]! - p[a]! || a - b).slice(0, k);
      return order.map((id) => ({ token: vocab.idxToToken[id]!, id, p: p[id]! }));
    },
    feed(token) {
      const id = idOf(token);
      r = model.stepToken(id, r.state);
      probs = null;
      text += sep + vocab.idxToToken[id]!;
    },
  };
}
