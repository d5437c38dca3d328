// The training run's progress: its clock (paused time left out), the epoch and run progress bars with their counts,
// the time left, each batch's numbers in the status line (at most every BATCH_UPDATE_MS), and window.epochSeconds.
import type { BatchProgress, EpochStats } from '../src/browser.js';
import { $, duration } from './dom.js';
import { setStatus } from './messages.js';
import { state } from './state.js';

const [epochBar, runBar] = [$<HTMLProgressElement>('epoch-progress'), $<HTMLProgressElement>('run-progress')];
const timeLeft = $<HTMLSpanElement>('time-left');

/** Seconds of each epoch of the current run (bench/page-speed.mjs reads them). */
const epochSeconds: number[] = [];
Object.assign(window, { epochSeconds });

/** The run's clock, paused time left out: when it started, when the current epoch started, how long the last epoch took. */
const clock = { total: 0, runStart: 0, epochStart: 0, lastEpoch: 0, steps: 0, pausedAt: 0 };

function showProgress(epoch: number, step: number, steps: number): void {
  const part = steps > 0 ? step / steps : 0;
  epochBar.value = part;
  runBar.value = clock.total > 0 ? Math.min(1, (epoch - 1 + part) / clock.total) : 0;
  $('epoch-count').textContent = steps > 0 ? `batch ${step} / ${steps}` : '–';
  $('run-count').textContent = clock.total > 0 ? `epoch ${Math.min(epoch, clock.total)} / ${clock.total}` : '–';
}

/** The time left, from this epoch's rate of batches (and, once one is done, the time a whole epoch with validation takes). */
function estimate(epoch: number, step: number, steps: number): string {
  if (step < 1) return '';
  const perBatch = (performance.now() - clock.epochStart) / step;
  const perEpoch = clock.lastEpoch || perBatch * steps;
  return `about ${duration((steps - step) * perBatch + (clock.total - epoch) * perEpoch)} left`;
}

/**
 * Batch progress is shown at most every BATCH_UPDATE_MS (the latest batch; an epoch's last one always): every update
 * restyles and repaints the page, and on a machine with few cores the page's drawing takes its time from training
 * (in one interleaved run on 2 cores, updating at every batch of the book's run made one-thread training 1.47x
 * Node's time, against 1.28x with no batch updates).
 */
const BATCH_UPDATE_MS = 100;
let pendingBatch: BatchProgress | null = null;
let batchShownAt = -Infinity;
let batchTimer = 0;

/** A batch's progress, shown now or when BATCH_UPDATE_MS have passed since the last. */
export function showBatch(p: BatchProgress): void {
  pendingBatch = p;
  const wait = batchShownAt + BATCH_UPDATE_MS - performance.now();
  if (wait <= 0) flushBatch();
  else if (batchTimer === 0) batchTimer = setTimeout(flushBatch, wait) as unknown as number;
}

/** Forgets a batch update waiting to be shown. */
export function dropBatch(): void {
  clearTimeout(batchTimer);
  batchTimer = 0;
  pendingBatch = null;
}

/** Shows the latest batch's progress now, if one is waiting. */
function flushBatch(): void {
  const p = pendingBatch;
  dropBatch();
  if (p === null) return;
  batchShownAt = performance.now();
  setStatus(`epoch ${p.epoch}: batch ${p.step}/${p.steps}, train ppl ${p.trainPpl.toFixed(2)}, ` +
    `${Math.round(p.tokensPerSecond).toLocaleString('en-US')} tokens/s${state.paused ? ' (paused)' : ''}`);
  $('status').dataset['tokensPerSecond'] = String(Math.round(p.tokensPerSecond));
  $('status').dataset['shownAt'] = String(batchShownAt); // when it was shown, by the page's clock (a test's observer runs later, under load much later)
  clock.steps = p.steps;
  showProgress(p.epoch, p.step, p.steps);
  if (!state.paused) timeLeft.textContent = estimate(p.epoch, p.step, p.steps);
}

/** A run starts (or continues after `epochsDone` epochs) towards `total` epochs: nothing of an earlier run is shown. */
export function startClock(total: number, epochsDone: number): void {
  dropBatch();
  Object.assign(clock, { total, runStart: performance.now(), epochStart: performance.now(), lastEpoch: 0, steps: 0, pausedAt: 0 });
  showProgress(epochsDone + 1, 0, 0);
  timeLeft.textContent = 'estimating the time left…';
  epochSeconds.length = 0;
}

/** An epoch is done: its last batch shown, the bars full for it, its time the next estimates' time per epoch. */
export function epochDone(stats: EpochStats): void {
  flushBatch();
  const now = performance.now();
  [clock.lastEpoch, clock.epochStart] = [now - clock.epochStart, now];
  showProgress(stats.epoch, clock.steps, clock.steps);
  epochSeconds.push(stats.seconds);
}

/** The run ended: finished (full bars and the time it took), stopped or diverged (no time left to show). */
export function runDone(finished: boolean): void {
  flushBatch();
  if (finished) runBar.value = 1;
  timeLeft.textContent = finished ? `took ${duration(performance.now() - clock.runStart)}` : '';
}

/** The run failed: a waiting batch update must not cover the error. */
export function runFailed(): void {
  dropBatch();
  timeLeft.textContent = '';
}

/** Pauses or resumes the clock: paused time is not training time, so the time left skips it. */
export function pauseClock(pause: boolean): void {
  if (pause) {
    clock.pausedAt = performance.now();
    timeLeft.textContent = 'paused';
  } else if (clock.pausedAt) {
    const away = performance.now() - clock.pausedAt;
    [clock.runStart, clock.epochStart, clock.pausedAt] = [clock.runStart + away, clock.epochStart + away, 0];
  }
}

/** A run that ends while paused leaves no pause for the clock to skip. */
export function forgetPause(): void {
  clock.pausedAt = 0;
}
