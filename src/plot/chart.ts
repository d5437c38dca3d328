// The book's perplexity figure as one Vega-Lite specification, used by the CLI (rendered to SVG in Node) and by the
// browser page (rendered live): training perplexity (twice per epoch) and validation perplexity (per epoch)
// against epochs, one colour per run when several runs are compared. Pure data: no I/O, no rendering here.
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

/** The points of the figure: the training curve's points and one validation point per epoch. */
export function chartPoints(runs: readonly RunCurve[]): ChartPoint[] {
  const points: ChartPoint[] = [];
  for (const r of runs) {
    for (const e of r.epochs) {
      const curve = e.trainCurve && e.trainCurve.length > 0 ? e.trainCurve : [[e.epoch, e.trainPpl] as const];
      for (const [x, ppl] of curve) if (Number.isFinite(ppl)) points.push({ run: r.name, series: 'train', epoch: x, perplexity: ppl });
      if (Number.isFinite(e.valPpl)) points.push({ run: r.name, series: 'validation', epoch: e.epoch, perplexity: e.valPpl });
    }
  }
  return points;
}

/** A Vega-Lite specification of the perplexity figure. */
export function perplexityChart(runs: readonly RunCurve[], { logScale = false, title = 'Perplexity', width = 560, height = 320 }: ChartOptions = {}): Record<string, unknown> {
  const several = runs.length > 1;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width,
    height,
    background: 'white',
    data: { name: 'points', values: chartPoints(runs) },
    mark: { type: 'line', point: { size: 18 }, interpolate: 'monotone' },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', scale: { zero: false } },
      y: { field: 'perplexity', type: 'quantitative', title: 'perplexity', scale: logScale ? { type: 'log' } : { zero: false } },
      color: several
        ? { field: 'run', type: 'nominal', title: 'run' }
        : { field: 'series', type: 'nominal', title: null, scale: { domain: ['train', 'validation'], range: ['#1f77b4', '#d62728'] } },
      ...(several ? { strokeDash: { field: 'series', type: 'nominal', title: null, scale: { domain: ['train', 'validation'], range: [[1, 0], [5, 3]] } } } : {}),
      detail: { field: several ? 'series' : 'run' },
      tooltip: [{ field: 'run' }, { field: 'series' }, { field: 'epoch', format: '.2f' }, { field: 'perplexity', format: '.3f' }],
    },
  };
}
