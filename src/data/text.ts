// Reading real-world text: bytes that may not be UTF-8, and Project Gutenberg's licence header and footer.

// Windows-1252 bytes 0x80-0x9F (the rest are Latin-1, byte = code point). Written out because Node's TextDecoder
// reads the 'windows-1252' label as ISO-8859-1 in some builds; undefined bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D)
// keep their Latin-1 meaning, as browsers do.
const CP1252 = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    const chunk = bytes.subarray(i, i + 8192);
    out += String.fromCharCode(...Array.from(chunk, (b) => (b >= 0x80 && b < 0xa0 ? CP1252.charCodeAt(b - 0x80) : b)));
  }
  return out;
}

/** Decodes UTF-8 when the bytes are valid UTF-8, else Windows-1252 (what older Gutenberg files use). */
export function decodeText(bytes: Uint8Array): { text: string; encoding: 'utf-8' | 'windows-1252' } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: decodeWindows1252(bytes), encoding: 'windows-1252' };
  }
}

const START = /^\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG E-?BOOK.*$/im;
const END = /^\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG E-?BOOK.*$/im;
const END_LINE = /^End of (the )?Project Gutenberg('s)?.*$/im;

/**
 * The body of a Project Gutenberg file: the text between the "*** START OF ..." and "*** END OF ..." lines, without
 * the "End of the Project Gutenberg EBook ..." line before the end marker. Text without the markers is returned as is.
 */
export function stripGutenberg(text: string): { text: string; stripped: boolean } {
  const start = START.exec(text);
  if (!start) return { text, stripped: false };
  let body = text.slice(start.index + start[0].length);
  const end = END.exec(body);
  if (end) body = body.slice(0, end.index);
  const endLine = END_LINE.exec(body);
  if (endLine) body = body.slice(0, endLine.index);
  return { text: body, stripped: true };
}
