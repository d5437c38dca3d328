// Messages between the page and its training worker.
import type { BatchProgress, EpochStats, TrainConfig } from '../src/browser.js';

export type ToWorker =
  | { type: 'init'; wasmUrl: string }
  | { type: 'train'; text: string; config: Partial<TrainConfig> }
  | { type: 'pause' } | { type: 'resume' } | { type: 'stop' }
  | { type: 'generate'; prefix: string; len: number; sample: boolean; temperature: number; seed: number }
  | { type: 'download' }
  | { type: 'load'; bytes: ArrayBuffer; name: string };

export type FromWorker =
  | { type: 'ready'; backend: string; notice?: string }
  | { type: 'started'; chars: number; vocabSize: number; numTrain: number; numVal: number }
  | { type: 'batch'; progress: BatchProgress }
  | { type: 'epoch'; stats: EpochStats }
  | { type: 'done'; reason: 'finished' | 'stopped' | 'diverged'; message?: string }
  | { type: 'generated'; text: string }
  | { type: 'checkpoint'; bytes: Uint8Array }
  | { type: 'loaded'; name: string; vocabSize: number; numHiddens: number; model: string }
  | { type: 'error'; message: string };
