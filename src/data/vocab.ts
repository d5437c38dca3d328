// Vocabulary: sorted unique tokens plus <unk> and reserved tokens (D2L 9.2, d2l.Vocab).
// Python's sorted() on strings orders by code point; JavaScript's default sort orders by UTF-16 unit,
// which agrees for every character a preprocessed corpus can hold.

export const UNK = '<unk>';

export interface VocabOptions {
  /** Tokens seen fewer times than this are left out (they map to <unk>). */
  minFreq?: number;
  /** Tokens always in the vocabulary, such as '<pad>'. */
  reservedTokens?: readonly string[];
}

export class Vocab {
  private tokens: readonly string[] = [];
  private tokenToIdx: ReadonlyMap<string, number> = new Map();

  constructor(tokens: Iterable<string> = [], { minFreq = 0, reservedTokens = [] }: VocabOptions = {}) {
    const counts = new Map<string, number>();
    for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
    const kept = [...counts].filter(([, n]) => n >= minFreq).map(([t]) => t);
    this.setTokens([...new Set([UNK, ...reservedTokens, ...kept])].sort());
  }

  /** A vocabulary with exactly these tokens in this order (as saved in a checkpoint). */
  static fromTokens(idxToToken: readonly string[]): Vocab {
    if (!idxToToken.includes(UNK)) throw new Error(`vocabulary has no ${UNK} token`);
    if (new Set(idxToToken).size !== idxToToken.length) throw new Error('vocabulary has duplicate tokens');
    const v = new Vocab();
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
}
