// The training configuration as command-line flags, for train and sweep: the flags, their checks and their help
// come from the configuration's schema (train/config/config-schema.ts); here only what the command line adds to it (the
// book's runs by section) and its wording (flag names, the text as typed).
import { TRAIN_GROUPS } from '../train/config/config-schema.js';
import { DOCUMENTED_TRAIN_SCHEMA } from '../train/config/config-help.js';
import { BOOK_CONFIG, TRAIN_SCHEMA, validateConfig, type TrainConfig, type TrainField } from '../train/config/config.js';
import { BOOK_PRESETS, bookPreset } from '../train/config/presets.js';
import { ConfigError, type Schema } from '../util/schema.js';
import { flagError, readFlag, type GivenFlags } from './command.js';
import { UsageError } from './args.js';

const PRESETS = "The book's runs (other flags override what a run sets)";

/** The flags that choose a book run, ahead of the configuration's own. */
const PRESET_FLAGS = {
  book: { kind: 'choice', default: '9.5', choices: Object.keys(BOOK_PRESETS), meta: 'SECTION', group: PRESETS,
    help: `a section's run: ${Object.entries(BOOK_PRESETS).map(([k, p]) => `${k} ${p.title}`).join('; ')}; all with batch 1024, 32 steps, 32 hidden units, clip 1` },
  bidirectional: { kind: 'boolean', default: false, group: PRESETS,
    help: 'refused: a next-token language model must not see the tokens it predicts, and a backward layer reads them (BiRNNScratch is in the library for tagging)' },
} as const;

/** Every flag of the training configuration, in --help order: the book runs, then the schema's fields. */
export const CONFIG_FLAGS: Schema = {
  ...PRESET_FLAGS,
  ...Object.fromEntries(TRAIN_GROUPS.flatMap((g) => Object.entries(DOCUMENTED_TRAIN_SCHEMA).filter(([, s]) => s.group === g))),
};

/** The configuration's fields given on the command line (not the preset flags). */
export function configFieldsGiven(given: GivenFlags): TrainField[] {
  return (Object.keys(TRAIN_SCHEMA) as TrainField[]).filter((k) => given[k] !== undefined);
}

/** The configuration the flags name (the base's, or a book run's, where a flag is absent); errors name the flag. */
export function configFromFlags(given: GivenFlags, base: TrainConfig = BOOK_CONFIG): TrainConfig {
  if (given['bidirectional']) {
    throw new UsageError('--bidirectional: a next-character language model must not see the characters it predicts, and a backward layer reads them; ' +
      'bidirectional layers (BiRNNScratch, bidirectional: true) are in the library for tagging and encoding');
  }
  const section = given['book'];
  if (section !== undefined) readFlag('book', PRESET_FLAGS.book, section as string);
  if (section !== undefined || given['concise']) base = bookPreset((section as string | undefined) ?? '9.5', given['concise'] === true);
  const c: Record<string, unknown> = { ...base };
  for (const field of configFieldsGiven(given)) {
    const text = given[field]!;
    c[field] = text === true ? true : readFlag(field, TRAIN_SCHEMA[field], text as string);
  }
  return validateFlagsConfig(c as TrainConfig);
}

/** validateConfig, its errors worded with the flags' names (the flags named a bad configuration). */
export function validateFlagsConfig(c: TrainConfig): TrainConfig {
  try {
    return validateConfig(c);
  } catch (e) {
    if (e instanceof ConfigError) throw flagError(TRAIN_SCHEMA, e.errors[0]!);
    throw e;
  }
}
