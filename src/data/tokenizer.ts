// How a model reads text, saved with the model so that everything that reads text for it (train, generate, score,
// eval, predict, the page) reads it the same way:
//   text   'book' (D2L 9.2: every run of non-letters becomes one space, then lower case) or 'raw' (every character
//          kept: case, punctuation, digits, whitespace, any script, emoji; Unicode NFC; CRLF and CR become LF;
//          control characters other than tab and newline are removed);
//   tokens 'char' (D2L 9.2's characters; code points, so an emoji is one token) or 'word' (D2L 9.2's word tokens:
//          the book text split at spaces; raw text cut into words, numbers, runs of whitespace and single
//          punctuation marks, each Chinese or Japanese character on its own, so that joining them gives the text back).
// TokenStream reads text in pieces of any size (a file is never held whole) and emits the same tokens as reading
// the whole text at once: it cuts only at the start of a run of whitespace, where neither normalisation looks across.
import { preprocess } from './preprocess.js';

export type TextMode = 'book' | 'raw';
export type TokenMode = 'char' | 'word';
export const TEXT_MODES: readonly TextMode[] = ['book', 'raw'];
export const TOKEN_MODES: readonly TokenMode[] = ['char', 'word'];

export interface Tokenization {
  text: TextMode;
  tokens: TokenMode;
}

/** The book's: letters only, lower case, character tokens. */
export const BOOK_TOKENIZATION: Readonly<Tokenization> = Object.freeze({ text: 'book', tokens: 'char' });

/**
 * Raw text as a model sees it: NFC, CRLF (Windows line ends) and lone CR as LF, and no control characters but tab
 * and newline (a form feed or an escape sequence is not text, and printed it would drive the terminal).
 */
export function normalizeRaw(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(CONTROLS, '').normalize('NFC');
}

/** C0 and C1 control characters other than tab and newline. */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** True when a token holds a control character other than tab and newline (no text this tokenizer reads does). */
export function hasControl(token: string): boolean {
  CONTROLS.lastIndex = 0;
  return CONTROLS.test(token);
}

/** The text as the tokenization's model sees it. */
export function normalize(text: string, { text: mode }: Tokenization): string {
  return mode === 'book' ? preprocess(text) : normalizeRaw(text);
}

// Raw words: a CJK character alone (those scripts do not separate words by spaces), a word of letters, marks and
// digits (with inner apostrophes: don't, l'homme), a run of whitespace, or any other single character with its marks.
// Runs are cut every MAX_RUN characters so that no token grows without bound (a base64 blob, a page of spaces).
const RAW_WORD = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[\p{L}\p{M}\p{N}]{1,64}(?:['\u2019][\p{L}\p{M}\p{N}]{1,64}){0,8}|\s{1,64}|[^]\p{M}{0,8}/gu;

/** The longest run of letters (a book word) or whitespace one token holds; longer runs become several tokens. */
export const MAX_RUN = 64;

/** Calls emit for each token of already-normalised text. */
export function forEachToken(normalized: string, { text, tokens }: Tokenization, emit: (token: string) => void): void {
  if (tokens === 'char') {
    for (const c of normalized) emit(c);
  } else if (text === 'book') {
    for (const w of normalized.split(' ')) for (let i = 0; i < w.length; i += MAX_RUN) emit(w.slice(i, i + MAX_RUN));
  } else {
    for (const m of normalized.matchAll(RAW_WORD)) emit(m[0]);
  }
}

/** The tokens of a text (normalised first). */
export function tokenizeText(text: string, tokenization: Tokenization): string[] {
  const out: string[] = [];
  const stream = new TokenStream(tokenization, (t) => void out.push(t));
  stream.push(text);
  stream.end();
  return out;
}

/** What goes between two tokens in text: a space between book words (the book text's only separator), else nothing. */
export function tokenSeparator({ text, tokens }: Tokenization): string {
  return text === 'book' && tokens === 'word' ? ' ' : '';
}

/** Tokens back to text. */
export function joinTokens(tokens: readonly string[], tokenization: Tokenization): string {
  return tokens.join(tokenSeparator(tokenization));
}

/** A carried remainder longer than this (a text without whitespace) is cut at a character boundary instead. */
const MAX_CARRY = 1 << 20;
const WHITESPACE = /\s/;

/** True when a cut before index i of s would split a character from its marks, a surrogate pair or a CRLF. */
function joinsPrevious(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c >= 0xdc00 && c <= 0xdfff) return true;
  if (c === 0x0a && s.charCodeAt(i - 1) === 0x0d) return true;
  return /\p{M}/u.test(String.fromCodePoint(s.codePointAt(i)!));
}

/**
 * Tokenizes text given in pieces: push() pieces in order, then end(). Emits exactly the tokens of the whole text.
 * Counts the characters the book's preprocessing drops (neither ASCII letters nor whitespace).
 */
export class TokenStream {
  private carry = '';
  private lastWasSpace = false; // book text: the emitted text ended with the space a run of non-letters became
  private done = false;
  /** Characters (code points) the book's preprocessing removed so far; 0 for raw text. */
  dropped = 0;
  /** Characters (code points) of input read so far. */
  chars = 0;

  constructor(readonly tokenization: Tokenization, private readonly emit: (token: string) => void) {}

  push(piece: string): void {
    if (this.done) throw new Error('TokenStream: push after end');
    const text = this.carry + piece;
    // cut at the start of the last run of whitespace: the run and what follows wait for the next piece. Only the new
    // piece is searched: the carry holds whitespace only as its leading run (it was cut there), so when the piece has
    // none the cut stays at 0. Searching the whole carry each time made a text without whitespace quadratic.
    const start = this.carry.length;
    let i = text.length - 1;
    while (i >= start && !WHITESPACE.test(text[i]!)) i--;
    let cut = 0;
    if (i >= start) {
      while (i > start && WHITESPACE.test(text[i - 1]!)) i--;
      // the run reaches back into the carry only when the carry is all whitespace: then it starts at 0
      cut = i === start && start > 0 && WHITESPACE.test(text[start - 1]!) ? 0 : i;
    }
    if (text.length - cut > MAX_CARRY) {
      // no whitespace for MAX_CARRY characters (a base64 blob, a text in a script without spaces): cut anyway
      cut = text.length - 1;
      while (cut > 0 && joinsPrevious(text, cut)) cut--;
    }
    this.carry = text.slice(cut);
    if (cut > 0) this.process(text.slice(0, cut));
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    if (this.carry !== '') this.process(this.carry);
    this.carry = '';
  }

  private process(text: string): void {
    let normalized: string;
    if (this.tokenization.text === 'book') {
      normalized = text.replace(/[^A-Za-z]+/g, (run) => {
        for (const c of run) {
          this.chars++;
          if (!/\s/.test(c)) this.dropped++;
        }
        return ' ';
      }).toLowerCase();
      // a run of non-letters split across pieces is still one space
      if (this.lastWasSpace && normalized.startsWith(' ')) normalized = normalized.slice(1);
      if (normalized.length > 0) this.lastWasSpace = normalized.endsWith(' ');
      this.chars += countLetters(text);
    } else {
      normalized = normalizeRaw(text);
      this.chars += countCodePoints(text);
    }
    forEachToken(normalized, this.tokenization, this.emit);
  }
}

function countLetters(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) | 0x20;
    if (c >= 0x61 && c <= 0x7a) n++;
  }
  return n;
}

function countCodePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const p = s.charCodeAt(i - 1);
      if (p >= 0xd800 && p <= 0xdbff) n--;
    }
  }
  return n;
}
