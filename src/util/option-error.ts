// Errors in generation's options, written once in the library with each option's name marked, and read in the words
// of whoever shows them: the library's own message names the options as GenerateOptions does (camelCase), the CLI
// names them as flags (--top-k), the page by its controls' labels. So a check lives in one place, the library, and
// no surface repeats it to speak its own words or rewrites the library's text with patterns.
//
//   throw optionError`${opt('topK')} must be a positive whole number, got ${k}`;
//   e.message                        // 'topK must be a positive whole number, got 0'
//   e.in((o) => `--${kebab(o)}`)     // '--top-k must be a positive whole number, got 0'

/** An option's name inside an optionError message. */
export interface OptionName {
  readonly option: string;
}

/** Marks an option's name in an optionError message. */
export const opt = (option: string): OptionName => ({ option });

/** What an optionError message holds between its texts: a value as it is, an option's name, or a list of names. */
export type MessagePart = string | number | boolean | undefined | OptionName | readonly OptionName[];

const isName = (p: MessagePart): p is OptionName => typeof p === 'object' && p !== null && !Array.isArray(p);

/** Names as a list people read: "a", "a and b", "a, b and c". */
function listed(names: readonly string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
}

/** The message of texts and parts with each option named by `words`. */
function render(texts: readonly string[], parts: readonly MessagePart[], words: (option: string) => string): string {
  return texts.reduce((out, text, i) => {
    if (i === 0) return text;
    const p = parts[i - 1]!;
    const shown = Array.isArray(p) ? listed((p as readonly OptionName[]).map((n) => words(n.option)))
      : isName(p as MessagePart) ? words((p as OptionName).option) : String(p);
    return out + shown + text;
  }, '');
}

export class OptionError extends Error {
  override readonly name = 'OptionError';

  constructor(private readonly texts: readonly string[], private readonly parts: readonly MessagePart[]) {
    super(render(texts, parts, (o) => o)); // the message before the stack is taken, so that the stack's first line has it
  }

  /** The message with each option named by `words` (its flag, its label). */
  in(words: (option: string) => string): string {
    return render(this.texts, this.parts, words);
  }
}

/** An OptionError from a template: ${opt(name)} marks an option's name, ${[opt(a), opt(b)]} a list of them. */
export function optionError(texts: TemplateStringsArray, ...parts: MessagePart[]): OptionError {
  return new OptionError([...texts], parts);
}
