// The config schema: one table gives the library's types and validator, the CLI's flags and --help, and the page's
// form. The proof: a field added to the schema here appears in all three without any other change.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { commandHelp, optionsHelp, parseCommand } from '../../src/cli/command.js';
import { CONFIG_FLAGS } from '../../src/cli/config-flags.js';
import { TRAIN_HELP } from '../../src/cli/train.js';
import { BOOK_CONFIG, configFromCheckpoint, TRAIN_SCHEMA, validateConfig, type TrainConfig } from '../../src/train/config/config.js';
import { DOCUMENTED_TRAIN_SCHEMA } from '../../src/train/config/config-help.js';
import { Optimizer } from '../../src/train/optim/optimizer.js';
import { ConfigError, closest, flagOf, strictNumber, validateFields, type ConfigOf } from '../../src/util/schema.js';
import { controlText, formControls, readControl } from '../../src/util/schema-form.js';
import { ROOT } from '../helpers.js';

/** The training schema with one more field, as a maintainer would add it. */
const EXTENDED = {
  ...DOCUMENTED_TRAIN_SCHEMA,
  labelSmoothing: { kind: 'number', default: 0, min: 0, max: 1, maxExclusive: true, meta: 'X', label: 'label smoothing', group: TRAIN_SCHEMA.lr.group,
    help: 'a share of each target spread over the vocabulary' },
} as const;

describe('the config schema', () => {
  it('a field added to the schema appears in the CLI (flag, check, --help), the page form and the library types', () => {
    // CLI: the flag parses and is checked against the field's range, and --help lists it with its range and default
    const spec = { usage: 'test', description: 'test', options: EXTENDED };
    assert.equal(parseCommand(spec, ['--label-smoothing', '0.1']).values.labelSmoothing, 0.1);
    assert.throws(() => parseCommand(spec, ['--label-smoothing', '1']), /--label-smoothing must be below 1, got '1'/);
    assert.match(commandHelp(spec), /--label-smoothing X\s+a share of each target spread over the vocabulary \(>= 0 and < 1; default 0\)/);
    // page: a number control with the label, range and default
    const control = formControls(EXTENDED).find((c) => c.field === 'labelSmoothing');
    assert.deepEqual({ ...control, title: undefined }, { field: 'labelSmoothing', id: 'labelSmoothing', label: 'label smoothing', title: undefined, kind: 'number',
      value: '0', min: '0', max: '1', step: 'any' });
    assert.deepEqual(readControl(EXTENDED, 'labelSmoothing', '1.5'), { error: { field: 'labelSmoothing', value: '1.5', reason: 'must be below 1' } });
    // library: the type has the field (a missing or mistyped one is a compile error), and the validator checks it
    const c: ConfigOf<typeof EXTENDED> = { ...BOOK_CONFIG, labelSmoothing: 0.1 };
    // @ts-expect-error the derived type requires the new field
    const missing: ConfigOf<typeof EXTENDED> = { ...BOOK_CONFIG };
    // @ts-expect-error and types it as a number
    const wrong: ConfigOf<typeof EXTENDED> = { ...BOOK_CONFIG, labelSmoothing: 'a lot' };
    assert.deepEqual(validateFields(EXTENDED, c), []);
    assert.deepEqual(validateFields(EXTENDED, missing), [{ field: 'labelSmoothing', reason: 'is missing' }]);
    assert.deepEqual(validateFields(EXTENDED, wrong), [{ field: 'labelSmoothing', value: 'a lot', reason: 'must be a number' }]);
  });

  it('the real CLI help, page form and page lists every field from the schema, and the page holds no hand-written copy', () => {
    for (const [field, spec] of Object.entries(TRAIN_SCHEMA)) assert.match(TRAIN_HELP, new RegExp(`--${flagOf(field, spec)}\\b`), field);
    assert.equal(Object.keys(CONFIG_FLAGS).length, Object.keys(TRAIN_SCHEMA).length + 2); // and --book, --bidirectional
    const labelled = Object.entries(TRAIN_SCHEMA).filter(([, s]) => 'label' in s).map(([k]) => k);
    assert.deepEqual(formControls(DOCUMENTED_TRAIN_SCHEMA).map((c) => c.field), labelled);
    assert.ok(labelled.length >= 20, String(labelled.length));
    const html = readFileSync(join(ROOT, 'web', 'index.html'), 'utf8');
    for (const { id } of formControls(DOCUMENTED_TRAIN_SCHEMA, { text: 'textMode' })) assert.doesNotMatch(html, new RegExp(`id="${id}"`), `#${id} is built from the schema, not written in index.html`);
  });

  it('a control shows any valid value so that reading it back gives the value (the page shows an opened checkpoint\'s settings)', () => {
    const configs: TrainConfig[] = [BOOK_CONFIG, validateConfig({ ...BOOK_CONFIG, cell: 'lstm', numLayers: 3, concise: true, dropout: 0.25, lr: 1e-7, clip: 0,
      numHiddens: 512, optimizer: 'adam', lrSchedule: 'cosine', text: 'raw', tokens: 'word', seed: 2 ** 32 - 1, split: 'full' })];
    for (const c of configs) {
      for (const { field } of formControls(DOCUMENTED_TRAIN_SCHEMA)) {
        const value = c[field as keyof TrainConfig];
        assert.deepEqual(readControl(DOCUMENTED_TRAIN_SCHEMA, field, controlText(DOCUMENTED_TRAIN_SCHEMA, field, value)), { value }, field);
      }
    }
    assert.throws(() => controlText(DOCUMENTED_TRAIN_SCHEMA, 'numHidden', 1), /numHidden is not a setting/);
  });

  it('the help states every count\'s bound', () => {
    for (const [field, spec] of Object.entries(DOCUMENTED_TRAIN_SCHEMA)) {
      if (spec.kind === 'int') assert.match(optionsHelp({ [field]: spec }), new RegExp(`\\(${spec.min}\\s+to\\s+${spec.max};\\s+default\\s+${spec.default}\\)`), field);
    }
  });

  it('a number is checked as the kernels compute with it, in float32: 1e-50 is 0 there, and 0 is refused', () => {
    assert.deepEqual(validateFields(TRAIN_SCHEMA, { ...BOOK_CONFIG, lr: 1e-50 }), [{ field: 'lr', value: 1e-50, reason: 'must be greater than 0 (it is 0 in float32, the precision rnnlm computes in)' }]);
    assert.deepEqual(validateFields(TRAIN_SCHEMA, { ...BOOK_CONFIG, sigma: 1e-46 }), [{ field: 'sigma', value: 1e-46, reason: 'must be greater than 0 (it is 0 in float32, the precision rnnlm computes in)' }]);
    assert.deepEqual(validateFields(TRAIN_SCHEMA, { ...BOOK_CONFIG, lr: 1e-40, clip: 1e-50 }), [], 'a float32 denormal is above 0; clip 0 is allowed (no clipping)');
    assert.throws(() => parseCommand({ usage: 't', description: 't', options: DOCUMENTED_TRAIN_SCHEMA }, ['--lr', '1e-50']), /--lr must be greater than 0 \(it is 0 in float32, the precision rnnlm computes in\), got '1e-50'/);
  });

  it('numbers are decimal or exponent notation, finite: no hex, binary, spaces, separators, Infinity or NaN', () => {
    // 1e9 stays valid: the book writes sizes that way too
    for (const [text, value] of [['1e9', 1e9], ['-1', -1], ['.5', 0.5], ['5.', 5], ['+2', 2], ['1E-3', 0.001], ['007', 7]] as const) assert.equal(strictNumber(text), value, text);
    for (const text of ['0x10', '0b11', '0o7', ' 5', '5 ', '1_000', 'Infinity', 'NaN', '', '+', '.', '1e', 'e5', '1,5', '١']) assert.ok(Number.isNaN(strictNumber(text)), text);
  });

  it('validation errors are structured (field, value, reason), and the library throws a ConfigError naming the field', () => {
    const e = validateFields(TRAIN_SCHEMA, { ...BOOK_CONFIG, numHiddens: 0, cell: 'tree', extra: 1 });
    assert.deepEqual(e, [{ field: 'extra', reason: `is not a setting (settings: ${Object.keys(TRAIN_SCHEMA).join(', ')})` },
      { field: 'numHiddens', value: 0, reason: 'must be at least 1' }, { field: 'cell', value: 'tree', reason: 'must be one of rnn, gru, lstm' }]);
    assert.throws(() => validateConfig({ ...BOOK_CONFIG, cell: 'gru', activation: 'relu' }), (err: unknown) =>
      err instanceof ConfigError && err.field === 'activation' && err.message === 'activation relu is for rnn cells; gru has its own gates');
    assert.throws(() => validateConfig({ ...BOOK_CONFIG, betas: [0.9, 1] }), /beta2 must be below 1, got 1/);
  });

  it("new Optimizer('adam', undefined) and out-of-range options are refused, not trained to NaN", () => {
    assert.throws(() => new Optimizer('adam', undefined as unknown as number), (e: unknown) => e instanceof ConfigError && e.field === 'size');
    assert.throws(() => new Optimizer('adam', 3, { betas: [0.9, 1.5] }), /beta2 must be below 1, got 1.5/);
    assert.throws(() => new Optimizer('momentum', 3, { momentum: NaN }), /momentum must be a number/);
    assert.throws(() => new Optimizer('sgd', 3, { weightDecay: -1 }), /weightDecay must be at least 0/);
  });

  it("a checkpoint's config: fields of its version required, never defaulted; older versions imply what they lacked", () => {
    const stored = JSON.parse(JSON.stringify(BOOK_CONFIG)) as Record<string, unknown>;
    assert.deepEqual(configFromCheckpoint(stored, 3), BOOK_CONFIG);
    assert.throws(() => configFromCheckpoint(null, 3), /config must be an object of settings/);
    assert.throws(() => configFromCheckpoint({ ...stored, optimizer: undefined }, 3), /optimizer is missing/);
    assert.throws(() => configFromCheckpoint({ ...stored, lr: '1' }, 3), /lr must be a number, got '1'/);
    // version 2 files were written before the text and optimizer fields: they imply the book's; version 1 before cell
    const v2 = Object.fromEntries(Object.entries(stored).filter(([k]) => TRAIN_SCHEMA[k as keyof TrainConfig].since <= 2));
    assert.deepEqual(configFromCheckpoint(v2, 2), BOOK_CONFIG);
    assert.throws(() => configFromCheckpoint({ ...v2, cell: undefined }, 2), /cell is missing/);
    const v1 = Object.fromEntries(Object.entries(stored).filter(([k]) => TRAIN_SCHEMA[k as keyof TrainConfig].since <= 1));
    assert.deepEqual(configFromCheckpoint({ ...v1, lr: 2 }, 1), { ...BOOK_CONFIG, lr: 2 });
    assert.throws(() => configFromCheckpoint({ ...v1, seed: undefined }, 1), /seed is missing/);
  });

  it('an unknown flag suggests the closest known one, when one is close', () => {
    const flags = ['epochs', 'num-hiddens', 'lr', 'batch-size'];
    assert.equal(closest('epoch', flags), 'epochs');
    assert.equal(closest('num-hidden', flags), 'num-hiddens');
    assert.equal(closest('nmu-hiddens', flags), 'num-hiddens');
    assert.equal(closest('temperature', flags), undefined);
  });
});
