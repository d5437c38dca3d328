// The perplexity chart: the epochs of state.epochs drawn as SVG by hand (src/plot/svg.ts: no chart library in the
// page) as wide as the chart's card (redrawn when the width changes), a line of text in its place while there are
// none, and the numbers as data-* attributes (data-points, data-train-ppl, data-val-ppl, data-drawn) for the tests
// that compare the page's numbers with the command line's.
import type { EpochStats } from '../src/browser.js';
import { perplexitySvg } from '../src/plot/svg.js';
import { $ } from './dom.js';
import { state } from './state.js';

const chartDiv = $<HTMLDivElement>('chart');
let drawnWidth = 0; // the container width of the last drawing

/** A line of text in place of the chart while there are no epochs: no empty frame. */
function placeholder(): HTMLParagraphElement {
  const p = document.createElement('p');
  p.className = 'placeholder';
  p.textContent = state.training ? 'the curves appear here after the first epoch' : 'the perplexity curves appear here when training starts';
  return p;
}

/** Redraws the chart from state.epochs (a whole drawing is a string of a few kB: well under a millisecond). */
export function drawChart(): void {
  const epochs = state.epochs;
  // the numbers first (every digit, for tests that compare the page's numbers with the command line's), then the drawing
  chartDiv.dataset['points'] = String(epochs.length);
  chartDiv.dataset['trainPpl'] = epochs.map((e) => String(e.trainPpl)).join(' ');
  chartDiv.dataset['valPpl'] = epochs.map((e) => String(e.valPpl)).join(' ');
  drawnWidth = chartDiv.clientWidth;
  if (epochs.length === 0) {
    chartDiv.replaceChildren(placeholder());
  } else {
    // the whole figure (axes and legend too) fits the card's width; on a phone it is lower
    const svg = perplexitySvg([{ name: 'this run', epochs }], { width: Math.max(200, drawnWidth), height: drawnWidth < 480 ? 240 : 300 });
    // the string holds numbers and fixed words only (perplexitySvg escapes its labels)
    chartDiv.innerHTML = svg;
  }
  // the card's chart is one image to assistive technology: its name says the last epoch's numbers
  chartDiv.setAttribute('aria-label', chartDiv.querySelector('svg')?.getAttribute('aria-label') ?? 'perplexity chart: no epochs yet');
  chartDiv.dataset['drawn'] = String(epochs.length); // the epochs the drawing shows
}

/** Shows these epochs in place of those shown: a new run's, or a checkpoint's. */
export function showEpochs(epochs: readonly EpochStats[]): void {
  state.epochs = [...epochs];
  drawChart();
}

/** Adds the epoch a run just finished. */
export function addEpoch(stats: EpochStats): void {
  state.epochs.push(stats);
  drawChart();
}

/** Draws the chart for the first time, and again at every new width (a rotated phone, a resized window) once the resizing settles. */
export function setupChart(): void {
  let resizeTimer = 0;
  new ResizeObserver(() => {
    if (chartDiv.clientWidth === drawnWidth || state.epochs.length === 0) return;
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(drawChart, 150) as unknown as number;
  }).observe(chartDiv);
  drawChart();
}
