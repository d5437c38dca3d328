// A command's options as a schema table (util/schema.ts): parsing, checking and --help all derive from it, so the
// help cannot drift from what is parsed. Strict: unknown flags are errors with a suggestion ("did you mean
// --epochs?"), a flag given twice is an error unless its field is repeatable, numbers are decimal or exponent
// notation only, and every value is checked against its field's range before the command does anything.
import { parseArgs } from 'node:util';
import { closest, fieldErrors, fieldReason, flagOf, formatFieldError, parseFieldText, showValue, type ConfigOf, type Field, type FieldError, type Schema } from '../util/schema.js';
import { UsageError } from './args.js';
import { oneLine } from './terminal.js';

/** A command: its usage line, what it does, its options (grouped by each field's group) and notes after them. */
export interface CommandSpec<S extends Schema> {
  usage: string;
  description: string;
  /** Options, in help order. */
  options: S;
  /** The heading of the options without a group of their own (default "Options"). */
  group?: string;
  /** Text after the options (environment, exit codes). */
  notes?: string;
  /** Positional arguments are allowed (file names, text). */
  positionals?: boolean;
}

/** The flags as typed: for each field given, its text (a list for repeatable fields), or true for a switch. */
export type GivenFlags = Record<string, string | string[] | true>;

export interface Parsed<S extends Schema> {
  /** The values of the fields given, parsed and checked against their fields. */
  values: Partial<ConfigOf<S>>;
  /** The raw text of every field given (by field name), for commands that read some flags their own way. */
  given: GivenFlags;
  /** Positional arguments. */
  rest: string[];
  help: boolean;
}

const HELP_FIELD: Field = { kind: 'boolean', default: false, help: 'show this help' };

/** The flag's name as the user typed it: --num-hiddens. */
export function flagName(field: string, spec: Field | undefined): string {
  return `--${spec ? flagOf(field, spec) : field}`;
}

/** A field's error in the CLI's words: the flag's name, and the text the user typed. */
export function flagError(schema: Schema, e: FieldError, typed?: string): UsageError {
  const spec = schema[e.field];
  const name = spec ? flagName(e.field, spec) : e.field;
  return new UsageError(formatFieldError(typed !== undefined ? { ...e, value: typed } : e, () => name));
}

/** Reads one field's text as typed on the command line: the checked value, or a UsageError naming the flag. */
export function readFlag(field: string, spec: Field, text: string): unknown {
  const parsed = parseFieldText(spec, text);
  const reason = 'reason' in parsed ? parsed.reason : fieldReason(spec, parsed.value);
  if (reason !== undefined) throw new UsageError(`${flagName(field, spec)} ${reason}, got ${showValue(text)}`);
  const value = (parsed as { value: unknown }).value;
  // a pair's numbers are checked one by one, each under its own name (--betas: beta1 must be below 1, got 1)
  const [component] = fieldErrors(field, spec, value);
  if (component) throw new UsageError(`${flagName(field, spec)}: ${formatFieldError(component)}`);
  return value;
}

/** parseArgs reads '--lr -1' as two options: join a negative number to the option before it, so the range check speaks. */
function joinNegatives(argv: readonly string[]): string[] {
  const isOption = (a: string | undefined): boolean => a !== undefined && /^--[^=]+$/.test(a);
  return argv.flatMap((a, i) => (/^-[\d.]/.test(a) && isOption(argv[i - 1]) ? [] : isOption(a) && /^-[\d.]/.test(argv[i + 1] ?? '') ? [`${a}=${argv[i + 1]}`] : [a]));
}

/** Parses argv against one or more option tables (a command's own, the training configuration's). */
export function parseCommand<S extends Schema>(spec: CommandSpec<S>, argv: readonly string[], extra: readonly Schema[] = []): Parsed<S> {
  const tables = [spec.options as Schema, ...extra];
  const byFlag = new Map<string, [string, Field]>();
  for (const t of tables) for (const [field, f] of Object.entries(t)) byFlag.set(flagOf(field, f), [field, f]);
  byFlag.set('help', ['help', HELP_FIELD]);
  const args = joinNegatives(argv);
  // unknown flags first, with the closest known one: parseArgs's own message is several lines and suggests nothing
  const end = args.indexOf('--');
  for (const a of end >= 0 ? args.slice(0, end) : args) {
    const m = /^--([^=]*)/.exec(a);
    if (!m || byFlag.has(m[1]!)) continue;
    const near = closest(m[1]!, [...byFlag.keys()]);
    throw new UsageError(`unknown option '--${showFlagText(m[1]!)}'${near ? ` (did you mean --${near}?)` : ''}; see --help`);
  }
  const options = Object.fromEntries([...byFlag].map(([flag, [, f]]) => [flag, { type: f.kind === 'boolean' ? 'boolean' as const : 'string' as const, multiple: true,
    ...(flag === 'help' ? { short: 'h' } : {}) }]));
  let values: Record<string, (string | boolean)[] | undefined>;
  let rest: string[];
  try {
    ({ values, positionals: rest } = parseArgs({ args, options, strict: true, allowPositionals: spec.positionals === true }) as { values: typeof values; positionals: string[] });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]!.replace(/^Unknown option/, 'unknown option'));
  }
  const given: GivenFlags = {};
  for (const [flag, list] of Object.entries(values)) {
    if (list === undefined || flag === 'help') continue;
    const [field, f] = byFlag.get(flag)!;
    if (list.length > 1 && !f.repeatable) throw new UsageError(`--${flag} is given ${list.length} times; give it once`);
    if (f.kind === 'boolean') {
      if (list.some((v) => v !== true)) throw new UsageError(`--${flag} takes no value`);
      given[field] = true;
    } else {
      given[field] = f.repeatable ? (list as string[]) : (list[0] as string);
    }
  }
  const parsed: Record<string, unknown> = {};
  for (const [field, text] of Object.entries(given)) {
    const f = (spec.options as Schema)[field];
    if (!f) continue; // a field of another table: its reader checks it
    parsed[field] = text === true ? true : Array.isArray(text) ? text.map((t) => readFlag(field, f, t)) : readFlag(field, f, text);
  }
  return { values: parsed as Partial<ConfigOf<S>>, given, rest, help: values['help'] !== undefined };
}

/** A flag name typed by the user, safe to print: control characters escaped, cut at 40 characters. */
function showFlagText(s: string): string {
  const safe = oneLine(s); // the one escaping convention (terminal.ts), as paths and values get
  return safe.length > 40 ? safe.slice(0, 40) + '...' : safe;
}

/** The range and default a field's help line states: "(1 to 16384; default 32)". */
export function fieldSuffix(spec: Field): string {
  const parts: string[] = [];
  const big = (n: number): boolean => n >= 1e30;
  switch (spec.kind) {
    case 'int':
      parts.push(`${spec.min} to ${spec.max}`);
      break;
    case 'number': {
      const lo = spec.minExclusive ? `> ${spec.min}` : `>= ${spec.min}`;
      const hi = big(spec.max) ? '' : spec.maxExclusive ? ` and < ${spec.max}` : ` and <= ${spec.max}`;
      parts.push(`${lo}${hi}`);
      break;
    }
    case 'pair':
      parts.push(`each >= ${spec.min} and ${spec.maxExclusive ? '<' : '<='} ${spec.max}`);
      break;
    case 'choice':
      // the list, unless the help sentence already names every choice
      if (!spec.choices.every((c) => new RegExp(`(^|[^\\w.-])${c.replace(/[.]/g, '\\.')}($|[^\\w-])`).test(spec.help ?? ""))) parts.push(spec.choices.join(', '));
      break;
    default:
  }
  const d = spec.kind === 'boolean' ? undefined : spec.default;
  if (d !== undefined) parts.push(`default ${Array.isArray(d) ? d.join(',') : typeof d === 'string' && /\s/.test(d) ? `'${d}'` : String(d)}`);
  if (spec.repeatable) parts.push('may be given several times');
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

/** Wraps words to `width` columns after `first` (which may end a line of its own), continuation lines indented by `indent`. */
function wrap(text: string, first: string, indent: number, width = 116): string {
  const done: string[] = [];
  let line = first;
  for (const word of text.split(/ +/)) {
    const current = line.slice(line.lastIndexOf('\n') + 1);
    if (current.length + 1 + word.length > width && current.length > indent) {
      done.push(line);
      line = ' '.repeat(indent) + word;
    } else {
      line += (current.length > 0 && !current.endsWith(' ') ? ' ' : '') + word;
    }
  }
  done.push(line);
  return done.join('\n');
}

/** The help lines of a table's fields, grouped under their headings (in order of first appearance). */
export function optionsHelp(table: Schema, fallbackGroup = 'Options'): string {
  const groups = new Map<string, string[]>();
  for (const [field, spec] of Object.entries(table)) {
    const head = `  --${flagOf(field, spec)}${spec.kind === 'boolean' ? '' : ' ' + (spec.meta ?? 'X')}`;
    if (spec.help === undefined) throw new Error(`--${flagOf(field, spec)} has no help sentence`);
    const text = `${spec.help}${spec.book ? ` [${spec.book}]` : ''}${fieldSuffix(spec)}`;
    const first = head.length < 20 ? head.padEnd(20) : head + '\n' + ' '.repeat(20);
    const group = spec.group ?? fallbackGroup;
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group)!.push(wrap(text, first, 20));
  }
  return [...groups].map(([title, lines]) => `${title}:\n${lines.join('\n')}`).join('\n\n');
}

/** A command's whole --help: usage, description, the option groups (then -h), notes. */
export function commandHelp<S extends Schema>(spec: CommandSpec<S>, extra: readonly Schema[] = []): string {
  const tables = [...extra, spec.options as Schema];
  const merged: Record<string, Field> = {};
  for (const t of tables) Object.assign(merged, t);
 return [`Usage: ${spec.usage}`, spec.description.trim(), optionsHelp(merged, spec.group) + `\n${'  -h, --help'.padEnd(20)}show this help`, spec.notes?.trim()]
    .filter((s): s is string => s !== undefined && s !== '').join('\n\n');
}
