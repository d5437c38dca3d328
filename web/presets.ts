// The texts that ship with the page, to train on without a network: The Time Machine (data/timemachine.txt, the
// book's text and the page's default) and the Dao De Jing in Chinese (test/fixtures/daodejing.txt, 734 characters of
// a non-Latin script). Vite copies each into the site (the short one inline), and the page fetches the chosen one
// from its own origin. A preset brings the settings its text needs; choosing another puts them back to the form's
// defaults, so that presets do not pile up.
import timeMachineUrl from '../data/timemachine.txt?url';
import daodejingUrl from '../test/fixtures/daodejing.txt?url';

export interface Preset {
  url: string;
  name: string; // as the status line names it
  prefix: string; // a prefix to generate from, in the text's script
  settings: Readonly<Record<string, string>>; // control id -> value, besides the form's defaults
  why?: string; // what the settings are for, in the status line
}

export const PRESETS: Readonly<Record<string, Preset>> = {
  timemachine: { url: timeMachineUrl, name: 'The Time Machine', prefix: 'it has', settings: {} },
  daodejing: {
    url: daodejingUrl, name: 'the Dao De Jing', prefix: '道可道',
    // 734 characters: the book's 10,000 windows do not fit, and its letters-only text would drop every one
    settings: { textMode: 'raw', split: 'full', batchSize: '16', numSteps: '16', numHiddens: '64', optimizer: 'adam', lr: '0.01' },
    why: 'settings for a short text in Chinese: raw text (the book\'s keeps only A-Z), the full split, batches of 16 windows of 16 characters, ' +
      '64 hidden units, Adam at 0.01; train on it to generate in Chinese (the ready-trained model knows only The Time Machine\'s letters)',
  },
};

/** Every control some preset sets: choosing a preset first puts these back to their defaults. */
export const PRESET_CONTROLS: readonly string[] = [...new Set(Object.values(PRESETS).flatMap((p) => Object.keys(p.settings)))];
