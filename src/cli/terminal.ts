// Text from models and files shown on a terminal: control characters (escape sequences could clear the screen or
// set the title) are shown as \xNN or \u{...}; newline and tab pass.

export function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/**
 * A message on one line, safe for a terminal: every control character escaped, newlines and tabs included (file
 * names, flag values and vocabulary entries come from users, and an error is one line whatever they hold).
 */
export function oneLine(text: string): string {
  return escapeControls(text).replace(/[\n\t]/g, (c) => (c === '\n' ? '\\n' : '\\t'));
}

/** A notice on stderr ("rnnlm: using the packaged copy ..."), one line and escaped. */
export function notice(message: string): void {
  process.stderr.write(`rnnlm: ${oneLine(message)}\n`);
}
