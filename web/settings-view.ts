// The settings' interplay (the controls themselves come from the schema, web/form.ts): controls a choice makes unused
// are turned off with the reason in their tooltip (the full split's windows; the activation of gated cells; dropout
// with one layer), a new optimizer brings its suggested learning rate, and "Book's settings" restores every choice.
import type { TrainConfig } from '../src/browser.js';
import { $, enable, number } from './dom.js';
import { describeText } from './text-source.js';

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

/** Wires the settings' controls (once web/form.ts has rendered them) and turns off those the book's settings leave unused. */
export function setupSettings(): void {
  $('split').addEventListener('change', splitChanged);
  splitChanged();
  for (const id of ['cell', 'concise']) $(id).addEventListener('change', modelChanged);
  $('numLayers').addEventListener('input', modelChanged);
  modelChanged();

  // the learning rate follows the optimizer only while it is the previous one's suggestion: a rate set by hand stays
  let lastOptimizer = optimizerChoice();
  $('optimizer').addEventListener('change', () => {
    const lr = $<HTMLInputElement>('lr');
    if (Number(lr.value) === SUGGESTED_LR[lastOptimizer]) lr.value = String(SUGGESTED_LR[optimizerChoice()]);
    lastOptimizer = optimizerChoice();
  });

  // every text, model and training choice back to the value the page opened with: the book's
  $('defaults').addEventListener('click', () => {
    for (const el of Array.from(document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('.settings .fields :is(input, select)'))) {
      if (el instanceof HTMLSelectElement) el.value = Array.from(el.options).find((o) => o.defaultSelected)?.value ?? el.options[0]?.value ?? '';
      else if (el.type === 'checkbox') el.checked = el.defaultChecked;
      else el.value = el.defaultValue;
    }
    splitChanged();
    modelChanged();
    describeText();
    lastOptimizer = optimizerChoice();
  });
}
