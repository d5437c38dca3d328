// The Text card's source: the text area, filled by pasting, by opening a file or by downloading a URL (within the
// page's limits: MAX_FILE_BYTES, and URL_IDLE_SECONDS without a byte), and the line under it that says how long the
// text is and how much of it the book's preprocessing would drop; also how a run's text is described once it starts.
import { BOOK_TOKENIZATION, decodeText, TokenStream } from '../src/browser.js';
import type { TextChoice } from './protocol.js';
import { $, count, fileBytes, MAX_FILE_BYTES, tooBig, URL_IDLE_SECONDS } from './dom.js';
import { inPageWords, setStatus } from './messages.js';

const text = $<HTMLTextAreaElement>('text');

/** The text to train on, as the text area holds it. */
export const currentText = (): string => text.value;

/** Characters (code points) of a text, and those the book's preprocessing drops, counted as training counts them. */
function countText(s: string): { chars: number; dropped: number } {
  const stream = new TokenStream(BOOK_TOKENIZATION, () => {});
  stream.push(s);
  stream.end();
  return { chars: stream.chars, dropped: stream.dropped };
}

const DROPPED_WHAT = '(digits, punctuation, other scripts)';

/** The text's size, and (for book text) how much of it the book's preprocessing would drop. */
export function describeText(): void {
  if (!text.value) {
    $('text-info').textContent = '';
    return;
  }
  const { chars, dropped } = countText(text.value);
  const book = $<HTMLSelectElement>('textMode').value === 'book';
  $('text-info').textContent = `${count(chars)} characters` + (book && dropped > 0
    ? `; the book's preprocessing would drop ${count(dropped)} of them ${DROPPED_WHAT}; choose raw text to keep them` : '');
}

/** What the book's preprocessing dropped from the text a run read; '' when nothing (or raw text). */
export function droppedNote(m: { text: TextChoice['text']; chars: number; dropped: number }): string {
  return m.text === 'book' && m.dropped > 0
    ? `the book's preprocessing dropped ${count(m.dropped)} of ${count(m.chars)} characters read ${DROPPED_WHAT}; choose raw text to keep them` : '';
}

/** How a model reads its text: "book text, char tokens". */
export const tokenization = (m: TextChoice): string => `${m.text} text, ${m.tokens} tokens`;

/** The file or download's bytes as text (UTF-8, UTF-16 with a byte-order mark, or Windows-1252); binary files refused. */
function readText(bytes: ArrayBuffer, name: string): string {
  try {
    return decodeText(new Uint8Array(bytes), name).text;
  } catch (e) {
    if (/looks like a binary file/.test((e as Error).message)) throw new Error(`${name} looks like a binary file, not text; choose a text file.`);
    throw e;
  }
}

/** A URL's body, refused above MAX_FILE_BYTES, and given up when no byte comes for URL_IDLE_SECONDS. */
async function download(url: string): Promise<ArrayBuffer> {
  const abort = new AbortController();
  let timer = 0;
  const idle = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => abort.abort(), URL_IDLE_SECONDS * 1000) as unknown as number;
  };
  try {
    idle();
    let res: Response;
    try {
      res = await fetch(url, { signal: abort.signal });
    } catch (e) {
      throw new Error(abort.signal.aborted ? `no answer in ${URL_IDLE_SECONDS} s` : `the request failed (${(e as Error).message})`);
    }
    if (!res.ok) throw new Error(`the server answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    const stated = Number(res.headers.get('content-length') ?? NaN);
    if (stated > MAX_FILE_BYTES) throw tooBig('the page at this URL', stated);
    if (!res.body) return await res.arrayBuffer();
    const reader = res.body.getReader();
    const parts: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      idle();
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch {
        throw new Error(abort.signal.aborted ? `no data for ${URL_IDLE_SECONDS} s` : 'the download broke off');
      }
      if (chunk.done) break;
      size += chunk.value.length;
      if (size > MAX_FILE_BYTES) {
        void reader.cancel();
        throw tooBig('the page at this URL', size);
      }
      parts.push(chunk.value);
    }
    const all = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return all.buffer;
  } finally {
    clearTimeout(timer);
  }
}

/** The card's controls: Load URL, Open file, and the text's description kept up to date as it or its mode changes. */
export function setupTextSource(): void {
  $('load-url').addEventListener('click', async () => {
    const url = $<HTMLInputElement>('url').value;
    setStatus(`loading ${url}...`);
    try {
      text.value = readText(await download(url), 'the page at this URL');
      describeText();
      setStatus(`loaded ${url}`);
    } catch (err) {
      const why = inPageWords((err as Error).message);
      setStatus(/binary file/.test(why) ? why : `cannot load ${url}: ${why} (a local copy works too: open the file)`);
    }
  });
  $<HTMLInputElement>('file').addEventListener('change', async (e) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    input.value = ''; // the same file can be opened again
    try {
      text.value = readText(await fileBytes(file), file.name);
      describeText();
      setStatus(`opened ${file.name}`);
    } catch (err) {
      setStatus(inPageWords((err as Error).message));
    }
  });
  text.addEventListener('input', describeText);
  $('textMode').addEventListener('change', describeText); // a control of the settings form: rendered before this runs
}
