// A one-line progress bar for a terminal (stderr): batches done, perplexity so far, tokens per second, time left.
import type { BatchProgress } from '../train/run/trainer.js';

export class ProgressBar {
  private readonly started = performance.now();
  private batchesDone = 0;
  private lastDraw = 0;

  constructor(private readonly out: NodeJS.WriteStream, private readonly epochs: number) {}

  update(p: BatchProgress): void {
    this.batchesDone++;
    const now = performance.now();
    if (now - this.lastDraw < 100 && p.step < p.steps) return; // at most 10 redraws a second
    this.lastDraw = now;
    const width = 20;
    const filled = Math.round((width * p.step) / Math.max(1, p.steps));
    const perBatch = (now - this.started) / this.batchesDone;
    const left = ((this.epochs - p.epoch) * p.steps + (p.steps - p.step)) * perBatch / 1000;
    const line = `epoch ${p.epoch}/${this.epochs} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.step}/${p.steps}  ` +
      `ppl ${p.trainPpl.toFixed(2)}  ${(p.tokensPerSecond / 1e6).toFixed(2)}M tokens/s  ${clock(left)} left`;
    this.out.write(`\r${line.slice(0, (this.out.columns || 100) - 1)}\x1b[K`);
  }

  /** Erases the bar (before a regular line is printed). */
  clear(): void {
    this.out.write('\r\x1b[K');
  }
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const mm = String(m).padStart(h > 0 ? 2 : 1, '0');
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s % 60).padStart(2, '0')}`;
}
