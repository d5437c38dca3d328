// The page's status line, and the library's messages in the page's own words: its control names, never a CLI flag
// (the library's messages are written for the command line, whose flags the page does not have).
import { FIELD_LABELS } from './form.js';
import { GENERATION_LABELS } from './generation-options.js';
import { $ } from './dom.js';

const status = $<HTMLSpanElement>('status');

/** The page's names of TrainConfig fields and CLI flags (from the schema), for the library's messages. */
const LABELS: Record<string, string> = { ...FIELD_LABELS, layers: 'layers', lr_schedule: 'schedule', prefix: 'prefix' };

/** The generation options' camelCase names (GenerateOptions), anywhere in a message. */
const OPTION_NAMES = new RegExp(`\\b(${Object.keys(GENERATION_LABELS).filter((k) => /[A-Z]/.test(k)).join('|')})\\b`, 'g');

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
  if (/^temperature, alpha, top-k and top-p need sampling/.test(m)) return 'temperature, top-k and top-p need sampling: check "sample"';
  if (/^greedy decoding gives one text/.test(m)) return 'greedy decoding gives one text: check "sample" for several samples, or set beam to at least the number of samples';
  m = m.replace(OPTION_NAMES, (option) => GENERATION_LABELS[option] ?? option).replace(/ \(sample: true\)/g, ' (check "sample")');
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
