// The probability view: what the model expects after the prefix. While the prefix is typed (150 ms after the last
// key), and whenever the model changes (opened, trained an epoch), the worker reads the prefix with the current model
// (the library's startSession) and answers the 10 most likely next tokens; they show as 10 bars in a list whose items
// read as text ('"e" 31.2%'; a space shows as '␣' and is read as "space"). A prefix the model cannot read (no token
// it knows) is said beside the prefix, as are its tokens that the model lacks (it reads them as <unk>).
import type { FromWorker, NextToken, Send } from './protocol.js';
import { $ } from './dom.js';
import { inPageWords } from './messages.js';

/** Bars shown, and the wait after a key before asking. */
const K = 10;
const DEBOUNCE_MS = 150;

const prefix = $<HTMLInputElement>('prefix');
const list = $<HTMLOListElement>('next-tokens');
const note = $('prefix-error');
let send: Send | null = null;
let hasModel = false;
let asked = 0; // the latest request: an earlier answer is dropped
let timer: ReturnType<typeof setTimeout> | undefined;

/** Whitespace as people can see it, and as a screen reader says it. */
const VISIBLE: Readonly<Record<string, [string, string]>> = { ' ': ['␣', 'space'], '\n': ['↵', 'new line'], '\t': ['⇥', 'tab'], '\r': ['␍', 'carriage return'] };

/** Asks the worker for the next tokens after the prefix as it is now (once a model is there). */
function ask(): void {
  clearTimeout(timer);
  if (send && hasModel) send({ type: 'next-tokens', id: ++asked, prefix: prefix.value, k: K });
}

/** Listens to the prefix box: `send` asks the worker. */
export function setupProbabilityView(s: Send): void {
  send = s;
  prefix.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(ask, DEBOUNCE_MS);
  });
}

/** A model is open, or its weights changed: the bars are asked for again. */
export function modelChanged(): void {
  hasModel = true;
  ask();
}

/** A token's row: its text (whitespace made visible), its bar, its percentage. */
function row({ token, p }: NextToken): HTMLLIElement {
  const li = document.createElement('li');
  li.dataset['p'] = String(p);
  li.dataset['token'] = token;
  const name = document.createElement('span');
  name.className = 'token';
  const spoken = VISIBLE[token];
  if (spoken) {
    const shown = document.createElement('span');
    shown.setAttribute('aria-hidden', 'true');
    shown.textContent = `"${spoken[0]}"`;
    const said = document.createElement('span');
    said.className = 'visually-hidden';
    said.textContent = spoken[1];
    name.append(shown, said);
  } else {
    name.textContent = `"${token.replace(/\s/g, (c) => VISIBLE[c]?.[0] ?? '·')}"`;
  }
  name.title = name.textContent ?? '';
  const bar = document.createElement('span');
  bar.className = 'bar';
  bar.setAttribute('aria-hidden', 'true');
  const fill = document.createElement('span');
  fill.style.width = `${(100 * p).toFixed(1)}%`;
  bar.append(fill);
  const percent = document.createElement('span');
  percent.className = 'percent';
  percent.textContent = ` ${(100 * p).toFixed(1)}%`;
  li.append(name, bar, percent);
  return li;
}

/** The worker's answer: the bars, or why the prefix cannot be read (beside the prefix). */
export function showNextTokens(m: Extract<FromWorker, { type: 'next-tokens' }>): void {
  if (m.id !== asked) return;
  list.dataset['prefix'] = m.prefix;
  if ('error' in m) {
    list.replaceChildren();
    setNote(`error: ${inPageWords(m.error)}`);
    return;
  }
  list.replaceChildren(...m.top.map(row));
  const quoted = m.unknown.slice(0, 5).map((t) => `'${t}'`).join(', ') + (m.unknown.length > 5 ? ` and ${m.unknown.length - 5} more` : '');
  setNote(m.unknown.length === 0 ? ''
    : `${quoted} ${m.unknown.length === 1 ? 'is' : 'are'} not in this model's vocabulary: the model reads ${m.unknown.length === 1 ? 'it' : 'them'} as <unk>`);
}

/**
 * The note beside the prefix (a live region), written only when it says something new: it is asked again at every
 * pause in typing and after every epoch, and a screen reader would read the same words each time. A long prefix is
 * shortened in it, so that the note stays one short line.
 */
function setNote(text: string): void {
  const short = text.replace(/'([^']{40})[^']+'/g, "'$1…'");
  if (note.textContent !== short) note.textContent = short;
}
