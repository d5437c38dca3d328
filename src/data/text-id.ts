// What identifies a text, the same in the command line and the page: the SHA-1 of its UTF-8 bytes once decoded
// (UTF-8, UTF-16 or Windows-1252 files alike; a byte-order mark is not part of the text) with every CRLF or lone CR
// line end as LF (a browser's text area turns them into LF). Every checkpoint stores it with its run, and a run
// continues only on the text it trained on (rnnlm train --resume, the page's Continue).
import { Sha1 } from '../util/sha1.js';

/** The identity of a text pushed in pieces (a file read in chunks): a CR at a piece's end waits for the next. */
export class TextIdentity {
  private readonly hash = new Sha1();
  private readonly encoder = new TextEncoder();
  private pendingCR = false;

  push(piece: string): void {
    if (piece === '') return;
    let text = (this.pendingCR ? '\r' : '') + piece;
    this.pendingCR = text.endsWith('\r');
    if (this.pendingCR) text = text.slice(0, -1);
    this.hash.update(this.encoder.encode(text.replace(/\r\n?/g, '\n')));
  }

  /** The identity: 40 hex digits. */
  end(): string {
    if (this.pendingCR) this.hash.update(this.encoder.encode('\n'));
    this.pendingCR = false;
    return this.hash.hex();
  }
}

/** The identity of a whole text. */
export function textIdentity(text: string): string {
  const id = new TextIdentity();
  id.push(text);
  return id.end();
}
