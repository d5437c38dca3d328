// A sample after each epoch, beside the perplexity curves: the model's greedy continuation of the Generate card's
// prefix as of that epoch (the book's predict, D2L 9.5), newest first, so that the text can be seen improving as the
// perplexity falls. The worker writes each sample with the epoch's numbers ('epoch' message, web/worker.ts).
// The newest SHOWN are kept: a list that grows with a 100-epoch run would push the Generate card a screen down, and a
// scrolling box would be one more stop for the keyboard.
import { $ } from './dom.js';

const SHOWN = 10;

const list = $<HTMLOListElement>('epoch-samples');

/** A new run (or a checkpoint opened): no samples yet; a continued run's earlier epochs have none to show. */
export function clearSamples(): void {
  list.replaceChildren();
}

/** The sample written after `epoch`, shown first. */
export function addSample(epoch: number, text: string): void {
  if (text === '') return; // nothing the model could start a text from
  const item = document.createElement('li');
  const label = document.createElement('span');
  label.className = 'epoch';
  label.textContent = `epoch ${epoch}`;
  const sample = document.createElement('span');
  sample.className = 'epoch-text';
  sample.textContent = text;
  item.append(label, sample);
  item.dataset['epoch'] = String(epoch);
  list.prepend(item);
  while (list.children.length > SHOWN) list.lastElementChild!.remove();
}
