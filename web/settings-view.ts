// The settings' interplay (the controls themselves come from the schema, web/form.ts): controls a choice makes unused
// are turned off with the reason in their tooltip (the full split's windows; the activation of gated cells; dropout
// with one layer), a new optimizer brings its suggested learning rate, and "Book's settings" restores every choice.
// An opened checkpoint's settings are shown in the form; when it holds a run, they are locked (all but the epochs,
// the one thing Continue changes) until "Change settings" frees them for a new model.
import type { TrainConfig } from '../src/browser.js';
import { $, enable, number } from './dom.js';
import { describeText } from './text-source.js';
import { CONTROL_IDS, showSettings } from './form.js';

/** The one setting a continued run takes from the form: the epochs to continue to. */
const CONTINUE_SETS = 'epochs';

/** A learning rate that suits each optimizer: the book's 1 for SGD; adaptive ones take far smaller steps. */
const SUGGESTED_LR: Record<TrainConfig['optimizer'], number> = { sgd: 1, momentum: 0.1, adam: 0.01, rmsprop: 0.01 };

/** The windows are the random split's: the full split has none to choose. */
function splitChanged(): void {
  const why = 'not used with the full split: it trains on the first 90% of the text and validates on the rest';
  for (const id of ['numTrain', 'numVal']) enable(id, $<HTMLSelectElement>('split').value !== 'full', why);
}

/** Activation is the RNN cell's; dropout acts between concise layers. */
function modelChanged(): void {
  enable('activation', $<HTMLSelectElement>('cell').value === 'rnn', 'GRU and LSTM cells have their own gates: the activation is for RNN cells');
  enable('dropout', $<HTMLInputElement>('concise').checked && number('numLayers') > 1,
    'dropout acts between concise layers: check concise layers and choose 2 layers or more');
}

function optimizerChoice(): TrainConfig['optimizer'] {
  const v = $<HTMLSelectElement>('optimizer').value;
  return v === 'momentum' || v === 'adam' || v === 'rmsprop' ? v : 'sgd';
}

/** The optimizer whose suggested learning rate the form may hold (a rate set by hand stays when the optimizer changes). */
let lastOptimizer: TrainConfig['optimizer'] = 'sgd';

/** Every choice turned on or off as the others make it used (after the settings changed all at once). */
function interplay(): void {
  splitChanged();
  modelChanged();
  describeText();
  lastOptimizer = optimizerChoice();
}

/** Frees the settings an opened run locked (they keep their values: Train trains a new model with them). */
export function unlockSettings(): void {
  const lock = $('settings-lock');
  if (lock.hidden) return;
  lock.hidden = true;
  for (const id of CONTROL_IDS) {
    const el = $(id);
    if (el.dataset['locked'] !== 'true') continue;
    delete el.dataset['locked'];
    enable(id, true, ''); // the interplay below turns off again those the settings leave unused
  }
  interplay();
}

/**
 * Shows an opened checkpoint's settings (`name`: its file) in the form. With a run, every setting but the epochs is
 * locked: Continue trains with the run's own, so the form shows what it will do and cannot suggest otherwise.
 */
export function followCheckpoint(config: TrainConfig, name: string, withRun: boolean): void {
  unlockSettings();
  showSettings(config);
  interplay();
  if (!withRun) return;
  const why = `set by the run of ${name}, which Continue trains with: "Change settings" frees it for a new model`;
  for (const id of CONTROL_IDS) {
    if (id === CONTINUE_SETS) continue;
    $(id).dataset['locked'] = 'true';
    enable(id, false, why);
  }
  $('settings-lock-text').textContent = `The settings of ${name}'s run, locked: Continue trains with them (set the epochs to continue to).`;
  $('settings-lock').hidden = false;
}

/** Wires the settings' controls (once web/form.ts has rendered them) and turns off those the book's settings leave unused. */
export function setupSettings(): void {
  $('split').addEventListener('change', splitChanged);
  splitChanged();
  for (const id of ['cell', 'concise']) $(id).addEventListener('change', modelChanged);
  $('numLayers').addEventListener('input', modelChanged);
  modelChanged();

  // the learning rate follows the optimizer only while it is the previous one's suggestion: a rate set by hand stays
  lastOptimizer = optimizerChoice();
  $('optimizer').addEventListener('change', () => {
    const lr = $<HTMLInputElement>('lr');
    if (Number(lr.value) === SUGGESTED_LR[lastOptimizer]) lr.value = String(SUGGESTED_LR[optimizerChoice()]);
    lastOptimizer = optimizerChoice();
  });

  $('unlock-settings').addEventListener('click', () => {
    unlockSettings();
    // the button hid itself: the keyboard goes on at the form's first setting
    document.querySelector<HTMLElement>('.settings .fields :is(input, select):not(:disabled)')?.focus();
  });
  // every text, model and training choice back to the value the page opened with: the book's
  $('defaults').addEventListener('click', () => {
    unlockSettings();
    for (const el of Array.from(document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('.settings .fields :is(input, select)'))) {
      if (el instanceof HTMLSelectElement) el.value = Array.from(el.options).find((o) => o.defaultSelected)?.value ?? el.options[0]?.value ?? '';
      else if (el.type === 'checkbox') el.checked = el.defaultChecked;
      else el.value = el.defaultValue;
    }
    interplay();
  });
}
