// What shapes the next token's logits before any choice, given the tokens so far (the prefix and what was generated):
// the repetition penalty of CTRL (Keskar et al., 2019) and the no-repeat n-gram ban, under Hugging Face generate's
// names and semantics (RepetitionPenaltyLogitsProcessor, NoRepeatNGramLogitsProcessor), so that settings carry over.
// Greedy, sampled and beam decoding all apply them, per hypothesis in beam search.

import { opt, optionError } from '../util/option-error.js';

export interface ProcessorOptions {
  repetitionPenalty?: number; // > 0; 1 = none; > 1 discourages every token already in the text, < 1 encourages it
  noRepeatNgramSize?: number; // n >= 1: no n-gram of tokens occurs twice in the text (prefix included)
}

/** The largest n-gram size accepted: a typo such as 1e9 is refused rather than silently meaning "off". */
export const MAX_NGRAM = 1000;

/** Refuses options out of range, one line naming the value (before any text is generated). */
export function checkProcessors({ repetitionPenalty, noRepeatNgramSize }: ProcessorOptions): void {
  if (repetitionPenalty !== undefined && !(repetitionPenalty > 0 && Number.isFinite(repetitionPenalty))) {
    throw optionError`${opt('repetitionPenalty')} must be a positive number (1 = none), got ${repetitionPenalty}`;
  }
  if (noRepeatNgramSize !== undefined && !(Number.isInteger(noRepeatNgramSize) && noRepeatNgramSize >= 1 && noRepeatNgramSize <= MAX_NGRAM)) {
    throw optionError`${opt('noRepeatNgramSize')} must be a whole number from 1 to ${MAX_NGRAM}, got ${noRepeatNgramSize}`;
  }
}

/** True when the options change anything (so the plain decoding path keeps its exact floats and speed). */
export function hasProcessors({ repetitionPenalty, noRepeatNgramSize }: ProcessorOptions): boolean {
  return (repetitionPenalty !== undefined && repetitionPenalty !== 1) || noRepeatNgramSize !== undefined;
}

/**
 * The processors' view of one text: fed its tokens one at a time (push), it reshapes the next token's logits (V) in
 * place (apply). Repetition penalty: a token that occurs in the text has its logit divided by the penalty when
 * positive and multiplied by it when negative (both lower its probability for a penalty above 1). No-repeat n-gram of
 * size n: a token that would complete an n-gram already in the text gets -Infinity (probability 0). State is kept
 * incrementally (the tokens seen, and each (n-1)-gram's followers), so a step costs O(V) however long the text.
 */
export class LogitsProcessor {
  private readonly seen = new Set<number>();
  private readonly followers = new Map<string, Set<number>>(); // (n-1)-gram -> tokens that followed it
  private readonly recent: number[] = []; // the last n-1 tokens

  constructor(private readonly options: ProcessorOptions) {}

  /** A processor that has read these tokens. */
  static after(options: ProcessorOptions, tokens: ArrayLike<number>): LogitsProcessor {
    const p = new LogitsProcessor(options);
    for (let i = 0; i < tokens.length; i++) p.push(tokens[i]!);
    return p;
  }

  push(token: number): void {
    const { repetitionPenalty, noRepeatNgramSize: n } = this.options;
    if (repetitionPenalty !== undefined && repetitionPenalty !== 1) this.seen.add(token);
    if (n === undefined) return;
    if (this.recent.length === n - 1) {
      const key = this.recent.join(',');
      let next = this.followers.get(key);
      if (!next) this.followers.set(key, (next = new Set()));
      next.add(token);
    }
    this.recent.push(token);
    if (this.recent.length > n - 1) this.recent.shift();
  }

  apply(logits: Float64Array): void {
    const { repetitionPenalty } = this.options;
    for (const t of this.seen) {
      if (t < 0 || t >= logits.length) continue;
      const z = logits[t]!;
      logits[t] = z > 0 ? z / repetitionPenalty! : z * repetitionPenalty!;
    }
    const banned = this.followers.get(this.recent.join(','));
    if (banned) for (const t of banned) if (t >= 0 && t < logits.length) logits[t] = -Infinity;
  }
}
