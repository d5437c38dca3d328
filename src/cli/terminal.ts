// Text from models and files shown on a terminal: control characters (escape sequences could clear the screen or
// set the title) are shown as \xNN or \u{...}; newline and tab pass.

export function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}
