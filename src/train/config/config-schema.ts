// The training configuration, declared once: for each field its type, range, default (the book's 9.5 run), the book's
// name, the page's label and the first checkpoint version that stores it (its help sentence is in config-help.ts, typed
// against this table, so the inference bundle carries the rules without the prose). The TrainConfig type, BOOK_CONFIG,
// LIMITS and validateConfig are derived here; the CLI's flags and --help (cli/config-flags.ts), the page's form
// (web/form.ts) and checkpoint reading (checkpoint.ts) derive theirs from the same table.
import { ACTIVATIONS } from '../../backend/backend.js';
import { PARTITIONS, SPLITS } from '../../data/split.js';
import { TEXT_MODES, TOKEN_MODES, type Tokenization } from '../../data/tokenizer.js';
import { CELL_KINDS } from '../../models/layout.js';
import { ConfigError, defaultsOf, validateFields, type ConfigOf, type Rule } from '../../util/schema.js';
import { OPTIMIZER_FIELDS, OPTIMIZERS } from '../optim/optimizer.js';
import { LR_SCHEDULES } from '../optim/schedule.js';

/** Real-valued settings end where float32 does: weights, rates and norms are stored in it. */
const FLOAT32_MAX = 3.4e38;

const TEXT = 'Text (saved with the model; generate, score and eval read text the same way)';
const MODEL = 'Model';
const TRAINING = 'Training (book names in brackets; defaults are the book\'s run)';
const OPTIMIZER = 'Optimizer and learning rate';

/** The schema. Field order is the order of checkpoints' JSON, of --help within a group and of the page's cards. */
export const TRAIN_SCHEMA = {
  epochs: { kind: 'int', default: 100, min: 0, max: 1_000_000, book: 'max_epochs', meta: 'N', since: 1, group: TRAINING, label: 'epochs' },
  batchSize: { kind: 'int', default: 1024, min: 1, max: 1_000_000, book: 'batch_size', meta: 'N', since: 1, group: TRAINING, label: 'batch size' },
  numSteps: { kind: 'int', default: 32, min: 1, max: 100_000, book: 'num_steps', meta: 'N', since: 1, group: TRAINING, label: 'steps' },
  numHiddens: { kind: 'int', default: 32, min: 1, max: 16_384, book: 'num_hiddens', meta: 'N', since: 1, group: MODEL, label: 'hidden units' },
  lr: { kind: 'number', default: 1, min: 0, minExclusive: true, max: FLOAT32_MAX, book: 'lr', meta: 'X', since: 1, group: TRAINING, label: 'learning rate' },
  clip: { kind: 'number', default: 1, min: 0, max: FLOAT32_MAX, book: 'gradient_clip_val', meta: 'X', since: 1, group: TRAINING, label: 'clip' },
  sigma: { kind: 'number', default: 0.01, min: 0, minExclusive: true, max: FLOAT32_MAX, book: 'sigma', meta: 'X', since: 1, group: MODEL },
  numTrain: { kind: 'int', default: 10000, min: 1, max: 1_000_000_000, book: 'num_train', meta: 'N', since: 1, group: TRAINING, label: 'training windows' },
  numVal: { kind: 'int', default: 5000, min: 0, max: 1_000_000_000, book: 'num_val', meta: 'N', since: 1, group: TRAINING, label: 'validation windows' },
  activation: { kind: 'choice', default: 'tanh', choices: ACTIVATIONS, meta: 'F', since: 1, group: MODEL, label: 'activation' },
  cell: { kind: 'choice', default: 'rnn', choices: CELL_KINDS, meta: 'C', since: 2, group: MODEL, label: 'cell',
    choiceLabels: { rnn: 'RNN (9.5)', gru: 'GRU (10.2)', lstm: 'LSTM (10.1)' } },
  numLayers: { kind: 'int', default: 1, min: 1, max: 64, meta: 'N', since: 2, group: MODEL, label: 'layers' },
  dropout: { kind: 'number', default: 0, min: 0, max: 1, maxExclusive: true, meta: 'P', since: 2, group: MODEL, label: 'dropout' },
  concise: { kind: 'boolean', default: false, since: 2, group: MODEL, label: 'concise layers' },
  embedding: { kind: 'int', default: 0, min: 0, max: 16_384, meta: 'N', since: 2, group: MODEL, label: 'embedding' },
  split: { kind: 'choice', default: 'book', choices: SPLITS, meta: 'S', since: 2, group: TEXT, label: 'split' },
  valFraction: { kind: 'number', default: 0.1, min: 0, max: 1, maxExclusive: true, meta: 'X', since: 2, group: TEXT },
  partition: { kind: 'choice', default: 'random', choices: PARTITIONS, meta: 'P', since: 2, group: TRAINING },
  seed: { kind: 'int', default: 0, min: 0, max: 2 ** 32 - 1, meta: 'N', since: 1, group: TRAINING, label: 'seed' },
  text: { kind: 'choice', default: 'book', choices: TEXT_MODES, meta: 'T', since: 3, group: TEXT, label: 'text' },
  tokens: { kind: 'choice', default: 'char', choices: TOKEN_MODES, meta: 'K', since: 3, group: TEXT, label: 'tokens' },
  minFreq: { kind: 'int', default: 0, min: 0, max: 1_000_000_000, book: 'min_freq', meta: 'N', since: 3, group: TEXT, label: 'min freq' },
  maxTokens: { kind: 'int', default: 0, min: 0, max: 10_000_000, meta: 'N', since: 3, group: TEXT, label: 'max tokens' },
  optimizer: { kind: 'choice', default: 'sgd', choices: OPTIMIZERS, meta: 'O', since: 3, group: OPTIMIZER, label: 'optimizer',
    choiceLabels: { sgd: 'SGD (book)', momentum: 'momentum', adam: 'Adam', rmsprop: 'RMSprop' } },
  ...OPTIMIZER_FIELDS,
  lrSchedule: { kind: 'choice', default: 'constant', choices: LR_SCHEDULES, meta: 'S', since: 3, group: OPTIMIZER, label: 'schedule' },
  lrGamma: { kind: 'number', default: 0.97, min: 0, minExclusive: true, max: 1, meta: 'X', since: 3, group: OPTIMIZER },
  lrEvery: { kind: 'int', default: 1, min: 1, max: 1_000_000, meta: 'N', since: 3, group: OPTIMIZER },
  lrStart: { kind: 'int', default: 10, min: 0, max: 1_000_000, meta: 'N', since: 3, group: OPTIMIZER },
  warmup: { kind: 'int', default: 0, min: 0, max: 1_000_000_000, meta: 'N', since: 3, group: OPTIMIZER },
} as const;

/** The groups of fields, in the order --help lists them (and the page's cards show them). */
export const TRAIN_GROUPS = [TEXT, MODEL, TRAINING, OPTIMIZER] as const;

export type TrainSchema = typeof TRAIN_SCHEMA;
export type TrainField = keyof TrainSchema;

/** One typed configuration for a training run, one property per schema field. Saved in every checkpoint. */
export type TrainConfig = ConfigOf<TrainSchema>;

/** The book's run: d2l 9.5 with batch 1024, 32 steps, 32 hidden units, lr 1, clip 1, 100 epochs. */
export const BOOK_CONFIG: Readonly<TrainConfig> = Object.freeze(defaultsOf(TRAIN_SCHEMA));

type IntFields = { [K in TrainField]: TrainSchema[K] extends { kind: 'int' } ? K : never }[TrainField];

/** Upper bounds of the counts (a model of 16,384 hidden units already holds billions of weights per layer). */
export const LIMITS = Object.freeze(Object.fromEntries(Object.entries(TRAIN_SCHEMA).filter(([, s]) => s.kind === 'int')
  .map(([k, s]) => [k, (s as { max: number }).max]))) as Readonly<Record<IntFields, number>>;

/** What the fields must satisfy together, beyond each one's range. */
export const TRAIN_RULES: readonly Rule<TrainConfig>[] = [
  (c) => (c.activation === 'relu' && c.cell !== 'rnn' ? { field: 'activation', reason: `relu is for rnn cells; ${c.cell} has its own gates` } : undefined),
  (c) => (c.maxTokens === 1 ? { field: 'maxTokens', value: 1, reason: 'must be 0 (no cap) or at least 2 (<unk> and one token)' } : undefined),
  (c) => (c.dropout > 0 && c.numLayers === 1 ? { field: 'dropout', reason: 'acts between layers: it needs at least 2 layers' } : undefined),
  (c) => (c.dropout > 0 && !c.concise ? { field: 'dropout', reason: 'is an option of the concise layers (concise)' } : undefined),
];

/** Checks a whole configuration (every field present, in range, and the rules); throws a ConfigError naming the field. */
export function validateConfig(c: TrainConfig): TrainConfig {
  const errors = validateFields(TRAIN_SCHEMA, c, { rules: TRAIN_RULES });
  if (errors.length > 0) throw new ConfigError(errors);
  return c;
}

/**
 * A configuration read from a checkpoint of format `version`: every field the version stores must be there and
 * valid; fields added by later versions take the value their absence implied (the book's defaults). Never defaulted
 * otherwise: a file whose config is missing or malformed is refused.
 */
export function configFromCheckpoint(raw: unknown, version: number): TrainConfig {
  const stored = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : raw;
  const implied = typeof stored === 'object' && stored !== null
    ? Object.fromEntries(Object.entries(TRAIN_SCHEMA).filter(([k, s]) => s.since > version && (stored as Record<string, unknown>)[k] === undefined)
      .map(([k]) => [k, BOOK_CONFIG[k as TrainField]])) : {};
  const c = typeof stored === 'object' && stored !== null ? { ...(stored as object), ...implied } : stored;
  const errors = validateFields(TRAIN_SCHEMA, c, { rules: TRAIN_RULES });
  if (errors.length > 0) throw new ConfigError(errors);
  return canonical(c as TrainConfig);
}

/** The configuration with its keys in the schema's order (so that equal configurations are equal JSON). */
export function canonical(c: TrainConfig): TrainConfig {
  return Object.fromEntries(Object.keys(TRAIN_SCHEMA).map((k) => [k, c[k as TrainField]])) as TrainConfig;
}

/** How a configuration reads text. */
export function tokenizationOf(c: Pick<TrainConfig, 'text' | 'tokens'>): Tokenization {
  return { text: c.text, tokens: c.tokens };
}
