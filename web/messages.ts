// The page's status line, and the library's messages in the page's own words: its control names, never a CLI flag
// (the library's messages are written for the command line, whose flags the page does not have). Generation's
// option errors come already in the page's words: the worker reads them with the Generate card's labels (OptionError).
import { FIELD_LABELS } from './form.js';
import { $ } from './dom.js';

const status = $<HTMLSpanElement>('status');

/** The page's names of TrainConfig fields and CLI flags (from the schema), for the library's messages. */
const LABELS: Record<string, string> = { ...FIELD_LABELS, layers: 'layers', lr_schedule: 'schedule', prefix: 'prefix' };

/** A library message in the page's words, on one line: the page's control names, never a CLI flag. */
export function inPageWords(message: string): string {
  let m = message.replace(/\s+/g, ' ').trim();
  const tooShort = /^the text is too short: (.+?), but numTrain \+ numVal = (\d+)/.exec(m);
  if (tooShort) {
    return `the text is too short: ${tooShort[1]!}, but training + validation windows = ${tooShort[2]!}; ` +
      'choose fewer training or validation windows, or split "full", or use a longer text';
  }
  if (/^the text is too short: .* leave no training window/.test(m)) return `${m}; choose fewer steps or use a longer text`;
  if (/^the text has no letters/.test(m)) {
    return 'the text has no letters A-Z or a-z, the only ones book text keeps; choose text "raw" to keep every character';
  }
  m = m.replace(/^(\w+)(?= must be)/, (field) => LABELS[field] ?? field);
  // no CLI flag names: "--num-train" becomes "training windows"
  return m.replace(/--([a-z][a-z-]*)/g, (_, flag: string) => `"${LABELS[flag] ?? flag.replace(/-/g, ' ')}"`).replace(/--/g, '-');
}

/** Shows a status, on one line. */
export function setStatus(s: string): void {
  status.textContent = s.replace(/\s+/g, ' ');
}

/** The status shown now. */
export const statusText = (): string => status.textContent ?? '';
