// Errors beside the control that caused them: each card has an alert line under its buttons (#text-error,
// #train-error, #generate-error, #checkpoint-error, and #saved-error for the models saved in the browser; the buttons
// name it with aria-describedby), so that on a phone
// the message is where the finger is, not a screen away in the status line (which shows it too).
import type { ToWorker } from './protocol.js';
import { $ } from './dom.js';

/** The cards that show their own errors. */
export type ErrorPlace = 'text' | 'train' | 'generate' | 'checkpoint' | 'saved';

/** The card whose control sent each kind of request to the worker. */
const PLACE_OF: Readonly<Record<ToWorker['type'], ErrorPlace>> = {
  init: 'train', train: 'train', continue: 'train', pause: 'train', resume: 'train', stop: 'train',
  generate: 'generate', 'stop-generating': 'generate', 'next-tokens': 'generate', download: 'checkpoint', load: 'checkpoint',
};

/** Shows an error (one line) beside the control it came from. */
export function showError(place: ErrorPlace, message: string): void {
  $(`${place}-error`).textContent = message.replace(/\s+/g, ' ');
}

/** Shows an error of a worker request beside the control that sent it. */
export function showRequestError(of: ToWorker['type'], message: string): void {
  showError(PLACE_OF[of], message);
}

/** The control's action went through: its old error goes. */
export function clearError(place: ErrorPlace): void {
  $(`${place}-error`).textContent = '';
}
