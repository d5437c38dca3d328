// Reading real-world text: bytes that may not be UTF-8, and Project Gutenberg's licence header and footer.

// Windows-1252 bytes 0x80-0x9F (the rest are Latin-1, byte = code point). Written out because Node's TextDecoder
// reads the 'windows-1252' label as ISO-8859-1 in some builds; undefined bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D)
// keep their Latin-1 meaning, as browsers do.
const CP1252 = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    const chunk = bytes.subarray(i, i + 8192);
    out += String.fromCharCode(...Array.from(chunk, (b) => (b >= 0x80 && b < 0xa0 ? CP1252.charCodeAt(b - 0x80) : b)));
  }
  return out;
}

export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** The encoding a byte-order mark names, and the mark's length; null without one. */
export function byteOrderMark(head: Uint8Array): { encoding: TextEncoding; length: number } | null {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8-bom', length: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

/** Bytes that no text file holds: controls other than tab, line ends, form feed and escape. */
function isControl(b: number): boolean {
  return (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0b && b !== 0x0c && b !== 0x0d && b !== 0x1b) || b === 0x7f;
}

/**
 * Why bytes (without a UTF-16 byte-order mark) are not text, or null: a NUL byte anywhere, or more than 10% control
 * bytes in the first 64 KiB (executables, images and archives have both; text files neither).
 */
export function binaryReason(bytes: Uint8Array, atStart = true): string | null {
  const nul = bytes.indexOf(0);
  if (nul >= 0) return `it has a NUL byte at offset ${nul}`;
  if (!atStart) return null;
  const sample = bytes.subarray(0, 1 << 16);
  let controls = 0;
  for (const b of sample) if (isControl(b)) controls++;
  return controls > 0.1 * sample.length ? `${Math.round((100 * controls) / sample.length)}% of its first bytes are control codes` : null;
}

/** A decoder for one encoding that takes bytes in chunks (characters may straddle chunks). */
export function chunkDecoder(encoding: TextEncoding): (chunk: Uint8Array, last: boolean) => string {
  if (encoding === 'windows-1252') return (chunk) => decodeWindows1252(chunk);
  const label = encoding === 'utf-8-bom' ? 'utf-8' : encoding;
  // the byte-order mark is consumed by the decoder (ignoreBOM false), so the text never starts with U+FEFF
  const decoder = new TextDecoder(label, { fatal: encoding === 'utf-8' || encoding === 'utf-8-bom' });
  return (chunk, last) => decoder.decode(chunk, { stream: !last });
}

/** An error for bytes that are not text. */
export function notText(what: string, reason: string): Error {
  return new Error(`${what} looks like a binary file, not text (${reason})`);
}

/**
 * A streaming UTF-8 validator (the Unicode standard's table of well-formed byte sequences, Table 3-7): counts the
 * multibyte characters and finds the first byte that is not UTF-8. Written out rather than a fatal TextDecoder, which
 * says only "invalid" and not where, and not whether real UTF-8 characters came before or after.
 */
class Utf8Check {
  offset = 0; // bytes seen
  multibyte = 0; // well-formed sequences of 2 to 4 bytes
  firstInvalid = -1; // offset of the first byte that starts no well-formed sequence
  private need = 0; // continuation bytes still expected
  private lo = 0x80; // the next continuation byte's range (narrower after E0, ED, F0 and F4)
  private hi = 0xbf;
  private start = 0; // offset of the sequence being read

  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length;) {
      const b = bytes[i]!;
      if (this.need > 0) {
        if (b >= this.lo && b <= this.hi) {
          this.lo = 0x80;
          this.hi = 0xbf;
          if (--this.need === 0) this.multibyte++;
          i++;
          continue;
        }
        this.invalid(this.start); // a sequence cut short: this byte is read again as a lead byte
        this.need = 0;
        continue;
      }
      const at = this.offset + i;
      if (b >= 0x80) {
        this.start = at;
        if (b >= 0xc2 && b <= 0xdf) this.expect(1, 0x80, 0xbf);
        else if (b >= 0xe0 && b <= 0xef) this.expect(2, b === 0xe0 ? 0xa0 : 0x80, b === 0xed ? 0x9f : 0xbf);
        else if (b >= 0xf0 && b <= 0xf4) this.expect(3, b === 0xf0 ? 0x90 : 0x80, b === 0xf4 ? 0x8f : 0xbf);
        else this.invalid(at);
      }
      i++;
    }
    this.offset += bytes.length;
  }

  /** After the last chunk: a sequence cut off by the end is not UTF-8. */
  end(): void {
    if (this.need > 0) this.invalid(this.start);
    this.need = 0;
  }

  private expect(need: number, lo: number, hi: number): void {
    this.need = need;
    this.lo = lo;
    this.hi = hi;
  }

  private invalid(at: number): void {
    if (this.firstInvalid < 0) this.firstInvalid = at;
  }
}

/**
 * Finds the encoding of bytes pushed in chunks, in order: UTF-16 (LE or BE) or UTF-8 by a byte-order mark, else UTF-8
 * when every byte is valid UTF-8, else Windows-1252 (what older Gutenberg files use: no multibyte character, some bytes
 * 0x80-0xFF). A file with UTF-8 characters and also a byte that is not UTF-8 mixes encodings: decoding it as
 * Windows-1252 would turn every one of its UTF-8 characters into two or three wrong ones, silently, so it is refused
 * with the offset of that byte. Throws for binary content too: a NUL byte, or mostly control bytes at the start
 * (binaryReason; UTF-16 text is checked for NUL characters once decoded).
 */
export class EncodingSniffer {
  private bom: ReturnType<typeof byteOrderMark> = null;
  private first = true;
  private readonly utf8 = new Utf8Check();

  constructor(private readonly what: string) {}

  private get utf16(): boolean {
    return this.bom?.encoding === 'utf-16le' || this.bom?.encoding === 'utf-16be';
  }

  push(chunk: Uint8Array): void {
    if (this.first) this.bom = byteOrderMark(chunk);
    if (!this.utf16) {
      const reason = binaryReason(chunk, this.first);
      if (reason !== null) throw notText(this.what, reason);
      this.utf8.push(chunk);
    }
    this.first = false;
  }

  /** The encoding, once every chunk was pushed. */
  end(): TextEncoding {
    if (this.utf16) return this.bom!.encoding;
    this.utf8.end();
    const { firstInvalid, multibyte } = this.utf8;
    if (firstInvalid >= 0 && multibyte > 0) {
      throw new Error(`${this.what} mixes encodings: it holds ${multibyte} UTF-8 character${multibyte > 1 ? 's' : ''} but the byte at offset ${firstInvalid} ` +
        'is not UTF-8; save it as UTF-8 (for example iconv -f windows-1252 -t utf-8 on the part that is not)');
    }
    if (this.bom) return this.bom.encoding;
    return firstInvalid < 0 ? 'utf-8' : 'windows-1252';
  }
}

/**
 * Decodes a text file's bytes: the encoding EncodingSniffer finds (a byte-order mark, else UTF-8 when valid, else
 * Windows-1252). Throws for binary files.
 */
export function decodeText(bytes: Uint8Array, what = 'the file'): { text: string; encoding: TextEncoding } {
  const sniffer = new EncodingSniffer(what);
  sniffer.push(bytes);
  const encoding = sniffer.end();
  const text = chunkDecoder(encoding)(bytes, true);
  if ((encoding === 'utf-16le' || encoding === 'utf-16be') && text.includes('\0')) throw notText(what, 'it has a NUL character');
  return { text, encoding };
}

const START = /^\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG E-?BOOK.*$/im;
const END = /^\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG E-?BOOK.*$/im;
const END_LINE = /^End of (the )?Project Gutenberg('s)?.*$/im;

/**
 * The body of a Project Gutenberg file: the text between the "*** START OF ..." and "*** END OF ..." lines, without
 * the "End of the Project Gutenberg EBook ..." line before the end marker. Text without the markers is returned as is.
 */
export function stripGutenberg(text: string): { text: string; stripped: boolean } {
  const start = START.exec(text);
  if (!start) return { text, stripped: false };
  let body = text.slice(start.index + start[0].length);
  const end = END.exec(body);
  if (end) body = body.slice(0, end.index);
  const endLine = END_LINE.exec(body);
  if (endLine) body = body.slice(0, endLine.index);
  return { text: body, stripped: true };
}

/** How far into a text the "*** START OF" line is looked for when reading it in pieces (headers are a few KB). */
const START_WITHIN = 1 << 20;

/**
 * stripGutenberg for a text read in pieces: push() pieces, end(); the body goes to emit as it is found. Equal to
 * stripGutenberg on the whole text when the start line is within its first MiB (else the text is kept whole, as a
 * text without markers).
 */
export class GutenbergFilter {
  // header: looking for the start line; body: between the markers; plain: no start line early, all passes; done
  private state: 'header' | 'body' | 'plain' | 'done' = 'header';
  private buffer = ''; // header: the text so far; body: the unfinished last line
  /** True once a start line was found. */
  stripped = false;

  /** True once the end line was found: later pieces are dropped, so a reader may stop reading. */
  get done(): boolean {
    return this.state === 'done';
  }

  constructor(private readonly emit: (piece: string) => void) {}

  push(piece: string): void {
    if (this.state === 'plain') return this.emit(piece);
    if (this.state === 'done') return;
    this.buffer += piece;
    if (this.state === 'header') {
      // look only at complete lines, so that a start line cut by a piece is seen whole
      const start = START.exec(this.buffer.slice(0, this.buffer.lastIndexOf('\n') + 1));
      if (start) {
        this.stripped = true;
        this.state = 'body';
        this.buffer = this.buffer.slice(start.index + start[0].length);
      } else {
        if (this.buffer.length > START_WITHIN) {
          this.state = 'plain';
          this.emit(this.buffer);
          this.buffer = '';
        }
        return;
      }
    }
    const lineEnd = this.buffer.lastIndexOf('\n');
    if (lineEnd < 0) return;
    const lines = this.buffer.slice(0, lineEnd + 1);
    this.buffer = this.buffer.slice(lineEnd + 1);
    this.body(lines);
  }

  end(): void {
    if (this.state === 'header') this.emit(this.buffer);
    else if (this.state === 'body') this.body(this.buffer);
    this.state = 'done';
    this.buffer = '';
  }

  /** Emits body text up to the first end line (which ends the body). */
  private body(lines: string): void {
    const ends = [END.exec(lines), END_LINE.exec(lines)].filter((m) => m !== null);
    if (ends.length === 0) return this.emit(lines);
    this.emit(lines.slice(0, Math.min(...ends.map((m) => m.index))));
    this.state = 'done';
  }
}

/**
 * A text's body as pieces again: the pieces of source() through a GutenbergFilter. rnnlm train (through loadCorpus)
 * and rnnlm eval both read files through this, so a model is scored on exactly the tokens it was trained on.
 * `stripped` says whether the last pass found a start line; reading stops at the end line (the licence after it is
 * never read). Stopping early (a corpus limit) closes the source.
 */
export function gutenbergBody(source: () => AsyncIterable<string>): { pieces: () => AsyncGenerator<string>; stripped: boolean } {
  const body = {
    stripped: false,
    async *pieces(): AsyncGenerator<string> {
      const out: string[] = [];
      const filter = new GutenbergFilter((piece) => void (piece !== '' && out.push(piece)));
      for await (const piece of source()) {
        filter.push(piece);
        body.stripped = filter.stripped;
        yield* out.splice(0);
        if (filter.done) return;
      }
      filter.end();
      yield* out.splice(0);
    },
  };
  return body;
}
