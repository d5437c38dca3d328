// Text from users, models and files shown on a terminal, escaped by one function with one convention: newline, tab
// and carriage return as \n, \t and \r; every other control character (C0, DEL and the C1 controls \x80-\x9f, which
// some terminals read as escape sequences that clear the screen or set the title) as \xHH; the line and paragraph
// separators as \u{2028} and \u{2029}. Messages escape everything (one line); generated text keeps its newlines and tabs.

// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

/** One control character's escaped form. */
function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/**
 * Text made safe for a terminal: every control character escaped (see above); with keepLayout, newlines and tabs pass
 * as they are (generated text, shown as text), and only they.
 */
export function escapeTerminal(text: string, { keepLayout = false }: { keepLayout?: boolean } = {}): string {
  return text.replace(CONTROLS, (c) => (keepLayout && (c === '\n' || c === '\t') ? c : escapeOne(c)));
}

/** Text shown as text (a generation, a prediction): controls escaped, newlines and tabs kept. */
export function escapeControls(text: string): string {
  return escapeTerminal(text, { keepLayout: true });
}

/**
 * A message on one line, safe for a terminal: every control character escaped, newlines and tabs included (file
 * names, flag values and vocabulary entries come from users, and an error is one line whatever they hold).
 */
export function oneLine(text: string): string {
  return escapeTerminal(text);
}

/** A notice on stderr ("rnnlm: using the packaged copy ..."), one line and escaped. */
export function notice(message: string): void {
  process.stderr.write(`rnnlm: ${oneLine(message)}\n`);
}
