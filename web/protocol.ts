// Messages between the page and its training worker.
import type { BatchProgress, EpochStats, TextMode, TokenMode, TrainConfig } from '../src/browser.js';

export type ToWorker =
  | { type: 'init'; wasmUrl: string }
  // samplePrefix: the text that each epoch's sample continues (the Generate card's prefix)
  | { type: 'train'; text: string; config: Partial<TrainConfig>; samplePrefix: string }
  | { type: 'continue'; text: string; epochs: number; samplePrefix: string } // continue the current model's run up to this many epochs in all
  | { type: 'pause' } | { type: 'resume' } | { type: 'stop' }
  | { type: 'generate'; prefix: string; len: number; sample: boolean; temperature: number; seed: number; beam: number }
  | { type: 'download' }
  | { type: 'load'; bytes: ArrayBuffer; name: string };

/** How a model reads its text. */
export interface TextChoice {
  text: TextMode; // 'book' (letters only, lower case) or 'raw'
  tokens: TokenMode; // 'char' or 'word'
}

/** The run the current model belongs to, when it can be continued: epochs done of the run's total, and how it trains. */
export interface RunInfo {
  epochsDone: number;
  epochs: number; // the total the run was last asked for
  optimizer: string; // 'sgd, lr 1, constant schedule'
}

export type FromWorker =
  | { type: 'ready'; backend: string; notice?: string }
  | {
    type: 'started'; numTokens: number; vocabSize: number; numTrain: number; numVal: number; split: TrainConfig['split'];
    chars: number; dropped: number; // characters read, and how many of them the book's preprocessing dropped
    history: EpochStats[]; // the epochs done before (a continued run), which the chart shows first
    epochs: number; // the run's total
    threads: number; // training threads (web/parallel.ts)
    threadNotice?: string; // why the page trains on one thread, when it could use more
  } & TextChoice
  | { type: 'batch'; progress: BatchProgress }
  | { type: 'epoch'; stats: EpochStats; sample: string } // sample: greedy text from the model as of this epoch
  | { type: 'done'; reason: 'finished' | 'stopped' | 'diverged'; message?: string; run: RunInfo | null }
  | { type: 'generated'; text: string; first: boolean; done: boolean } // the next piece of text (first: a new text); done once complete
  | { type: 'checkpoint'; bytes: Uint8Array; epochsDone: number | null }
  | {
    type: 'loaded'; name: string; vocabSize: number; numHiddens: number; model: string;
    run: RunInfo | null; history: EpochStats[]; // the run the file holds (null: a model alone), and its curves
    config: TrainConfig; // the settings it was trained with (the page's form shows them)
  } & TextChoice
  | { type: 'error'; of: ToWorker['type']; message: string };

/** Posts a message to the training worker (transferring `transfer`): the views get it from web/main.ts, which owns the worker. */
export type Send = (m: ToWorker, transfer?: Transferable[]) => void;
