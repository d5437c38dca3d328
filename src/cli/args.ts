// Flag parsing for the commands: node:util parseArgs in strict mode (unknown flags are errors), plus typed,
// checked conversions. Every problem becomes a UsageError: one line on stderr and exit code 2.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A failure the command reports as one line, exiting with exitCode. */
export class CommandError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

/** Bad input from the user: exit code 2. */
export class UsageError extends CommandError {
  constructor(message: string) {
    super(message, 2);
  }
}

export type Flags = Record<string, string | boolean | undefined>;

/** Parses argv against string/boolean options; positionals are returned separately. */
export function parseFlags(argv: string[], options: NonNullable<ParseArgsConfig['options']>, positionals = false): { flags: Flags; rest: string[] } {
  // parseArgs reads '--lr -1' as two options; join a negative number to its option so that the range check speaks
  const args = argv.flatMap((a, i) => (/^-\d/.test(a) && /^--[^=]+$/.test(argv[i - 1] ?? '') ? [] : /^--[^=]+$/.test(a) && /^-\d/.test(argv[i + 1] ?? '') ? [`${a}=${argv[i + 1]}`] : [a]));
  try {
    const { values, positionals: rest } = parseArgs({ args, options, strict: true, allowPositionals: positionals });
    return { flags: values as Flags, rest };
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]!.replace(/^Unknown option/, 'unknown option'));
  }
}

function raw(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** A number flag; fallback when absent; min/integer checks give a readable error. */
export function numberFlag(flags: Flags, name: string, fallback: number, { integer = false, min = -Infinity, exclusiveMin = false } = {}): number {
  const s = raw(flags, name);
  if (s === undefined) return fallback;
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${name} must be a number, got '${s}'`);
  if (integer && !Number.isInteger(v)) throw new UsageError(`--${name} must be a whole number, got '${s}'`);
  if (exclusiveMin ? v <= min : v < min) {
    throw new UsageError(`--${name} must be ${exclusiveMin ? 'greater than' : 'at least'} ${min}, got '${s}'`);
  }
  return v;
}

export function positiveInt(flags: Flags, name: string, fallback: number): number {
  return numberFlag(flags, name, fallback, { integer: true, min: 1 });
}

export function stringFlag(flags: Flags, name: string): string | undefined {
  return raw(flags, name);
}

export function choiceFlag<C extends string>(flags: Flags, name: string, choices: readonly C[], fallback: C): C {
  const s = raw(flags, name);
  if (s === undefined) return fallback;
  if (!(choices as readonly string[]).includes(s)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${s}'`);
  return s as C;
}
