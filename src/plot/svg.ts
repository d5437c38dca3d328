// The perplexity figure drawn by hand as an SVG string: the page's live chart, without a chart library (Vega was
// 290 kB of the page's 315 kB of gzipped script). The same points as the Vega-Lite figure of `--plot` (chart.ts's
// chartPoints: each curve thinned to at most MAX_CURVE_POINTS), on linear axes with round ticks, the training curve
// as a line with a square at each whole epoch and the validation perplexity as a dashed line with a dot per epoch,
// and a legend that shows each series' line and marker: the two read apart in grey print, not by colour alone.
// Browser-safe: a string, no DOM.
import { chartPoints, type ChartPoint, type RunCurve, type RunSeries } from './chart.js';

export interface SvgChartOptions {
  width?: number; // px, the whole figure (axes, legend)
  height?: number; // px
  title?: string;
}

/** The two series' colours, as in the Vega-Lite figure (Tableau blue and red). */
const COLOURS = { train: '#1f77b4', validation: '#d62728' } as const;

/** Each series' dash pattern (none: solid) and marker, as the Vega-Lite figure has them (chart.ts: circle, square). */
const DASH = { train: '', validation: ' stroke-dasharray="5 3"' } as const;

/** A series' marker at (x, y) as a path: a square for train, a circle for validation (3 px half-size). */
function markerPath(series: ChartPoint['series'], x: number, y: number): string {
  return series === 'train' ? `M${px(x - 3)} ${px(y - 3)}h6v6h-6Z` : `M${px(x - 3)} ${px(y)}a3 3 0 1 0 6 0a3 3 0 1 0 -6 0Z`;
}

/** About `count` round tick values (1, 2 or 5 times a power of ten apart) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** A number as a tick label: no trailing zeros, at most 4 significant digits ("12.5", "0.25", "1,000"). */
const label = (v: number): string => Number(v.toPrecision(4)).toLocaleString('en-US', { maximumFractionDigits: 4 });

const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Pixel coordinates with at most 0.01 px of precision, so the string stays short. */
const px = (v: number): string => String(Math.round(v * 100) / 100);

/**
 * The perplexity figure of one run (runs after the first are drawn the same way: the page shows one) as an SVG
 * document of exactly width x height px, or a line of text in it when there are no points.
 */
export function perplexitySvg(runs: readonly (RunCurve | RunSeries)[], { width = 560, height = 320, title = 'Perplexity' }: SvgChartOptions = {}): string {
  const points = chartPoints(runs);
  const head = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="system-ui, sans-serif" font-size="11" role="img" aria-label="${escape(describe(points, title))}">`;
  if (points.length === 0) return `${head}<text x="${width / 2}" y="${height / 2}" text-anchor="middle" fill="#5b6470">no epochs yet</text></svg>`;

  // the plot area: room on the left for the perplexity labels, below for the epochs, above for the title and legend
  const [left, right, top, bottom] = [48, 12, 40, 36];
  const [w, h] = [Math.max(10, width - left - right), Math.max(10, height - top - bottom)];
  const xs = points.map((p) => p.epoch);
  const ys = points.map((p) => p.perplexity);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x1 === x0) [x0, x1] = [x0 - 0.5, x1 + 0.5];
  if (y1 === y0) [y0, y1] = [y0 * 0.95 - 0.5, y1 * 1.05 + 0.5];
  const xTicks = niceTicks(x0, x1, Math.max(2, Math.round(w / 70))).filter((t) => Number.isInteger(t) || x1 - x0 < 4);
  // the perplexity axis reaches the round values around the data, each with its tick
  const inner = niceTicks(y0, y1, Math.max(2, Math.round(h / 50)));
  const yStep = inner.length > 1 ? inner[1]! - inner[0]! : 1;
  [y0, y1] = [Math.floor(y0 / yStep) * yStep, Math.ceil(y1 / yStep) * yStep];
  const yTicks = Array.from({ length: Math.round((y1 - y0) / yStep) + 1 }, (_, i) => Number((y0 + i * yStep).toPrecision(12)));
  const sx = (v: number): number => left + ((v - x0) / (x1 - x0)) * w;
  const sy = (v: number): number => top + h - ((v - y0) / (y1 - y0)) * h;

  const parts: string[] = [head, `<rect width="${width}" height="${height}" fill="#fff"/>`];
  parts.push(`<text x="${left}" y="16" font-size="13" font-weight="600" fill="#1f2328">${escape(title)}</text>`);
  // grid lines and tick labels
  const grid = yTicks.map((t) => `M${left} ${px(sy(t))}h${w}`).join('');
  parts.push(`<path d="${grid}" stroke="#e3e7ec" fill="none"/>`);
  for (const t of yTicks) parts.push(`<text x="${left - 6}" y="${px(sy(t) + 4)}" text-anchor="end" fill="#5b6470">${label(t)}</text>`);
  const ticks = xTicks.map((t) => `M${px(sx(t))} ${top + h}v5`).join('');
  parts.push(`<path d="M${left} ${top}v${h}h${w}${ticks}" stroke="#5b6470" fill="none"/>`);
  for (const t of xTicks) parts.push(`<text x="${px(sx(t))}" y="${top + h + 17}" text-anchor="middle" fill="#5b6470">${label(t)}</text>`);
  parts.push(`<text x="${left + w / 2}" y="${height - 4}" text-anchor="middle" fill="#1f2328">epoch</text>`);
  parts.push(`<text transform="translate(12 ${top + h / 2}) rotate(-90)" text-anchor="middle" fill="#1f2328">perplexity</text>`);

  // the curves: a line per series and run, a dot per validation point (with its numbers as a tooltip)
  const groups = new Map<string, ChartPoint[]>();
  for (const p of points) groups.set(`${p.run}\u0000${p.series}`, [...(groups.get(`${p.run}\u0000${p.series}`) ?? []), p]);
  for (const curve of groups.values()) {
    const series = curve[0]!.series;
    const d = curve.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(sx(p.epoch))} ${px(sy(p.perplexity))}`).join('');
    parts.push(`<path class="${series}" d="${d}" stroke="${COLOURS[series]}" stroke-width="2" fill="none" stroke-linejoin="round"${DASH[series]}/>`);
    // the training curve's markers: a square at each whole epoch (its points come twice an epoch, or thinned)
    const squares = series === 'train' && curve.length > 1 ? curve.filter((p) => Number.isInteger(p.epoch)) : [];
    if (squares.length > 0) parts.push(`<path class="train-markers" d="${squares.map((p) => markerPath('train', sx(p.epoch), sy(p.perplexity))).join('')}" fill="${COLOURS.train}"/>`);
    if (series === 'validation' || curve.length === 1) {
      for (const p of curve) {
        parts.push(`<circle cx="${px(sx(p.epoch))}" cy="${px(sy(p.perplexity))}" r="3" fill="${COLOURS[series]}">` +
          `<title>${series}, epoch ${label(p.epoch)}: perplexity ${p.perplexity.toFixed(3)}</title></circle>`);
      }
    }
  }
  // the legend, top right
  const legend = [['train', COLOURS.train], ['validation', COLOURS.validation]] as const;
  let at = width - right;
  for (const [name, colour] of [...legend].reverse()) {
    at -= name.length * 6.2 + 28;
    parts.push(`<path d="M${px(at)} 30h16" stroke="${colour}" stroke-width="2"${DASH[name]}/><path class="legend-marker" d="${markerPath(name, at + 8, 30)}" fill="${colour}"/>` +
      `<text x="${px(at + 21)}" y="34" fill="#1f2328">${name}</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

/** The figure in words, for screen readers: the last epoch's numbers. */
function describe(points: readonly ChartPoint[], title: string): string {
  if (points.length === 0) return `${title}: no epochs yet`;
  const last = (series: ChartPoint['series']): ChartPoint | undefined => points.filter((p) => p.series === series).at(-1);
  const [train, val] = [last('train'), last('validation')];
  const epochs = Math.max(...points.map((p) => p.epoch));
  return `${title} over ${label(epochs)} epochs` +
    (train ? `: training ${train.perplexity.toFixed(2)}` : '') + (val ? `, validation ${val.perplexity.toFixed(2)}` : '');
}
