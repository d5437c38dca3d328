// The models saved in this browser: a small IndexedDB store (its raw API, no dependency). Each model is two records
// under one key: its description in MODELS (name, date, the text it trained on, the model, its run's metrics), which
// the list reads, and its checkpoint file in FILES (exactly the bytes Download gives), read only to open it. What is
// read back is checked before use: a description of the wrong shape is listed as unreadable (it can be deleted), and
// a file is handed over only as bytes within MAX_FILE_BYTES (the worker's decodeCheckpoint checks the rest). Failures
// (no IndexedDB, as in some private windows; the storage full) become a StoreError in the page's words.
import type { ModelMetrics } from './protocol.js';
import { MAX_FILE_BYTES } from './dom.js';

/** The text a model trained on, as the list says it. */
export interface TextNote {
  source: string; // 'The Time Machine', 'your own text', or where the model came from when the text is not known
  excerpt: string; // its first characters ('' when not known)
  chars: number | null; // its length in characters (code points); null when not known
}

/** A saved model's description (its file is kept apart, and read only to open it). */
export interface SavedModel {
  id: number;
  name: string;
  savedAt: Date;
  text: TextNote;
  model: string; // 'gru, 32 hidden units, vocabulary 28, book text, char tokens'
  metrics: ModelMetrics | null; // null: weights only, no run
  size: number; // bytes of its checkpoint file
}

/** A record that is not a saved model's description (written by something else, or damaged): it can only be deleted. */
export interface Unreadable {
  id: IDBValidKey;
  unreadable: true;
}

/** A deleted model, kept by the page so that it can be put back (Undo). */
export interface Deleted {
  id: IDBValidKey;
  description: unknown;
  file: unknown;
}

/** The database's name and stores (the browser tests write into them). */
export const DB_NAME = 'rnnlm-page';
export const MODELS = 'models';
export const FILES = 'files';
/** The most descriptions the list reads, and the longest text any of their fields may have. */
export const MAX_LISTED = 500;
const MAX_FIELD = 1000;
export const MAX_NAME = 100;

/** A failure of the browser's storage, in the page's words. */
export class StoreError extends Error {}

/** The browser's error as the page says it: no storage here, storage full, or what the browser said. */
function inPageWords(e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  const name = e instanceof DOMException ? e.name : '';
  if (name === 'QuotaExceededError') {
    return new StoreError("the browser's storage for this page is full: delete saved models, or download the checkpoint instead");
  }
  if (name === 'InvalidStateError' || name === 'SecurityError' || name === 'NotAllowedError') {
    return new StoreError('this browser does not let the page keep models (a private window, or site data turned off): download the checkpoint instead');
  }
  const why = e instanceof Error ? e.message || e.name : String(e);
  return new StoreError(`the browser's storage failed (${why.replace(/\s+/g, ' ').slice(0, 200)})`);
}

let opened: Promise<IDBDatabase> | null = null;

/** The database, opened (and created) once; a failed opening is tried again next time. */
function database(): Promise<IDBDatabase> {
  if (opened) return opened;
  const current: Promise<IDBDatabase> = new Promise<IDBDatabase>((resolve, reject) => {
    if (typeof indexedDB === 'undefined' || indexedDB === null) {
      throw new StoreError('this browser has no storage for the page (IndexedDB is off, as in some private windows): download the checkpoint instead');
    }
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(MODELS)) db.createObjectStore(MODELS, { keyPath: 'id', autoIncrement: true });
      if (!db.objectStoreNames.contains(FILES)) db.createObjectStore(FILES);
    };
    request.onsuccess = () => {
      const db = request.result;
      // a newer page in another tab upgrades it, or the browser closes it: the next use opens it again
      const forget = (): void => {
        if (opened === current) opened = null;
      };
      db.onversionchange = () => {
        db.close();
        forget();
      };
      db.onclose = forget;
      resolve(db);
    };
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new StoreError('another tab of this page holds the saved models: close it and try again'));
  }).catch((e: unknown) => {
    if (opened === current) opened = null;
    throw inPageWords(e);
  });
  opened = current;
  return current;
}

/** Runs `work` in one transaction over `stores`; resolves with its result once the transaction has committed. */
async function transaction<T>(stores: string[], mode: IDBTransactionMode, work: (tx: IDBTransaction) => Promise<T> | T): Promise<T> {
  const db = await database();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(stores, mode);
      let result: T;
      tx.oncomplete = () => resolve(result);
      // the failed request's error: the transaction's own is set only when it aborts, after this event
      tx.onerror = (ev) => reject((ev.target as IDBRequest | null)?.error ?? tx.error ?? new StoreError('the browser\'s storage refused the change'));
      tx.onabort = () => reject(tx.error ?? new StoreError('the browser stopped the change to its storage'));
      let working: Promise<T>;
      try {
        working = Promise.resolve(work(tx)); // now, while the transaction is active
      } catch (e) {
        working = Promise.reject(e);
      }
      working.then((r) => (result = r), (e: unknown) => {
        try {
          tx.abort();
        } catch { /* already over */ }
        reject(e);
      });
    });
  } catch (e) {
    throw inPageWords(e);
  }
}

/** A request's result. */
const done = <T>(r: IDBRequest<T>): Promise<T> => new Promise((resolve, reject) => {
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
});

const isText = (x: unknown, max = MAX_FIELD): x is string => typeof x === 'string' && x.length <= max;
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isPpl = (x: unknown): x is number | null => x === null || (typeof x === 'number' && Number.isFinite(x) && x > 0);
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

/** A description read back, checked field by field; null when it is not one the page wrote. */
export function readDescription(key: IDBValidKey, x: unknown): SavedModel | null {
  if (!isObject(x) || typeof key !== 'number' || !Number.isSafeInteger(key) || key < 1 || x['id'] !== key) return null;
  const { name, savedAt, text, model, metrics, size } = x;
  if (!isText(name, MAX_NAME) || name.trim() === '' || !(savedAt instanceof Date) || Number.isNaN(savedAt.getTime())) return null;
  if (!isObject(text) || !isText(text['source']) || !isText(text['excerpt']) || !(text['chars'] === null || isCount(text['chars']))) return null;
  if (!isText(model) || !isCount(size) || size > MAX_FILE_BYTES) return null;
  if (metrics !== null && (!isObject(metrics) || !isCount(metrics['epochs']) || !isPpl(metrics['trainPpl']) || !isPpl(metrics['valPpl']))) return null;
  return {
    id: key, name, savedAt: new Date(savedAt.getTime()), model, size,
    text: { source: text['source'] as string, excerpt: text['excerpt'] as string, chars: text['chars'] as number | null },
    metrics: metrics === null ? null : { epochs: metrics['epochs'] as number, trainPpl: metrics['trainPpl'] as number | null, valPpl: metrics['valPpl'] as number | null },
  };
}

/**
 * The saved models, newest first (their descriptions only), those unreadable after them; at most MAX_LISTED, the
 * latest saved (`more`: there are older ones).
 */
export async function listModels(): Promise<{ models: (SavedModel | Unreadable)[]; more: boolean }> {
  const found = await transaction([MODELS], 'readonly', (tx) => new Promise<{ models: (SavedModel | Unreadable)[]; more: boolean }>((resolve, reject) => {
    const models: (SavedModel | Unreadable)[] = [];
    const cursor = tx.objectStore(MODELS).openCursor(null, 'prev'); // the keys count up: the latest saved first
    cursor.onerror = () => reject(cursor.error);
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (!c || models.length >= MAX_LISTED) return resolve({ models, more: c !== null });
      models.push(readDescription(c.primaryKey, c.value) ?? { id: c.primaryKey, unreadable: true });
      c.continue();
    };
  }));
  const time = (m: SavedModel | Unreadable): number => ('unreadable' in m ? 0 : m.savedAt.getTime());
  found.models.sort((a, b) => time(b) - time(a));
  return found;
}

/** Saves a model and its checkpoint file (one transaction: both or neither); gives its description, with its id. */
export async function saveModel(model: Omit<SavedModel, 'id' | 'size'>, bytes: Uint8Array): Promise<SavedModel> {
  if (bytes.length > MAX_FILE_BYTES) throw new StoreError('the model is larger than the page keeps: download the checkpoint instead');
  const record = { ...model, size: bytes.length };
  const id = await transaction([MODELS, FILES], 'readwrite', async (tx) => {
    const key = await done(tx.objectStore(MODELS).add(record));
    tx.objectStore(FILES).put(bytes, key);
    return key;
  });
  return { ...record, id: id as number };
}

/** A saved model's checkpoint file, as bytes the worker can take (checked: bytes, within MAX_FILE_BYTES). */
export async function modelBytes(m: SavedModel): Promise<ArrayBuffer> {
  const file = await transaction([FILES], 'readonly', (tx) => done(tx.objectStore(FILES).get(m.id) as IDBRequest<unknown>));
  const size = file instanceof ArrayBuffer || ArrayBuffer.isView(file) ? file.byteLength : -1;
  if (size < 0 || size > MAX_FILE_BYTES) throw new StoreError(`the file of ${m.name} is missing or unreadable in the browser's storage: delete it`);
  if (file instanceof ArrayBuffer) return file;
  const view = file as ArrayBufferView;
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice().buffer;
}

/** Renames a saved model; gives its description as now stored. */
export async function renameModel(m: SavedModel, name: string): Promise<SavedModel> {
  return transaction([MODELS], 'readwrite', async (tx) => {
    const store = tx.objectStore(MODELS);
    const now = readDescription(m.id, await done(store.get(m.id) as IDBRequest<unknown>));
    if (!now) throw new StoreError(`${m.name} is no longer in the browser's storage`);
    const renamed = { ...now, name };
    store.put(renamed);
    return renamed;
  });
}

/** Deletes a saved model (its description and file, readable or not); gives what Undo puts back. */
export async function deleteModel(id: IDBValidKey): Promise<Deleted> {
  return transaction([MODELS, FILES], 'readwrite', async (tx) => {
    const [models, files] = [tx.objectStore(MODELS), tx.objectStore(FILES)];
    const [description, file] = await Promise.all([done(models.get(id) as IDBRequest<unknown>), done(files.get(id) as IDBRequest<unknown>)]);
    models.delete(id);
    files.delete(id);
    return { id, description, file };
  });
}

/** Puts a deleted model back, as it was. */
export async function restoreModel(d: Deleted): Promise<void> {
  await transaction([MODELS, FILES], 'readwrite', (tx) => {
    if (d.description !== undefined) tx.objectStore(MODELS).put(d.description);
    if (d.file !== undefined) tx.objectStore(FILES).put(d.file, d.id);
  });
}
