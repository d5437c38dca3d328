// The Checkpoint card's models saved in this browser (web/model-store.ts). "Save in browser" keeps the current model
// under a name (by default the model and the date): the worker makes its checkpoint file, the same bytes Download
// gives (the 'download' of purpose 'store', answered by a 'checkpoint' of that purpose), with the run as of its last
// completed epoch, so saving works between runs and while one trains. The list, read after the first paint (it never
// delays the page's readiness), shows each model's name, text, date and metrics, with Open (its file goes to the
// worker as Open checkpoint sends one: 'load' with the model's name, answered by 'loaded' in web/main.ts), Rename and
// Delete (at once, with Undo). Failures of the browser's storage are one line under the Save button (#saved-error)
// and in the status line.
import type { FromWorker, ModelMetrics, Send } from './protocol.js';
import { $, afterFirstPaint, count } from './dom.js';
import { inPageWords, setStatus } from './messages.js';
import { clearError, showError } from './errors.js';
import { state } from './state.js';
import { currentText } from './text-source.js';
import { PRESETS } from './presets.js';
import {
  deleteModel, listModels, MAX_NAME, modelBytes, renameModel, restoreModel, saveModel,
  type Deleted, type SavedModel, type TextNote, type Unreadable,
} from './model-store.js';

const list = $<HTMLUListElement>('saved-list');
const info = $('saved-info');
const nameInput = $<HTMLInputElement>('save-name');
const notice = $('saved-notice');

let models: (SavedModel | Unreadable)[] = [];
let more = false; // older models than those listed
let send: Send = () => {};
let openAllowed = true; // a saved model opens between runs, as a checkpoint file does
let saving: string | null = null; // the name asked for ('' for the default), while the worker makes the file
let opening: SavedModel | null = null; // the saved model sent to the worker, until it answers
let deleted: { model: Deleted; name: string } | null = null; // what Undo puts back

/** The text in the text area as the list describes it: the preset's name or "your own text", its length and first words. */
export function textNote(): TextNote {
  const text = currentText();
  const preset = $<HTMLSelectElement>('preset').value;
  let chars = 0;
  for (const _ of text) chars++;
  const start = Array.from(text.slice(0, 400).replace(/\s+/g, ' ').trim());
  return { source: PRESETS[preset]?.name ?? 'your own text', excerpt: start.slice(0, 60).join('') + (start.length > 60 ? '…' : ''), chars };
}

/** A run's epochs and last perplexities, as the list and the status line say them. */
export function metricsText(m: ModelMetrics | null): string {
  if (!m) return 'weights only (no run to continue)';
  const ppl = [m.trainPpl === null ? '' : `train ppl ${m.trainPpl.toFixed(2)}`, m.valPpl === null ? '' : `val ppl ${m.valPpl.toFixed(2)}`].filter(Boolean);
  return `${m.epochs} epoch${m.epochs === 1 ? '' : 's'} done${ppl.length > 0 ? `: ${ppl.join(', ')}` : ''}`;
}

const textLine = (t: TextNote): string =>
  `${t.source}${t.chars === null ? '' : `, ${count(t.chars)} characters`}${t.excerpt ? `: “${t.excerpt}”` : ''}`;

/** A date as default names carry it: 2026-05-01 14:03 (local time). */
function stamp(d: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** A name as typed: one line, trimmed, at most MAX_NAME characters. */
const cleanName = (s: string): string => Array.from(s.replace(/\s+/g, ' ').trim()).slice(0, MAX_NAME).join('').trim();

/** An error of the saved models: under the Save button and in the status line. */
function fail(what: string, e: unknown): void {
  const message = `error: ${what}: ${inPageWords(e instanceof Error ? e.message : String(e))}`;
  showError('saved', message);
  setStatus(message);
}

function button(text: string, label: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.setAttribute('aria-label', label);
  b.setAttribute('aria-describedby', 'saved-error');
  b.addEventListener('click', onClick);
  return b;
}

function line(className: string, text: string): HTMLElement {
  const el = document.createElement('span');
  el.className = className;
  el.textContent = text;
  return el;
}

/** One saved model in the list: what it is, and its buttons. */
function item(m: SavedModel | Unreadable): HTMLLIElement {
  const li = document.createElement('li');
  li.className = 'saved';
  const about = document.createElement('div');
  about.className = 'saved-about';
  const buttons = document.createElement('div');
  buttons.className = 'buttons';
  li.append(about, buttons);
  if ('unreadable' in m) {
    about.append(line('saved-name', 'an unreadable record'), line('saved-detail', 'not a model this page saved, or damaged: delete it'));
    buttons.append(button('Delete', 'Delete the unreadable record', () => void remove(m.id, 'the unreadable record')));
    return li;
  }
  li.dataset['id'] = String(m.id);
  const when = document.createElement('time');
  when.dateTime = m.savedAt.toISOString();
  when.textContent = m.savedAt.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const detail = line('saved-detail', '');
  detail.append('saved ', when, ` · ${metricsText(m.metrics)}`);
  about.append(line('saved-name', m.name), line('saved-detail', m.model), line('saved-detail saved-text', textLine(m.text)), detail);
  const open = button('Open', `Open ${m.name}`, () => void openSaved(m));
  open.classList.add('open');
  open.disabled = !openAllowed;
  if (!openAllowed) open.title = 'a model opens between runs: stop the run first';
  buttons.append(open, button('Rename', `Rename ${m.name}`, () => startRename(li, m)), button('Delete', `Delete ${m.name}`, () => void remove(m.id, m.name)));
  return li;
}

/** Shows the list as read; `focus`: the model whose button takes the focus (one just put back or renamed). */
function render(focus?: { id: number; button: 'open' | 'rename' }): void {
  list.replaceChildren(...models.map(item));
  info.textContent = models.length === 0 ? 'no model saved in this browser yet'
    : more ? `the ${models.length} latest saved are listed; delete some to see older ones` : '';
  if (focus) {
    const li = list.querySelector<HTMLLIElement>(`li[data-id="${focus.id}"]`);
    li?.querySelectorAll<HTMLButtonElement>('button')[focus.button === 'open' ? 0 : 1]?.focus();
  }
}

/** Reads the list from the browser's storage again. */
async function refresh(focus?: { id: number; button: 'open' | 'rename' }): Promise<void> {
  try {
    ({ models, more } = await listModels());
    list.dataset['state'] = 'listed';
    render(focus);
  } catch (e) {
    models = [];
    list.replaceChildren();
    list.dataset['state'] = 'unavailable';
    info.textContent = `saved models are not available: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** Sends a saved model's file to the worker, as Open checkpoint sends a file. */
async function openSaved(m: SavedModel): Promise<void> {
  if (!openAllowed) return;
  try {
    const bytes = await modelBytes(m);
    if (!openAllowed) return; // a run started meanwhile
    opening = m;
    send({ type: 'load', bytes, name: m.name, source: 'saved' }, [bytes]);
  } catch (e) {
    fail(`cannot open ${m.name}`, e);
  }
}

/** Renames in place: the name becomes a field (Enter saves, Escape cancels). */
function startRename(li: HTMLLIElement, m: SavedModel): void {
  const form = document.createElement('form');
  form.className = 'rename';
  const input = document.createElement('input');
  input.value = m.name;
  input.maxLength = MAX_NAME;
  input.setAttribute('aria-label', `new name for ${m.name}`);
  const ok = document.createElement('button');
  ok.type = 'submit';
  ok.textContent = 'Save name';
  const cancel = button('Cancel', `Cancel renaming ${m.name}`, () => render({ id: m.id, button: 'rename' }));
  form.append(input, ok, cancel);
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') render({ id: m.id, button: 'rename' });
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const name = cleanName(input.value);
    if (!name) return void input.focus();
    void (async () => {
      try {
        await renameModel(m, name);
        clearError('saved');
        await refresh({ id: m.id, button: 'rename' });
        setStatus(`renamed ${m.name} to ${name}`);
      } catch (err) {
        fail(`cannot rename ${m.name}`, err);
        await refresh({ id: m.id, button: 'rename' });
      }
    })();
  });
  li.querySelector('.saved-name')?.replaceWith(form);
  input.focus();
  input.select();
}

/** Deletes a saved model at once, offering Undo (which takes the focus). */
async function remove(id: IDBValidKey, name: string): Promise<void> {
  try {
    const model = await deleteModel(id);
    deleted = { model, name };
    clearError('saved');
    const undo = button('Undo', `Undo deleting ${name}`, () => void undoDelete());
    notice.replaceChildren(`deleted ${name} `, undo);
    await refresh();
    undo.focus();
    setStatus(`deleted ${name} from this browser`);
  } catch (e) {
    fail(`cannot delete ${name}`, e);
  }
}

async function undoDelete(): Promise<void> {
  if (!deleted) return;
  const { model, name } = deleted;
  try {
    await restoreModel(model);
    deleted = null;
    notice.replaceChildren();
    clearError('saved');
    await refresh(typeof model.id === 'number' ? { id: model.id, button: 'open' } : undefined);
    setStatus(`put back ${name}`);
  } catch (e) {
    fail(`cannot put back ${name}`, e);
  }
}

/** Save in browser: asks the worker for the current model's file (storeCheckpoint saves it). */
function askToSave(): void {
  if (saving !== null) return; // one at a time
  saving = cleanName(nameInput.value);
  send({ type: 'download', purpose: 'store' });
}

/** Saves the checkpoint the worker made for Save in browser, with what the page knows of its text. */
export async function storeCheckpoint(m: Extract<FromWorker, { type: 'checkpoint' }>): Promise<void> {
  const savedAt = new Date();
  const name = saving || `${m.label}, ${stamp(savedAt)}`;
  const text = state.modelText ?? { source: 'not known', excerpt: '', chars: null };
  try {
    const saved = await saveModel({ name, savedAt, text, model: m.model, metrics: m.metrics }, m.bytes);
    nameInput.value = '';
    deleted = null;
    notice.replaceChildren();
    clearError('saved');
    await refresh();
    setStatus(`saved ${saved.name} in this browser (${metricsText(saved.metrics)})`);
  } catch (e) {
    fail(`cannot save ${name}`, e);
  } finally {
    saving = null;
  }
}

/**
 * The worker refused a request of this view (opening a saved model, or making the file to save): the error goes under
 * the Save button, not Download's. False when the request was not this view's.
 */
export function savedRequestFailed(e: Extract<FromWorker, { type: 'error' }>, message: string): boolean {
  if (e.of === 'load' && e.source === 'saved') opening = null;
  else if (e.of === 'download' && e.purpose === 'store') saving = null;
  else return false;
  showError('saved', message);
  return true;
}

/** The worker opened the saved model this view sent: the text it trained on (null when none was pending). */
export function takeOpened(): TextNote | null {
  const m = opening;
  if (!m) return null;
  opening = null;
  clearError('saved');
  return m.text;
}

/** Saved models open between runs only. */
export function allowOpeningSaved(on: boolean): void {
  openAllowed = on;
  list.querySelectorAll<HTMLButtonElement>('button.open').forEach((b) => {
    b.disabled = !on;
    b.title = on ? '' : 'a model opens between runs: stop the run first';
  });
}

/** The Save button, and the list read once the page has painted. */
export function setupSavedModels(sendToWorker: Send): void {
  send = sendToWorker;
  $('save').addEventListener('click', askToSave);
  nameInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !$<HTMLButtonElement>('save').disabled) askToSave();
  });
  void afterFirstPaint().then(() => refresh());
}
