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
  sha1?: string; // of the file's bytes, for a corpus built from a file (load.ts)
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

function countingPass(options: CorpusOptions, counts: Map<string, number>): Pass {
  return new Pass(options.tokenization, options.limit ?? Infinity, options.vocab ? () => {} : (t) => counts.set(t, (counts.get(t) ?? 0) + 1));
}

function vocabFrom(counts: Map<string, number>, { tokenization, minFreq, maxTokens, vocab }: CorpusOptions): Vocab {
  return vocab ?? Vocab.fromCounts(counts, { tokenization, ...(minFreq !== undefined ? { minFreq } : {}), ...(maxTokens !== undefined ? { maxTokens } : {}) });
}

function allocateIds(n: number, vocab: Vocab): TokenIds {
  return vocab.length <= 65536 ? new Uint16Array(n) : new Int32Array(n);
}

function fillingPass(options: CorpusOptions, ids: TokenIds, vocab: Vocab): Pass {
  return new Pass(options.tokenization, ids.length, (t, i) => (ids[i] = vocab.index(t)));
}

function corpus(ids: TokenIds, vocab: Vocab, stream: TokenStream): Corpus {
  return { ids, vocab, chars: stream.chars, dropped: stream.dropped };
}

/** The corpus of a text given in pieces (a file read chunk by chunk): two streaming passes. */
export async function buildCorpus(pieces: TextPieces, options: CorpusOptions): Promise<Corpus> {
  const counts = new Map<string, number>();
  const first = countingPass(options, counts);
  await run(pieces, first);
  const vocab = vocabFrom(counts, options);
  const ids = allocateIds(first.count, vocab);
  await run(pieces, fillingPass(options, ids, vocab));
  return corpus(ids, vocab, first.stream);
}

/** The corpus of a text in memory (the library and the page). */
export function corpusFromText(text: string, options: CorpusOptions): Corpus {
  const counts = new Map<string, number>();
  const first = countingPass(options, counts);
  runSync(text, first);
  const vocab = vocabFrom(counts, options);
  const ids = allocateIds(first.count, vocab);
  runSync(text, fillingPass(options, ids, vocab));
  return corpus(ids, vocab, first.stream);
}
