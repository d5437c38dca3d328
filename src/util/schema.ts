// A configuration schema: one declaration per field (kind, range, default, help sentence, page label, CLI flag),
// from which everything else is derived: the static type (ConfigOf), the one validator (structured errors: field,
// value, reason), the strict parsing of text (CLI flags, page inputs), the CLI's --help and the page's form.
// In the spirit of zod (`z.infer`) and citty (`defineCommand({ args })`), as a plain typed table without a dependency.

/** What every field declares. */
interface FieldBase {
  /**
   * One sentence for --help and the page's tooltip. Required where a schema is shown to people (commandHelp and the
   * page's form refuse a field without one); the training schema keeps its sentences in a table of their own
   * (train/config/config-help.ts), so that code that only validates does not carry them.
   */
  help?: string;
  /** The page's label; fields without one are not on the page. */
  label?: string;
  /** The CLI flag, without dashes; default: the field's name in kebab-case (numHiddens -> num-hiddens). */
  flag?: string;
  /** The value's placeholder in --help (N, X, FILE). */
  meta?: string;
  /** The book's name of the argument ([max_epochs]), shown in --help. */
  book?: string;
  /** The heading the field is listed under in --help, and the page's card. */
  group?: string;
  /** The flag may be given several times (its values are collected in order); every other flag once. */
  repeatable?: boolean;
  /** Checkpoint format version from which every file stores this field; older files imply its default. */
  since?: number;
}

/** A whole number in [min, max]. */
export interface IntField extends FieldBase {
  kind: 'int';
  /** Absent for an option whose absence means something else (a command's "all", "off"); every config field has one. */
  default?: number;
  min: number;
  max: number;
}

/** A finite number in [min, max], either end optionally open. */
export interface NumberField extends FieldBase {
  kind: 'number';
  default?: number;
  min: number;
  max: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

/** One of a fixed list of words. */
export interface ChoiceField<C extends string = string> extends FieldBase {
  kind: 'choice';
  default: C;
  choices: readonly C[];
  /** The page's names of the choices, where they differ from the words. */
  choiceLabels?: Partial<Record<C, string>>;
}

/** A switch: a flag without a value, a checkbox on the page. */
export interface BooleanField extends FieldBase {
  kind: 'boolean';
  default: boolean;
}

/** Two numbers, each in [min, max) (Adam's betas); written 'a,b'. */
export interface PairField extends FieldBase {
  kind: 'pair';
  default: readonly [number, number];
  min: number;
  max: number;
  maxExclusive?: boolean;
  /** The names of the two numbers in messages (beta1, beta2). */
  names: readonly [string, string];
}

/** Free text (a path, a prefix); nonEmpty refuses ''. Its default is absent unless given. */
export interface StringField extends FieldBase {
  kind: 'string';
  default?: string;
  nonEmpty?: boolean;
  /** At most this many characters. */
  maxLength?: number;
}

export type Field = IntField | NumberField | ChoiceField | BooleanField | PairField | StringField;
export type Schema = Readonly<Record<string, Field>>;

/** The value type a field declares. */
export type ValueOf<F> = F extends { kind: 'int' | 'number' } ? number
  : F extends { kind: 'boolean' } ? boolean
  : F extends { kind: 'choice'; choices: readonly (infer C)[] } ? C
  : F extends { kind: 'pair' } ? [number, number]
  : F extends { kind: 'string' } ? string
  : never;

/** The configuration type a schema declares: one property per field. */
export type ConfigOf<S> = { -readonly [K in keyof S]: ValueOf<S[K]> };

/** One problem with one field: which field, the value given, and why it is refused ("must be at least 1"). */
export interface FieldError {
  field: string;
  value?: unknown;
  /** A predicate phrase that follows the field's name: 'must be at least 1', 'is for rnn cells'. */
  reason: string;
}

/** A cross-field rule: returns the error it finds, or nothing. */
export type Rule<C> = (c: C) => FieldError | undefined;

/** How a value is shown in a message: numbers and words as they are, other values as JSON. */
export function showValue(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 80 ? v.slice(0, 80) + '...' : v}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === undefined) return String(v);
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? s.slice(0, 80) + '...' : s;
}

/** One line: the field's name (as the front end calls it), the reason, and the value given. */
export function formatFieldError(e: FieldError, name: (field: string) => string = (f) => f): string {
  return `${name(e.field)} ${e.reason}${'value' in e ? `, got ${showValue(e.value)}` : ''}`;
}

/** A configuration was refused: the structured errors, the first one as the message (in the library's names). */
export class ConfigError extends Error {
  readonly field: string;
  readonly value: unknown;
  readonly reason: string;
  constructor(readonly errors: readonly FieldError[]) {
    super(errors.length > 0 ? formatFieldError(errors[0]!) : 'invalid configuration');
    this.name = 'ConfigError';
    const first = errors[0] ?? { field: '', reason: 'invalid configuration' };
    [this.field, this.value, this.reason] = [first.field, first.value, first.reason];
  }
}

/** Why a number is outside a field's range, or undefined when it is inside. */
function rangeReason(v: number, min: number, max: number, minExclusive = false, maxExclusive = false): string | undefined {
  if (minExclusive ? !(v > min) : !(v >= min)) return minExclusive ? `must be greater than ${min}` : `must be at least ${min}`;
  if (maxExclusive ? !(v < max) : !(v <= max)) return maxExclusive ? `must be below ${max}` : `must be at most ${max}`;
  return undefined;
}

/** Why a value does not fit its field, or undefined when it does. */
export function fieldReason(spec: Field, v: unknown): string | undefined {
  switch (spec.kind) {
    case 'int':
      if (typeof v !== 'number' || !Number.isFinite(v)) return 'must be a number';
      if (!Number.isInteger(v)) return 'must be a whole number';
      return rangeReason(v, spec.min, spec.max);
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return 'must be a number';
      // the kernels compute in float32: a value that rounds out of the range there (1e-50 to 0) is out of it
      const f = Math.fround(v);
      const reason = rangeReason(v, spec.min, spec.max, spec.minExclusive, spec.maxExclusive);
      return reason ?? (rangeReason(f, spec.min, spec.max, spec.minExclusive, spec.maxExclusive) === undefined ? undefined :
        `${rangeReason(f, spec.min, spec.max, spec.minExclusive, spec.maxExclusive)!} (it is ${f} in float32, the precision rnnlm computes in)`);
    }
    case 'choice':
      return typeof v === 'string' && (spec.choices as readonly string[]).includes(v) ? undefined : `must be one of ${spec.choices.join(', ')}`;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : 'must be true or false';
    case 'pair':
      if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) return 'must be two numbers';
      return undefined;
    case 'string':
      if (typeof v !== 'string') return 'must be text';
      if (spec.nonEmpty && v.length === 0) return 'must not be empty';
      if (spec.maxLength !== undefined && v.length > spec.maxLength) return `must be at most ${spec.maxLength} characters long`;
      return undefined;
  }
}

/** The errors of one field's value: a pair reports each of its numbers under its own name (beta1, beta2). */
export function fieldErrors(field: string, spec: Field, v: unknown): FieldError[] {
  const reason = fieldReason(spec, v);
  if (reason !== undefined) return [{ field, value: v, reason }];
  if (spec.kind === 'pair') {
    return (v as number[]).flatMap((x, i) => {
      const r = rangeReason(x, spec.min, spec.max, false, spec.maxExclusive);
      return r === undefined ? [] : [{ field: spec.names[i]!, value: x, reason: r }];
    });
  }
  return [];
}

export interface ValidateOptions<C> {
  /** Cross-field rules, checked once every field is valid on its own. */
  rules?: readonly Rule<C>[];
  /** Fields a missing value of which is an error (default: every field with a default). */
  required?: (field: string, spec: Field) => boolean;
}

/**
 * Every problem of a configuration: unknown keys, missing fields, values of the wrong type or out of range, then
 * the cross-field rules. An empty list means the value is a valid ConfigOf<S>.
 */
export function validateFields<S extends Schema>(schema: S, value: unknown, options: ValidateOptions<ConfigOf<S>> = {}): FieldError[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [{ field: 'config', value, reason: 'must be an object of settings' }];
  const c = value as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const key of Object.keys(c)) {
    if (!Object.hasOwn(schema, key)) errors.push({ field: key, reason: `is not a setting (settings: ${Object.keys(schema).join(', ')})` });
  }
  const required = options.required ?? ((_: string, spec: Field) => spec.kind !== 'string' || spec.default !== undefined);
  for (const [field, spec] of Object.entries(schema)) {
    if (c[field] === undefined) {
      if (required(field, spec)) errors.push({ field, reason: 'is missing' });
      continue;
    }
    errors.push(...fieldErrors(field, spec, c[field]));
  }
  if (errors.length > 0) return errors;
  for (const rule of options.rules ?? []) {
    const e = rule(c as ConfigOf<S>);
    if (e) errors.push(e);
  }
  return errors;
}

/** The schema's defaults, as a configuration. */
export function defaultsOf<S extends Schema>(schema: S): ConfigOf<S> {
  return Object.fromEntries(Object.entries(schema).filter(([, s]) => s.default !== undefined)
    .map(([k, s]) => [k, Array.isArray(s.default) ? [...(s.default as number[])] : s.default])) as ConfigOf<S>;
}

/** Decimal or exponent notation only: no hex, binary, octal, surrounding spaces, Infinity or NaN. */
const STRICT_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A number written in decimal or exponent notation (1e9 is valid), finite; NaN for anything else. */
export function strictNumber(text: string): number {
  return STRICT_NUMBER.test(text) ? Number(text) : NaN;
}

/** A field's value read from text (a flag's value, a page input): the value, or why the text is refused. */
export function parseFieldText(spec: Field, text: string): { value: unknown } | { reason: string } {
  switch (spec.kind) {
    case 'int':
    case 'number': {
      const v = strictNumber(text);
      return Number.isFinite(v) ? { value: v } : { reason: 'must be a number' };
    }
    case 'pair': {
      const parts = text.split(',').map(strictNumber);
      if (parts.length !== 2 || !parts.every(Number.isFinite)) return { reason: `must be two numbers separated by a comma (such as ${spec.default.join(',')})` };
      return { value: parts };
    }
    case 'boolean':
      return text === 'true' || text === 'false' ? { value: text === 'true' } : { reason: 'must be true or false' };
    case 'choice':
    case 'string':
      return { value: text };
  }
}

/** The kebab-case CLI flag of a field (numHiddens -> num-hiddens) unless it names its own. */
export function flagOf(field: string, spec: Field): string {
  return spec.flag ?? field.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/** The Levenshtein distance between two short strings (for "did you mean"). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** The known name closest to a mistyped one, when it is close enough to be what was meant. */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}
