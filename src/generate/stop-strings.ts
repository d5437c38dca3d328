// Stop strings matched on the generated text, not on one token: '. ' ends a word model's text after a word ending in
// a full stop, 'the end' after three tokens of a character model. A stop text the model can never write (a capital
// letter or a '.' from a model of the book's lower-case text) is refused up front with the character it lacks,
// rather than read through the book's preprocessing into something else (a '.' into a space, which stopped at once).
import type { Vocab } from '../data/vocab.js';
import { tokenSeparator } from '../data/tokenizer.js';

/** At most this many stop strings, each at most MAX_STOP_LENGTH characters (they are matched at every token). */
export const MAX_STOPS = 100;
export const MAX_STOP_LENGTH = 1000;

/** The stop option as a list: one text or several. */
export function stopList(stop: string | readonly string[] | undefined): readonly string[] {
  return stop === undefined ? [] : typeof stop === 'string' ? [stop] : stop;
}

/** Refuses a malformed stop list (before the model is known): empty texts, too many, too long. */
export function checkStops(stops: readonly string[]): void {
  if (stops.length > MAX_STOPS) throw new Error(`at most ${MAX_STOPS} stop strings, got ${stops.length}`);
  for (const s of stops) {
    if (typeof s !== 'string' || s === '') throw new Error('a stop string must be a non-empty text');
    if (s.length > MAX_STOP_LENGTH) throw new Error(`a stop string has at most ${MAX_STOP_LENGTH} characters, got ${s.length}`);
  }
}

/** The characters this model can write: those of its tokens (<unk> aside, which is never generated) and the separator. */
function writable(vocab: Vocab): Set<string> {
  const chars = new Set<string>(tokenSeparator(vocab.tokenization));
  vocab.idxToToken.forEach((t, i) => {
    if (i !== vocab.unk) for (const c of t) chars.add(c);
  });
  return chars;
}

/**
 * Watches a text grow token by token and says when it contains one of the stop strings. The generated text is
 * `sep + token` per token (as generateText writes it); a match must end in the newest piece, so that each match is
 * found once, at the token that completes it. Only the last (longest stop - 1) characters are kept.
 */
export class StopWatcher {
  private readonly longest: number;
  private tail = '';

  constructor(private readonly stops: readonly string[]) {
    this.longest = Math.max(0, ...stops.map((s) => s.length));
  }

  /** Checks the stops against a model's vocabulary: each must be writable by it. */
  static forModel(stops: readonly string[], vocab: Vocab): StopWatcher {
    checkStops(stops);
    const can = writable(vocab);
    for (const s of stops) {
      const missing = [...s].find((c) => !can.has(c));
      if (missing !== undefined) {
        throw new Error(`the stop text '${s}' cannot occur in this model's output: it never writes '${missing}'` +
          (vocab.tokenization.text === 'book' ? ' (its text was read as the book does: lower-case letters and spaces)' : ''));
      }
    }
    return new StopWatcher(stops);
  }

  get active(): boolean {
    return this.stops.length > 0;
  }

  /** Whether `tail + piece` contains a stop string that ends inside `piece` (no state changes). */
  wouldStop(tail: string, piece: string): boolean {
    if (this.stops.length === 0) return false;
    const text = tail + piece;
    for (const s of this.stops) {
      // a match ending inside the piece starts at or after text.length - piece.length - s.length + 1
      const from = Math.max(0, text.length - piece.length - s.length + 1);
      if (text.indexOf(s, from) >= 0) return true;
    }
    return false;
  }

  /** The text's last characters after appending piece: all a later match can need. */
  nextTail(tail: string, piece: string): string {
    const text = tail + piece;
    return text.length >= this.longest ? text.slice(text.length - Math.max(0, this.longest - 1)) : text;
  }

  /** Appends a piece; true when the text now contains a stop string that this piece completed. */
  push(piece: string): boolean {
    const hit = this.wouldStop(this.tail, piece);
    this.tail = this.nextTail(this.tail, piece);
    return hit;
  }
}
