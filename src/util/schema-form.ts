// A schema's fields as form controls, without a DOM: what the page (web/form.ts) renders and how it reads the
// values back, so the page's form is derived from the same table as the CLI's flags and the library's types.
import { fieldReason, formatFieldError, parseFieldText, type Field, type FieldError, type Schema } from './schema.js';

/** One control: an input of some type, a select with options, or a checkbox. */
export interface FormControl {
  field: string;
  /** The element's id (the field's name unless the page renames it). */
  id: string;
  label: string;
  /** The tooltip: the help sentence and the book's value. */
  title: string;
  kind: 'number' | 'select' | 'checkbox' | 'text';
  /** The default, as the control shows it. */
  value: string;
  /** number inputs: the range and the step ('1' for whole numbers, 'any' otherwise). */
  min?: string;
  max?: string;
  step?: string;
  /** select: the choices and what the page calls them. */
  options?: { value: string; label: string }[];
}

const shown = (n: number): string => n.toLocaleString('en-US');

/** The controls of the schema's fields that have a page label, in the schema's order; ids renamed where asked. */
export function formControls(schema: Schema, ids: Readonly<Record<string, string>> = {}): FormControl[] {
  return Object.entries(schema).filter(([, spec]) => spec.label !== undefined).map(([field, spec]) => control(field, spec, ids[field] ?? field));
}

function control(field: string, spec: Field, id: string): FormControl {
  const book = spec.default === undefined ? '' : ` (book: ${typeof spec.default === 'number' ? shown(spec.default) : String(spec.default)})`;
  if (spec.help === undefined) throw new Error(`${field} has no help sentence`);
  const base = { field, id, label: spec.label!, title: `${spec.help}${book}` };
  switch (spec.kind) {
    case 'int':
    case 'number':
      return { ...base, kind: 'number', value: spec.default === undefined ? '' : String(spec.default), min: String(spec.min), ...(spec.max < 1e30 ? { max: String(spec.max) } : {}),
        step: spec.kind === 'int' ? '1' : 'any' };
    case 'choice':
      return { ...base, kind: 'select', value: spec.default, options: spec.choices.map((c) => ({ value: c, label: (spec.choiceLabels as Record<string, string> | undefined)?.[c] ?? c })) };
    case 'boolean':
      return { ...base, kind: 'checkbox', value: String(spec.default) };
    case 'pair':
      return { ...base, kind: 'text', value: spec.default.join(',') };
    case 'string':
      return { ...base, kind: 'text', value: spec.default ?? '' };
  }
}

/** A field's control value read back (text of inputs and selects, 'true'/'false' of checkboxes): the value or its error. */
export function readControl(schema: Schema, field: string, text: string): { value: unknown } | { error: FieldError } {
  const spec = schema[field];
  if (!spec) return { error: { field, reason: 'is not a setting' } };
  const parsed = parseFieldText(spec, text);
  if ('reason' in parsed) return { error: { field, value: text, reason: parsed.reason } };
  const reason = fieldReason(spec, parsed.value);
  return reason === undefined ? parsed : { error: { field, value: text, reason } };
}

/**
 * A field's value as its control shows it: the inverse of readControl (readControl(schema, field, controlText(...)) gives
 * the value back), so that a form can show a configuration it did not produce (a checkpoint's).
 */
export function controlText(schema: Schema, field: string, value: unknown): string {
  const spec = schema[field];
  if (!spec) throw new Error(`${field} is not a setting`);
  if (spec.kind === 'pair') return (value as readonly number[]).join(',');
  return value === undefined ? '' : String(value);
}

/** An error in the page's words: the field's label instead of its name. */
export function inLabels(schema: Schema, e: FieldError): string {
  return formatFieldError(e, (f) => schema[f]?.label ?? f);
}
