// The Text card's source: the text area, filled with a text shipped with the page (web/presets.ts; The Time Machine
// when the page opens), by pasting, by opening a file or by downloading a URL (within the page's limits:
// MAX_FILE_BYTES, and URL_IDLE_SECONDS without a byte), and the line under it that says how long the text is and how
// much of it the book's preprocessing would drop; also how a run's text is described once it starts. Errors show
// beside the card's buttons (#text-error) as well as in the status line.
import { BOOK_TOKENIZATION, decodeText, TokenStream } from '../src/browser.js';
import type { TextChoice } from './protocol.js';
import { $, afterFirstPaint, count, fileBytes, isLocked, MAX_FILE_BYTES, tooBig, URL_IDLE_SECONDS } from './dom.js';
import { inPageWords, setStatus } from './messages.js';
import { clearError, showError } from './errors.js';
import { PRESET_CONTROLS, PRESETS } from './presets.js';

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

/** Sets a control of the form as a person would, so that the views that follow it (settings-view.ts) see the change. */
function setControl(id: string, value: string | null): void {
  const el = $<HTMLInputElement | HTMLSelectElement>(id);
  if (isLocked(el)) return; // an opened run's settings stay until "Change settings" frees them
  const v = value ?? (el instanceof HTMLSelectElement ? Array.from(el.options).find((o) => o.defaultSelected)?.value ?? '' : el.defaultValue);
  if (el.value === v) return;
  el.value = v;
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.dispatchEvent(new Event('change', { bubbles: true }));
}

const preset = (): HTMLSelectElement => $<HTMLSelectElement>('preset');

/**
 * Opens a text shipped with the page: its text in the text area, its settings in the form (those another preset set
 * back to their defaults) and a prefix in its script. When the page opens (`opening`), a text already typed is kept
 * and the status line is left to the page's readiness.
 */
let presetRequest = 0; // the latest preset asked for: an earlier one answering later is dropped

export async function openPreset(key: string, opening = false): Promise<void> {
  const p = PRESETS[key];
  if (!p) return;
  const request = ++presetRequest;
  if (opening) await afterFirstPaint(); // the text is not part of the first load
  try {
    const res = await fetch(p.url);
    if (!res.ok) throw new Error(`the page's copy answered HTTP ${res.status}`);
    const body = await res.text();
    if (request !== presetRequest || (opening && text.value !== '')) return;
    text.value = body;
  } catch (err) {
    const why = `cannot open ${p.name}: ${inPageWords((err as Error).message)}; paste a text or open a file`;
    showError('text', why);
    if (!opening) setStatus(why);
    return;
  }
  for (const id of PRESET_CONTROLS) setControl(id, p.settings[id] ?? null);
  setControl('prefix', p.prefix); // the views that follow the prefix (probability-view.ts) see it change
  preset().value = key;
  clearError('text');
  describeText();
  const held = PRESET_CONTROLS.some((id) => isLocked($(id)) && p.settings[id] !== undefined);
  if (!opening) {
    setStatus(`opened ${p.name}${held ? '; its settings were not applied: the form holds the opened run\'s ("Change settings" frees them)'
      : p.why ? `, with ${p.why}` : ''}`);
  }
}

/** The text area no longer holds a shipped text. */
const ownText = (): void => void (preset().value = 'own');

/** The card's controls: the shipped texts, Load URL, Open file, and the text's description kept up to date as it or its mode changes. */
export function setupTextSource(): void {
  preset().addEventListener('change', () => {
    if (preset().value !== 'own') return void openPreset(preset().value);
    text.value = '';
    describeText();
    text.focus();
  });
  $('load-url').addEventListener('click', async () => {
    const url = $<HTMLInputElement>('url').value;
    setStatus(`loading ${url}...`);
    try {
      text.value = readText(await download(url), 'the page at this URL');
      ownText();
      clearError('text');
      describeText();
      setStatus(`loaded ${url}`);
    } catch (err) {
      const why = inPageWords((err as Error).message);
      const message = /binary file/.test(why) ? why : `cannot load ${url}: ${why} (a local copy works too: open the file)`;
      showError('text', message);
      setStatus(message);
    }
  });
  $<HTMLInputElement>('file').addEventListener('change', async (e) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    input.value = ''; // the same file can be opened again
    try {
      text.value = readText(await fileBytes(file), file.name);
      ownText();
      clearError('text');
      describeText();
      setStatus(`opened ${file.name}`);
    } catch (err) {
      const message = inPageWords((err as Error).message);
      showError('text', message);
      setStatus(message);
    }
  });
  text.addEventListener('input', () => {
    ownText();
    describeText();
  });
  $('textMode').addEventListener('change', describeText); // a control of the settings form: rendered before this runs
}
