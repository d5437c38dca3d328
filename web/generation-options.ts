// The Generate card's settings read into the library's GenerateOptions (Hugging Face generate's names, in camelCase):
// max new tokens, samples, beam, sample, temperature and seed in view, and under "more options" top-k, top-p,
// repetition penalty, no-repeat n-gram size, min new tokens and stop strings (one per line). An empty box leaves the
// library's default; a control that is off (sampling's, under beam search or without "sample") is left out. The page
// checks only what the library cannot see (a box that holds no number; at least one new token; 0 as beam search off;
// a seed's range): the
// library checks every value's range and how the options combine, and its messages name the options in camelCase,
// which GENERATION_LABELS turns into the page's labels (web/worker.ts reads an OptionError with them).
import type { GenerationOptions } from './protocol.js';
import { $ } from './dom.js';

type NumberOption = 'maxNewTokens' | 'minNewTokens' | 'numReturnSequences' | 'numBeams' | 'temperature' | 'topK' | 'topP' | 'seed' |
  'repetitionPenalty' | 'noRepeatNgramSize';

/** The control (by id) of each numeric option, and its label. */
const NUMBER_CONTROLS: Readonly<Record<NumberOption, { id: string; label: string }>> = {
  maxNewTokens: { id: 'len', label: 'max new tokens' },
  minNewTokens: { id: 'min-new', label: 'min new tokens' },
  numReturnSequences: { id: 'samples', label: 'samples' },
  numBeams: { id: 'beam', label: 'beam' },
  temperature: { id: 'temperature', label: 'temperature' },
  topK: { id: 'top-k', label: 'top-k' },
  topP: { id: 'top-p', label: 'top-p' },
  seed: { id: 'gen-seed', label: 'seed' },
  repetitionPenalty: { id: 'repetition-penalty', label: 'repetition penalty' },
  noRepeatNgramSize: { id: 'no-repeat-ngram', label: 'no-repeat n-gram' },
};

/** The page's label of each option the library's messages may name (camelCase, or the book's numPreds). */
export const GENERATION_LABELS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(NUMBER_CONTROLS).map(([option, { label }]) => [option, label])),
  numPreds: 'max new tokens', beam: 'beam', stop: 'stop strings', sample: 'sample',
};

/** The largest seed: the sampler's seeds are 32-bit. */
const MAX_SEED = 2 ** 32 - 1;

/** An option's number, or undefined when its box is empty or off. */
function read(option: NumberOption): number | undefined {
  const { id, label } = NUMBER_CONTROLS[option];
  const el = $<HTMLInputElement>(id);
  if (el.disabled) return undefined;
  if (el.validity.badInput) throw new Error(`${label} must be a number`);
  const text = el.value.trim();
  return text === '' ? undefined : Number(text);
}

/** The stop strings: one per line (spaces kept: ' the' stops before a word), empty lines left out. */
export function stopStrings(text: string): string[] {
  return text.split(/\r?\n/).filter((s) => s !== '');
}

/** The form's generation settings as the library's options (throws, in the page's words, what the page refuses itself). */
export function readGenerationOptions(): GenerationOptions {
  const maxNewTokens = read('maxNewTokens') ?? 0;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) throw new Error(`the number of tokens to generate must be a whole number of at least 1, got ${maxNewTokens}`);
  const beam = read('numBeams') ?? 0; // 0 or empty: off
  if (!Number.isInteger(beam) || beam < 0) throw new Error(`the beam must be 0 (off) or a whole number of hypotheses, got ${beam}`);
  const sample = !$<HTMLInputElement>('sample').disabled && $<HTMLInputElement>('sample').checked;
  const seed = read('seed');
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED)) {
    throw new Error(`seed must be a whole number from 0 to ${MAX_SEED} (empty: a random one), got ${seed}`);
  }
  const options: GenerationOptions = { maxNewTokens };
  const set = <K extends keyof GenerationOptions>(key: K, value: GenerationOptions[K] | undefined): void => {
    if (value !== undefined) options[key] = value;
  };
  if (beam !== 0) options.numBeams = beam;
  if (sample) {
    options.sample = true;
    for (const o of ['temperature', 'topK', 'topP'] as const) set(o, read(o));
    set('seed', seed);
  }
  for (const o of ['minNewTokens', 'numReturnSequences', 'repetitionPenalty', 'noRepeatNgramSize'] as const) set(o, read(o));
  const stops = stopStrings($<HTMLTextAreaElement>('stop-strings').value);
  if (stops.length > 0) options.stop = stops;
  return options;
}
