// A run's state as a checkpoint stores it, checked field by field before a run continues from it: every field a
// resumed run reads, none filled in. A state that training could not have written is refused, since continuing from
// it would not continue that run (a first loss of 1e308 turns the blow-up rule off; an average of squares below 0
// trains to NaN; a curve of text breaks the report at the end). Read by the readers that continue runs
// (read.ts's TrainingCheck), not by rnnlm/inference.
import { Rng } from '../../tensor/random.js';
import type { TrainConfig } from '../config/config-schema.js';
import { MAX_STATE_HISTORY, type TrainingState } from '../run/run-state.js';
import type { EpochStats } from '../run/trainer.js';

/** The largest float32: losses and perplexities are computed in float32, so a stored one above it was not computed. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** A number in [lo, hi] (NaN and the infinities fail), or with orNull also JSON's null (NaN as a run wrote it). */
const inRange = (lo: number, hi: number, orNull = true) => (v: unknown): boolean => (orNull && v === null) || (typeof v === 'number' && v >= lo && v <= hi);

/** What each number of an epoch's statistics may be (every field predates checkpoint version 3, so all must be there). */
const EPOCH_FIELDS: Record<Exclude<keyof EpochStats, 'trainCurve' | 'epoch'>, (v: unknown) => boolean> = {
  // a perplexity is exp of a mean cross-entropy, at least 1; NaN (JSON null) where there was none to take
  trainPpl: inRange(1, FLOAT32_MAX),
  valPpl: inRange(1, FLOAT32_MAX),
  seconds: inRange(0, Number.MAX_VALUE, false),
  tokensPerSecond: inRange(0, Number.MAX_VALUE),
  gradNormMedian: inRange(0, Number.MAX_VALUE),
  gradNormMax: inRange(0, Number.MAX_VALUE),
  clippedFraction: inRange(0, 1),
};

/** Checks a training state read from a file against the configuration (read.ts's TrainingCheck); returns it typed. */
export function validateTraining(raw: unknown, config: TrainConfig, storedEpoch: string | undefined): TrainingState {
  const t = raw as TrainingState;
  const fail = (why: string): never => {
    throw new Error(`training state: ${why}`);
  };
  const int = (v: unknown, max: number): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;
  if (typeof t !== 'object' || t === null || Array.isArray(t)) throw new Error('training state is not an object');
  if (!int(t.epoch, config.epochs)) fail(`epoch ${String(t.epoch)} is not a whole number from 0 to the run's ${config.epochs} epochs`);
  if (storedEpoch !== undefined && storedEpoch !== String(t.epoch)) fail(`the file's epoch ${storedEpoch} disagrees with the state's ${t.epoch}`);
  if (!int(t.steps, Number.MAX_SAFE_INTEGER) || !int(t.optimizerSteps, t.steps)) fail('bad step counts');
  // the first step's loss: a cross-entropy (>= 0, float32); none (JSON null, NaN in memory) only before the first step
  if (t.firstLoss === null && t.steps === 0) t.firstLoss = NaN;
  else if (!(typeof t.firstLoss === 'number' && t.firstLoss >= 0 && t.firstLoss <= FLOAT32_MAX)) {
    fail(`first loss ${JSON.stringify(t.firstLoss)} is not a cross-entropy (a number from 0 to ${FLOAT32_MAX}${t.steps === 0 ? ', or null before the first step' : ''})`);
  }
  // the last min(epoch, MAX_STATE_HISTORY) epochs, each saying which it is
  const kept = Math.min(t.epoch, MAX_STATE_HISTORY);
  if (!Array.isArray(t.history) || t.history.length !== kept) fail(`${t.epoch} epochs done but ${Array.isArray(t.history) ? t.history.length : 'no'} curves (expected ${kept})`);
  t.history.forEach((e, i) => {
    const r = e as unknown as Record<string, unknown>;
    const which = t.epoch - kept + 1 + i;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) fail(`curve ${i + 1} is not an epoch's statistics`);
    if (r['epoch'] !== which) fail(`curve ${i + 1} is of epoch ${String(r['epoch'])}, expected ${which}`);
    for (const [field, ok] of Object.entries(EPOCH_FIELDS)) if (!ok(r[field])) fail(`epoch ${which}'s ${field} is ${JSON.stringify(r[field]) ?? 'missing'}`);
    const curve = r['trainCurve'];
    if (!Array.isArray(curve) || !curve.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'number' && (p[1] === null || (typeof p[1] === 'number' && p[1] >= 1)))) {
      fail(`epoch ${which}'s trainCurve is not a list of [epoch, perplexity] pairs`);
    }
  });
  if (t.data !== undefined && typeof t.data !== 'string') fail('the data path is not a string');
  for (const k of ['dataSha1', 'textSha1'] as const) {
    if (t[k] !== undefined && !(typeof t[k] === 'string' && /^[0-9a-f]{40}$/.test(t[k]))) fail(`bad ${k}`);
  }
  try {
    new Rng(0).setState(t.rng); // throws for a malformed generator state
  } catch (e) {
    fail(`bad random generator state (${e instanceof Error ? e.message : String(e)})`);
  }
  return t;
}

