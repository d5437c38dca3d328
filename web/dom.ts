// The page's small helpers for its elements and numbers: an element by id, a control's number, a control turned on
// or off with the reason in its tooltip, counts and durations as people read them, the size of file it opens, and the
// moment after the first paint (when the page fetches what its first load leaves out).

/** The element with this id; a missing one is a bug in the page, so it throws. */
export const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
};

/** A number input's value (NaN or 0 when empty, as Number reads it). */
export function number(id: string): number {
  return Number($<HTMLInputElement>(id).value);
}

/** A control an opened run's settings hold (web/settings-view.ts): nothing but "Change settings" turns it on or changes it. */
export const isLocked = (el: HTMLElement): boolean => el.dataset['locked'] === 'true';

/** Turns a control and its label on or off, saying why in its title when off (and its hint again when on); a locked one stays off. */
export function enable(id: string, on: boolean, why: string): void {
  const input = $<HTMLInputElement>(id);
  if (on && isLocked(input)) return;
  input.disabled = !on;
  const label = input.closest('label');
  label?.classList.toggle('off', !on);
  for (const el of [input, label]) {
    if (!el) continue;
    el.dataset['hint'] ??= el.title;
    if (!on) el.title = why;
    else if (el.dataset['hint']) el.title = el.dataset['hint'];
    else el.removeAttribute('title'); // no title of its own: its label's shows
  }
}

export const count = (n: number): string => n.toLocaleString('en-US');

/** A duration as people say it: "40 s", "3 min 20 s", "2 h 5 min". */
export function duration(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  const m = Math.round(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** The largest file the page opens (a text or a checkpoint), and the longest wait for a URL's next bytes. */
export const MAX_FILE_BYTES = 1024 ** 3;
export const URL_IDLE_SECONDS = 30;

const megabytes = (n: number): string => `${(n / 1024 ** 2).toFixed(n < 10 * 1024 ** 2 ? 1 : 0)} MB`;
export const tooBig = (name: string, size: number): Error =>
  new Error(`${name} is ${megabytes(size)}, more than the ${megabytes(MAX_FILE_BYTES)} the page opens`);

/** A chosen file's bytes, refused above MAX_FILE_BYTES (before reading them: a huge file would fill the tab's memory). */
export async function fileBytes(file: File): Promise<ArrayBuffer> {
  if (file.size > MAX_FILE_BYTES) throw tooBig(file.name, file.size);
  return await file.arrayBuffer();
}

/** Resolves once the page has painted (a task after the next frame), or after a second in a hidden tab, which draws no frames. */
export const afterFirstPaint = (): Promise<void> => new Promise((resolve) => {
  requestAnimationFrame(() => setTimeout(resolve, 0));
  setTimeout(resolve, 1000);
});
