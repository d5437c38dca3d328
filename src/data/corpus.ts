// A text as token ids, built by streaming over its pieces (a file is never held whole, never spread into an array):
// a first pass counts tokens (the vocabulary and the length), a second writes the ids into one typed array of exactly
// that length, 16-bit when the vocabulary has at most 65,536 tokens. With a limit, both passes stop after that many
// tokens (the book split reads only the first windows of a text, and reads no more of it than that).
import { TokenStream, type Tokenization } from './tokenizer.js';
import { Vocab } from './vocab.js';

/** Token ids: 16-bit when the vocabulary allows. */
export type TokenIds = Uint16Array | Int32Array;

export interface CorpusOptions {
  tokenization: Tokenization;
  minFreq?: number; // the book's min_freq: rarer tokens become <unk>
  maxTokens?: number; // at most this many vocabulary entries (the most frequent)
  limit?: number; // read only the first `limit` tokens
  vocab?: Vocab; // an existing vocabulary (a trained model's); built from the text otherwise
}

export interface Corpus {
  ids: TokenIds;
  vocab: Vocab;
  chars: number; // characters read (of the text before normalisation)
  dropped: number; // characters the book's preprocessing removed (0 for raw text)
  sha1?: string; // of the file's bytes, for a corpus built from a file (node/load.ts)
  textSha1?: string; // the text's identity (text-id.ts), for a corpus built from a file
}

/** Pieces of one text, in order; called once per pass. */
export type TextPieces = () => Iterable<string> | AsyncIterable<string>;

/** One streaming pass: tokens go to `take` until it has `limit` of them. */
class Pass {
  readonly stream: TokenStream;
  count = 0;
  constructor(tokenization: Tokenization, private readonly limit: number, take: (token: string, i: number) => void) {
    this.stream = new TokenStream(tokenization, (t) => {
      if (this.count < this.limit) take(t, this.count++);
    });
  }
  get full(): boolean {
    return this.count >= this.limit;
  }
}

/** Characters tokenized at a time: a limited pass reads at most this much beyond its last token. */
const SLICE = 1 << 14;

/** Feeds a piece in slices; false once the pass has all the tokens it wants. */
function feed(pass: Pass, piece: string): boolean {
  for (let i = 0; i < piece.length; i += SLICE) {
    pass.stream.push(piece.slice(i, i + SLICE));
    if (pass.full) return false;
  }
  return true;
}

async function run(pieces: TextPieces, pass: Pass): Promise<void> {
  for await (const piece of pieces()) if (!feed(pass, piece)) return; // leaving the loop closes the source (a file early)
  pass.stream.end();
}

function runSync(text: string, pass: Pass): void {
  if (feed(pass, text)) pass.stream.end();
}

/**
 * The most distinct tokens a text may have without a cap (maxTokens or minFreq). Characters: Unicode assigns about
 * 150,000, and no script needs more than a fraction of them, so a text with more is not one to learn from as it is
 * (a file of a million distinct characters made the output layer alone hours of work a epoch and gigabytes).
 * Words: a million; larger corpora's vocabularies are capped, as word models always are.
 */
export const MAX_UNCAPPED_VOCABULARY = { char: 200_000, word: 1_000_000 } as const;

function tooManyTokens(tokens: 'char' | 'word'): Error {
  const n = MAX_UNCAPPED_VOCABULARY[tokens].toLocaleString('en-US');
  return new Error(tokens === 'char'
    ? `the text has more than ${n} distinct characters (Unicode assigns about 150,000; no script needs so many): cap the vocabulary with maxTokens (--max-tokens N, the most frequent) or minFreq (--min-freq N)`
    : `the text has more than ${n} distinct words: cap the vocabulary with maxTokens (--max-tokens N, the most frequent) or minFreq (--min-freq N)`);
}

/**
 * The two passes of building a corpus, for a driver that feeds the text to each pass it is given (in memory or from a
 * file): the first counts (the vocabulary and the length), the second writes the ids into an array of that length.
 */
function* passes({ tokenization, limit = Infinity, vocab, minFreq, maxTokens }: CorpusOptions): Generator<Pass, Corpus, void> {
  const counts = new Map<string, number>();
  // without a cap, the vocabulary is every distinct token, and the model's input and output layers grow with it:
  // refused while counting, before the count or the model can fill memory
  const most = maxTokens || minFreq ? Infinity : MAX_UNCAPPED_VOCABULARY[tokenization.tokens];
  const first = new Pass(tokenization, limit, vocab ? () => {} : (t) => {
    counts.set(t, (counts.get(t) ?? 0) + 1);
    if (counts.size > most) throw tooManyTokens(tokenization.tokens);
  });
  yield first;
  const v = vocab ?? Vocab.fromCounts(counts, { tokenization, ...(minFreq !== undefined ? { minFreq } : {}), ...(maxTokens !== undefined ? { maxTokens } : {}) });
  const ids: TokenIds = v.length <= 65536 ? new Uint16Array(first.count) : new Int32Array(first.count);
  yield new Pass(tokenization, ids.length, (t, i) => (ids[i] = v.index(t)));
  return { ids, vocab: v, chars: first.stream.chars, dropped: first.stream.dropped };
}

/** The corpus of a text given in pieces (a file read chunk by chunk): two streaming passes. */
export async function buildCorpus(pieces: TextPieces, options: CorpusOptions): Promise<Corpus> {
  const build = passes(options);
  for (let step = build.next(); ; step = build.next()) {
    if (step.done) return step.value;
    await run(pieces, step.value);
  }
}

/** The corpus of a text in memory (the library and the page). */
export function corpusFromText(text: string, options: CorpusOptions): Corpus {
  const build = passes(options);
  for (let step = build.next(); ; step = build.next()) {
    if (step.done) return step.value;
    runSync(text, step.value);
  }
}
