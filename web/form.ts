// The page's settings form, derived from the training configuration's schema (src/train/config/config-schema.ts): each
// field with a page label becomes a control in its group's card, with the schema's range, default and help as its
// tooltip, and is read back through the schema's checks, so the form, the CLI's flags and the library agree.
import {
  controlText, DOCUMENTED_TRAIN_SCHEMA as TRAIN_SCHEMA, flagOf, formControls, inLabels, readControl, TRAIN_GROUPS, type FormControl, type TrainConfig,
} from '../src/browser.js';

/** The page's card for each group of fields: text, model, training (the optimizer's fields join training). */
const CARD_OF_GROUP: readonly string[] = ['text-fields', 'model-fields', 'training-fields', 'training-fields'];

/** The textarea is #text, so the text-mode field's control is #textMode. */
const IDS: Readonly<Record<string, string>> = { text: 'textMode' };

export const CONTROLS: readonly FormControl[] = formControls(TRAIN_SCHEMA, IDS);

function element(c: FormControl): HTMLLabelElement {
  const label = document.createElement('label');
  label.id = `${c.id}-label`;
  label.title = c.title;
  let input: HTMLInputElement | HTMLSelectElement;
  if (c.kind === 'select') {
    const select = document.createElement('select');
    for (const o of c.options ?? []) {
      const option = new Option(o.label, o.value, o.value === c.value, o.value === c.value);
      select.append(option);
    }
    input = select;
  } else {
    const i = document.createElement('input');
    i.type = c.kind;
    if (c.kind === 'checkbox') i.defaultChecked = c.value === 'true';
    else i.defaultValue = c.value;
    for (const a of ['min', 'max', 'step'] as const) if (c[a] !== undefined) i.setAttribute(a, c[a]);
    input = i;
  }
  input.id = c.id;
  if (c.kind === 'checkbox') {
    label.className = 'check';
    label.append(input, ` ${c.label}`);
  } else {
    label.className = 'field';
    const span = document.createElement('span');
    span.textContent = c.label;
    label.append(span, input);
  }
  return label;
}

/** Builds the controls into their cards (before any element already there, such as the book's-settings button). */
export function renderForm(): void {
  for (const c of CONTROLS) {
    const group = TRAIN_GROUPS.indexOf(TRAIN_SCHEMA[c.field as keyof typeof TRAIN_SCHEMA].group);
    const card = document.getElementById(CARD_OF_GROUP[group] ?? 'training-fields');
    if (!card) throw new Error(`missing #${CARD_OF_GROUP[group] ?? 'training-fields'}`);
    const before = card.querySelector(':scope > button');
    card.insertBefore(element(c), before);
  }
}

const controlOf = (c: FormControl): HTMLInputElement | HTMLSelectElement => document.getElementById(c.id) as HTMLInputElement | HTMLSelectElement;

/**
 * The settings the form holds: disabled controls (options the chosen model does not use) take the schema's default;
 * locked ones (an opened run's, web/settings-view.ts) hold that run's values, which are read.
 */
export function readSettings(): Partial<TrainConfig> {
  const settings: Record<string, unknown> = {};
  for (const c of CONTROLS) {
    const el = controlOf(c);
    if (el.disabled && el.dataset['locked'] !== 'true') continue;
    const text = el instanceof HTMLInputElement && el.type === 'checkbox' ? String(el.checked) : el.value;
    const read = readControl(TRAIN_SCHEMA, c.field, text);
    if ('error' in read) throw new Error(inLabels(TRAIN_SCHEMA, read.error));
    settings[c.field] = read.value;
  }
  return settings as Partial<TrainConfig>;
}

/** Shows a configuration in the controls (an opened checkpoint's), each value as the control writes it. */
export function showSettings(config: TrainConfig): void {
  for (const c of CONTROLS) {
    const el = controlOf(c);
    const text = controlText(TRAIN_SCHEMA, c.field, config[c.field as keyof TrainConfig]);
    if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = text === 'true';
    else el.value = text;
  }
}

/** The ids of every control of the form. */
export const CONTROL_IDS: readonly string[] = CONTROLS.map((c) => c.id);

/** The page's name of a field or of its CLI flag, for the library's messages. */
export const FIELD_LABELS: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(TRAIN_SCHEMA).flatMap(([field, spec]) => {
  const label = 'label' in spec ? spec.label : field.replace(/[A-Z]/g, (ch) => ' ' + ch.toLowerCase());
  return [[field, label], [flagOf(field, spec), label]];
}));
