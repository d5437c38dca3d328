// The book's perplexity figure as one Vega-Lite specification, used by the CLI (rendered to SVG in Node) and by the
// browser page (rendered live): training perplexity (twice per epoch) and validation perplexity (per epoch)
// against epochs, one colour per run when several runs are compared. Every legend entry also has its own point
// marker (circle, square, triangle, ...), so the curves still read printed in grey or by a reader who does not tell
// the colours apart. Pure data: no I/O, no rendering here.
import type { EpochStats } from '../train/run/trainer.js';

export interface RunCurve {
  name: string; // legend label of the run
  epochs: readonly Pick<EpochStats, 'epoch' | 'valPpl' | 'trainPpl' | 'trainCurve'>[];
}

export interface ChartOptions {
  logScale?: boolean; // a log-scaled perplexity axis
  title?: string;
  width?: number;
  height?: number;
}

export interface ChartPoint {
  run: string;
  series: 'train' | 'validation';
  epoch: number;
  perplexity: number;
}

/** The most points one curve (one series of one run) is drawn with: a longer one is thinned (thinCurve). */
export const MAX_CURVE_POINTS = 2000;

/**
 * The indices of the points a curve of these values keeps when drawn with at most max points (max >= 2): all of them
 * when they fit; else the first and the last, and between them, in buckets of consecutive points of equal count, each
 * bucket's lowest and highest value (in their order), so that a spike stays visible however long the run.
 */
export function thinCurve(ys: ArrayLike<number>, max = MAX_CURVE_POINTS): number[] {
  const n = ys.length;
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const keep = [0];
  const inner = n - 2; // the points between the first and the last
  const buckets = Math.floor((max - 2) / 2);
  for (let b = 0; b < buckets; b++) {
    const lo = 1 + Math.floor((b * inner) / buckets);
    const hi = 1 + Math.floor(((b + 1) * inner) / buckets);
    if (lo >= hi) continue;
    let low = lo;
    let high = lo;
    for (let i = lo + 1; i < hi; i++) {
      if (ys[i]! < ys[low]!) low = i;
      if (ys[i]! > ys[high]!) high = i;
    }
    if (low === high) keep.push(low);
    else keep.push(Math.min(low, high), Math.max(low, high));
  }
  keep.push(n - 1);
  return keep;
}

/** One curve's points as two growing arrays of numbers: a long run log holds millions of them, no object each. */
export class CurvePoints {
  private xs: Float64Array = new Float64Array(256);
  private ys: Float64Array = new Float64Array(256);
  length = 0;

  /** Adds a point; one whose coordinates are not finite numbers (a diverged epoch) is left out. */
  push(x: unknown, y: unknown): void {
    if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) return;
    if (this.length === this.xs.length) {
      const grow = (a: Float64Array): Float64Array => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      [this.xs, this.ys] = [grow(this.xs), grow(this.ys)];
    }
    this.xs[this.length] = x;
    this.ys[this.length] = y;
    this.length++;
  }

  /** The points to draw, thinned to at most max (thinCurve). */
  thinned(max = MAX_CURVE_POINTS): [x: number, y: number][] {
    const ys = this.ys.subarray(0, this.length);
    return thinCurve(ys, max).map((i) => [this.xs[i]!, ys[i]!]);
  }
}

/** A run's curves as points (built epoch by epoch with addEpoch: the run log is not kept). */
export interface RunSeries {
  name: string;
  train: CurvePoints;
  validation: CurvePoints;
}

export function runSeries(name: string): RunSeries {
  return { name, train: new CurvePoints(), validation: new CurvePoints() };
}

/** Adds one epoch's points to a run's curves: its training curve (or its training perplexity) and its validation point. */
export function addEpoch(s: RunSeries, e: Partial<Pick<EpochStats, 'epoch' | 'valPpl' | 'trainPpl' | 'trainCurve'>>): void {
  const curve = Array.isArray(e.trainCurve) && e.trainCurve.length > 0 ? e.trainCurve : [[e.epoch, e.trainPpl]];
  for (const point of curve) if (Array.isArray(point)) s.train.push(point[0], point[1]);
  s.validation.push(e.epoch, e.valPpl);
}

const seriesOf = (r: RunCurve | RunSeries): RunSeries => {
  if (!('epochs' in r)) return r;
  const s = runSeries(r.name);
  for (const e of r.epochs) addEpoch(s, e);
  return s;
};

/**
 * The points of the figure: the training curve's points and one validation point per epoch, each curve thinned to at
 * most MAX_CURVE_POINTS points (its first and last kept, and each stretch's lowest and highest).
 */
export function chartPoints(runs: readonly (RunCurve | RunSeries)[]): ChartPoint[] {
  const points: ChartPoint[] = [];
  for (const r of runs.map(seriesOf)) {
    for (const [series, curve] of [['train', r.train], ['validation', r.validation]] as const) {
      for (const [epoch, perplexity] of curve.thinned()) points.push({ run: r.name, series, epoch, perplexity });
    }
  }
  return points;
}

/**
 * The point markers, in the order runs (or, for one run, the train and validation series) get them: shapes that
 * differ in outline, not only in size or angle, so that they read apart at the figure's small point size.
 */
export const MARKERS = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down', 'triangle-right', 'triangle-left'] as const;

/** A Vega-Lite specification of the perplexity figure. */
export function perplexityChart(runs: readonly (RunCurve | RunSeries)[], { logScale = false, title = 'Perplexity', width = 560, height = 320 }: ChartOptions = {}): Record<string, unknown> {
  const several = runs.length > 1;
  // colour and marker name the same domain: without it Vega-Lite draws a legend for each instead of one with both
  const names = [...new Set(runs.map((r) => r.name))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width,
    height,
    background: 'white',
    data: { name: 'points', values: chartPoints(runs) },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', scale: { zero: false } },
      y: { field: 'perplexity', type: 'quantitative', title: 'perplexity', scale: logScale ? { type: 'log' } : { zero: false } },
      color: several
        ? { field: 'run', type: 'nominal', title: 'run', scale: { domain: names } }
        : { field: 'series', type: 'nominal', title: null, scale: { domain: ['train', 'validation'], range: ['#1f77b4', '#d62728'] } },
      detail: { field: several ? 'series' : 'run' },
      tooltip: [{ field: 'run' }, { field: 'series' }, { field: 'epoch', format: '.2f' }, { field: 'perplexity', format: '.3f' }],
    },
    // a line layer and a point layer: a line mark has no shape, so its markers would all be circles, in the plot and
    // in the legend. The shape uses the colour's field and domain, so Vega-Lite draws one legend whose entries have
    // both (beyond 8 runs the markers repeat, the colours still differ).
    layer: [
      { mark: { type: 'line', interpolate: 'monotone' },
        ...(several ? { encoding: { strokeDash: { field: 'series', type: 'nominal', title: null, scale: { domain: ['train', 'validation'], range: [[1, 0], [5, 3]] } } } } : {}) },
      { mark: { type: 'point', filled: true, size: 30, opacity: 1 },
        encoding: { shape: several
          ? { field: 'run', type: 'nominal', title: 'run', scale: { domain: names, range: [...MARKERS] } }
          : { field: 'series', type: 'nominal', title: null, scale: { domain: ['train', 'validation'], range: ['circle', 'square'] } } } },
    ],
  };
}
