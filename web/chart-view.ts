// The perplexity chart: the epochs of state.epochs drawn with Vega as wide as the chart's card (redrawn when the width
// changes), a line of text in its place while there are none, and the numbers as data-* attributes (data-points,
// data-train-ppl, data-val-ppl, data-drawn) for the tests that compare the page's numbers with the command line's.
import embed, { type Result } from 'vega-embed';
import { chartPoints, perplexityChart, type EpochStats } from '../src/browser.js';
import { $ } from './dom.js';
import { state } from './state.js';

const chartDiv = $<HTMLDivElement>('chart');
let chart: Result | null = null;
let drawing: Promise<void> = Promise.resolve();
let drawnWidth = 0; // the container width of the last drawing

/** A line of text in place of the chart while there are no epochs: no empty frame. */
function placeholder(): HTMLParagraphElement {
  const p = document.createElement('p');
  p.className = 'placeholder';
  p.textContent = state.training ? 'the curves appear here after the first epoch' : 'the perplexity curves appear here when training starts';
  return p;
}

/** Redraws the chart from state.epochs; drawings run one after another, so the last one shows the latest epochs. */
export function drawChart(): Promise<void> {
  const epochs = state.epochs;
  // the numbers first (every digit, for tests that compare the page's numbers with the command line's), then the drawing
  chartDiv.dataset['points'] = String(epochs.length);
  chartDiv.dataset['trainPpl'] = epochs.map((e) => String(e.trainPpl)).join(' ');
  chartDiv.dataset['valPpl'] = epochs.map((e) => String(e.valPpl)).join(' ');
  const shown = [...epochs];
  const curves = [{ name: 'this run', epochs: shown }];
  drawing = drawing.catch(() => {}).then(async () => { // a failed drawing does not stop the next
    if (chart && shown.length > 0 && chartDiv.clientWidth === drawnWidth) {
      // a new epoch: new data in the drawn view (re-embedding the figure cost the page ~70 ms of main thread per epoch)
      await chart.view.data('points', chartPoints(curves)).runAsync();
      chartDiv.dataset['drawn'] = String(shown.length);
      return;
    }
    chart?.finalize();
    chart = null;
    drawnWidth = chartDiv.clientWidth;
    if (shown.length === 0) {
      chartDiv.replaceChildren(placeholder());
    } else {
      // the whole figure (axes and legend too) fits the card's width; on a phone the legend goes below the plot
      const narrow = drawnWidth < 480;
      const spec = {
        ...perplexityChart(curves, { width: Math.max(200, drawnWidth), height: narrow ? 240 : 300 }),
        autosize: { type: 'fit', contains: 'padding' },
        ...(narrow ? { config: { legend: { orient: 'bottom' } } } : {}),
      };
      chart = await embed(chartDiv, spec as never, { actions: false, renderer: 'svg' });
    }
    chartDiv.dataset['drawn'] = String(shown.length); // the epochs the drawing shows
  });
  return drawing;
}

/** Shows these epochs in place of those shown: a new run's, or a checkpoint's. */
export function showEpochs(epochs: readonly EpochStats[]): void {
  state.epochs = [...epochs];
  void drawChart();
}

/** Adds the epoch a run just finished. */
export function addEpoch(stats: EpochStats): void {
  state.epochs.push(stats);
  void drawChart();
}

/** Draws the chart for the first time, and again at every new width (a rotated phone, a resized window) once the resizing settles. */
export function setupChart(): void {
  let resizeTimer = 0;
  new ResizeObserver(() => {
    if (chartDiv.clientWidth === drawnWidth || state.epochs.length === 0) return;
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => void drawChart(), 150) as unknown as number;
  }).observe(chartDiv);
  void drawChart();
}
