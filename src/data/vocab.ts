// Vocabulary: sorted unique tokens plus <unk> and reserved tokens (D2L 9.2, d2l.Vocab), with the book's min_freq and
// a cap on its size (max_tokens). Tokens are sorted by code point, as Python's sorted() orders them (JavaScript's
// default sort orders by UTF-16 unit, which differs for characters beyond U+FFFF, such as emoji).
// A vocabulary also knows how its text was read (tokenizer.ts), so that encode() reads a prefix or a text to score
// exactly as the training text was read, and decode() writes tokens back as text.
import { BOOK_TOKENIZATION, joinTokens, tokenizeText, type Tokenization } from './tokenizer.js';

export const UNK = '<unk>';

export interface VocabOptions {
  /** Tokens seen fewer times than this are left out (they map to <unk>). */
  minFreq?: number;
  /** At most this many tokens in all (with <unk> and the reserved ones): the most frequent are kept. */
  maxTokens?: number;
  /** Tokens always in the vocabulary, such as '<pad>'. */
  reservedTokens?: readonly string[];
  /** How the text was read (default: the book's letters-only characters). */
  tokenization?: Tokenization;
}

/** Orders strings by code point (Python's str ordering). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

export class Vocab {
  private tokens: readonly string[] = [];
  private tokenToIdx: ReadonlyMap<string, number> = new Map();
  readonly tokenization: Tokenization;

  constructor(tokens: Iterable<string> = [], options: VocabOptions = {}) {
    this.tokenization = Object.freeze({ ...(options.tokenization ?? BOOK_TOKENIZATION) });
    const counts = new Map<string, number>();
    for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
    this.setTokens(Vocab.select(counts, options));
  }

  /** A vocabulary from token counts (what a streaming pass over a large text gathers). */
  static fromCounts(counts: ReadonlyMap<string, number>, options: VocabOptions = {}): Vocab {
    const v = new Vocab([], options.tokenization ? { tokenization: options.tokenization } : {});
    v.setTokens(Vocab.select(counts, options));
    return v;
  }

  /** The sorted token list: <unk>, reserved tokens, and the tokens seen at least minFreq times (the most frequent when capped). */
  private static select(counts: ReadonlyMap<string, number>, { minFreq = 0, maxTokens, reservedTokens = [] }: VocabOptions): string[] {
    const fixed = [...new Set([UNK, ...reservedTokens])];
    let kept = [...counts].filter(([t, n]) => n >= minFreq && !fixed.includes(t));
    if (maxTokens !== undefined) {
      if (!Number.isInteger(maxTokens) || maxTokens < fixed.length) {
        throw new Error(`maxTokens must be an integer of at least ${fixed.length} (<unk> and the reserved tokens), got ${maxTokens}`);
      }
      // the most frequent first; equal counts in token order, so that the choice does not depend on the text's order
      kept.sort(([a, m], [b, n]) => n - m || compareCodePoints(a, b));
      kept = kept.slice(0, maxTokens - fixed.length);
    }
    return [...fixed, ...kept.map(([t]) => t)].sort(compareCodePoints);
  }

  /** A vocabulary with exactly these tokens in this order (as saved in a checkpoint). */
  static fromTokens(idxToToken: readonly string[], tokenization: Tokenization = BOOK_TOKENIZATION): Vocab {
    if (!idxToToken.includes(UNK)) throw new Error(`vocabulary has no ${UNK} token`);
    if (new Set(idxToToken).size !== idxToToken.length) throw new Error('vocabulary has duplicate tokens');
    const v = new Vocab([], { tokenization });
    v.setTokens([...idxToToken]);
    return v;
  }

  private setTokens(list: readonly string[]): void {
    this.tokens = Object.freeze(list);
    this.tokenToIdx = new Map(list.map((t, i) => [t, i]));
  }

  /** Index to token (the book's idx_to_token). */
  get idxToToken(): readonly string[] {
    return this.tokens;
  }

  get length(): number {
    return this.idxToToken.length;
  }

  /** Index of <unk>. */
  get unk(): number {
    return this.tokenToIdx.get(UNK)!;
  }

  /** Index of a token, <unk>'s for unknown tokens (vocab[token] in the book). */
  index(token: string): number {
    return this.tokenToIdx.get(token) ?? this.unk;
  }

  /** True when the token has its own index. */
  has(token: string): boolean {
    return this.tokenToIdx.has(token);
  }

  indices(tokens: Iterable<string>): Int32Array {
    return Int32Array.from(tokens, (t) => this.index(t));
  }

  toTokens(indices: Iterable<number>): string[] {
    return Array.from(indices, (i) => {
      const t = this.idxToToken[i];
      if (t === undefined) throw new Error(`token index ${i} is out of range [0, ${this.length})`);
      return t;
    });
  }

  /** The tokens of a text read as the vocabulary's text was (normalised, then split). */
  tokenize(text: string): string[] {
    return tokenizeText(text, this.tokenization);
  }

  /** A text's token indices, read as the vocabulary's text was; unknown tokens are <unk>. */
  encode(text: string): Int32Array {
    return this.indices(this.tokenize(text));
  }

  /** Token indices back to text (book words joined by spaces). */
  decode(indices: Iterable<number>): string {
    return joinTokens(this.toTokens(indices), this.tokenization);
  }
}
