// Messages between the page and its training worker.
import type { BatchProgress, EpochStats, GenerateOptions, TextMode, TokenMode, TrainConfig } from '../src/browser.js';

/** The Generate card's options, as the library takes them (web/generation-options.ts reads them from the form); Stop is a message, not a signal. */
export type GenerationOptions = Omit<GenerateOptions, 'signal'>;

/** One of the most likely next tokens after the prefix: its text and probability. */
export interface NextToken {
  token: string;
  p: number;
}

export type ToWorker =
  | { type: 'init'; wasmUrl: string; sharedWasmUrl: string } // the kernels, and their shared build (web/parallel.ts)
  // samplePrefix: the text that each epoch's sample continues (the Generate card's prefix)
  | { type: 'train'; text: string; config: Partial<TrainConfig>; samplePrefix: string }
  | { type: 'continue'; text: string; epochs: number; samplePrefix: string } // continue the current model's run up to this many epochs in all
  | { type: 'pause' } | { type: 'resume' } | { type: 'stop' }
  | { type: 'generate'; id: number; prefix: string; options: GenerationOptions } // id: echoed by its answers
  | { type: 'stop-generating' } // ends the running generation: the text so far stays
  | { type: 'next-tokens'; id: number; prefix: string; k: number } // the k most likely tokens after the prefix (the probability view)
  | { type: 'download'; purpose: CheckpointPurpose } // the current model as a checkpoint file, answered by 'checkpoint'
  | { type: 'load'; bytes: ArrayBuffer; name: string; source: LoadSource };

/** Where a model the page opens comes from: the one shipped with the page, a file, or the models saved in the browser. */
export type LoadSource = 'shipped' | 'file' | 'saved';

/**
 * What tells a request from others of its type, echoed in its answers and its error, so that each goes to the view
 * that asked (a saved model's open, not a file's) and an answer to an older request is known as such.
 */
export interface RequestTag {
  source?: LoadSource; // 'load'
  purpose?: CheckpointPurpose; // 'download'
  id?: number; // 'generate', 'next-tokens'
}

/** A request's tag (RequestTag): its source, purpose or id, whichever it has. */
export function requestTag(m: ToWorker): RequestTag {
  return {
    ...('source' in m ? { source: m.source } : {}), ...('purpose' in m ? { purpose: m.purpose } : {}), ...('id' in m ? { id: m.id } : {}),
  };
}

/** What the page asks for a checkpoint for: a file to download, or a model to save in the browser (web/model-store.ts). */
export type CheckpointPurpose = 'file' | 'store';

/** A checkpoint's run as the list of saved models shows it: epochs done, and the last of them's perplexities (null: not measured). */
export interface ModelMetrics {
  epochs: number;
  trainPpl: number | null;
  valPpl: number | null; // null also for a run without validation windows
}

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
  | { type: 'generated'; id: number; index: number; text: string; first: boolean } // the next piece of text `index` (first: a new generation's first piece)
  | { type: 'generation-done'; id: number; stopped: boolean; texts: number; seed?: number } // every text is out, or Stop ended them; seed: sampling's
  | { type: 'next-tokens'; id: number; prefix: string; top: NextToken[]; unknown: string[] } // unknown: the prefix's tokens the model lacks (read as <unk>)
  | { type: 'next-tokens'; id: number; prefix: string; error: string } // the prefix cannot be read (no token the model knows), or no model
  | {
    type: 'checkpoint'; purpose: CheckpointPurpose; bytes: Uint8Array; // the purpose the 'download' asked for
    model: string; // what the file holds: 'gru, 32 hidden units, vocabulary 28, book text, char tokens'
    label: string; // the model in short, for a default name: 'gru, 32 hidden units'
    metrics: ModelMetrics | null; // its run as of the epoch the file holds; null: weights only (no run)
  }
  | {
    type: 'loaded'; source: LoadSource; name: string; vocabSize: number; numHiddens: number; model: string;
    run: RunInfo | null; history: EpochStats[]; // the run the file holds (null: a model alone), and its curves
    config: TrainConfig; // the settings it was trained with (the page's form shows them)
  } & TextChoice
  | { type: 'error'; of: ToWorker['type']; message: string } & RequestTag;

/** Posts a message to the training worker (transferring `transfer`): the views get it from web/main.ts, which owns the worker. */
export type Send = (m: ToWorker, transfer?: Transferable[]) => void;
