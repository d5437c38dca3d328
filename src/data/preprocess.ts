// Text preprocessing as D2L 9.2 does it for The Time Machine: every run of non-letters becomes one space,
// then lower case; tokens are characters.

export function preprocess(text: string): string {
  return text.replace(/[^A-Za-z]+/g, ' ').toLowerCase();
}

export function tokenize(text: string): string[] {
  return [...text];
}
