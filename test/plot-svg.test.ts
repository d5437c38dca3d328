// The hand-drawn perplexity figure (src/plot/svg.ts), the page's chart: round ticks, the points where the axes put
// them, the figure exactly the size asked, labels escaped, and a line of text when there is nothing to draw.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { niceTicks, perplexitySvg } from '../src/plot/svg.js';

/** The numbers of an attribute in every element of a tag: [[cx, cy], ...] for circles. */
const attrs = (svg: string, tag: string, names: string[]): number[][] =>
  [...svg.matchAll(new RegExp(`<${tag} ([^>]*)>`, 'g'))].map((m) => names.map((n) => Number(new RegExp(`\\b${n}="([^"]+)"`).exec(m[1]!)![1])));

describe('the hand-drawn perplexity chart', () => {
  it('puts ticks 1, 2 or 5 times a power of ten apart, covering the range', () => {
    assert.deepEqual(niceTicks(3.2, 27.9, 5), [5, 10, 15, 20, 25]); // raw step 4.94 -> 5
    assert.deepEqual(niceTicks(1, 2, 4), [1, 1.5, 2]); // raw step 0.25 -> 0.5
    assert.deepEqual(niceTicks(0.5, 100, 3), [50, 100]); // raw step 33.2 -> 50 (the axis then reaches down to 0)
    assert.deepEqual(niceTicks(0.1, 0.3, 2), [0.1, 0.2, 0.3], 'no 0.30000000000000004');
    assert.deepEqual(niceTicks(4, 4, 5), [4], 'one value: one tick');
  });

  it('draws each validation point where the axes put it, in a figure of the size asked', () => {
    // two epochs: validation 20 then 10, training 30 at 0.5 and 1, 15 at 1.5 and 2
    const epochs = [1, 2].map((epoch) => ({ epoch, trainPpl: 30 / epoch, valPpl: 20 / epoch, trainCurve: [[epoch - 0.5, 30 / epoch], [epoch, 30 / epoch]] as [number, number][] }));
    const svg = perplexitySvg([{ name: 'r', epochs }], { width: 400, height: 300 });
    assert.match(svg, /^<svg [^>]*width="400" height="300" viewBox="0 0 400 300"/);
    // the plot area: x from 48 to 388 (epochs 0.5 to 2), y from 40 to 264 (perplexity 10 to 30: ticks 10, 15, ... 30)
    const sx = (e: number): number => 48 + ((e - 0.5) / 1.5) * 340;
    const sy = (p: number): number => 40 + 224 - ((p - 10) / 20) * 224;
    const dots = attrs(svg, 'circle', ['cx', 'cy']);
    assert.equal(dots.length, 2, 'one dot per validation point');
    assert.deepEqual(dots, [[sx(1), sy(20)], [sx(2), sy(10)]].map(([x, y]) => [Math.round(x! * 100) / 100, Math.round(y! * 100) / 100]));
    const train = /<path class="train" d="([^"]+)"/.exec(svg)![1]!;
    assert.equal(train.split(/[ML]/).filter(Boolean).length, 4, 'the training curve has its four points');
    assert.match(svg, /aria-label="Perplexity over 2 epochs: training 15\.00, validation 10\.00"/);
    assert.match(svg, /<title>validation, epoch 2: perplexity 10\.000<\/title>/);
  });

  it('tells train from validation without colour: solid line and squares, dashed line and dots, in the plot and the legend', () => {
    const epochs = [1, 2, 3].map((epoch) => ({ epoch, trainPpl: 30 / epoch, valPpl: 20 / epoch, trainCurve: [[epoch - 0.5, 33 / epoch], [epoch, 30 / epoch]] as [number, number][] }));
    const svg = perplexitySvg([{ name: 'r', epochs }], { width: 400, height: 300 });
    assert.doesNotMatch(/<path class="train" [^>]*>/.exec(svg)![0], /dasharray/, 'train: a solid line');
    assert.match(/<path class="validation" [^>]*>/.exec(svg)![0], /stroke-dasharray="5 3"/, 'validation: dashed');
    const squares = /<path class="train-markers" d="([^"]+)"/.exec(svg)![1]!;
    assert.equal(squares.match(/h6v6h-6Z/g)?.length, 3, 'a square at each whole epoch, not at the half epochs');
    const legend = new Map([...svg.matchAll(/<path class="legend-marker" d="([^"]+)" fill="([^"]+)"\/>/g)].map((m) => [m[2]!, m[1]!] as const));
    assert.equal(legend.size, 2);
    assert.match(legend.get('#1f77b4')!, /h6v6h-6Z$/, "train's entry (blue) has the square");
    assert.match(legend.get('#d62728')!, /a3 3/, "validation's (red) has the dot");
    assert.equal([...svg.matchAll(/<path d="[^"]*h16" [^>]*stroke-dasharray/g)].length, 1, "the legend's validation line is dashed too");
  });

  it('labels the perplexity axis at both of its ends, beyond the data', () => {
    // perplexities 23 down to 6.87: step 5 (about 4 ticks in 224 px), so the axis runs from 5 to 25, labelled at both
    const epochs = [1, 2, 3].map((epoch) => ({ epoch, trainPpl: 22 / epoch + 1, valPpl: 17.6 / epoch + 1, trainCurve: [] as [number, number][] }));
    const svg = perplexitySvg([{ name: 'r', epochs }], { width: 400, height: 300 });
    const labels = [...svg.matchAll(/text-anchor="end" fill="#5b6470">([^<]+)</g)].map((m) => Number(m[1]));
    assert.deepEqual(labels, [5, 10, 15, 20, 25]);
  });

  it('escapes its title and says so in words when there is nothing to draw', () => {
    const svg = perplexitySvg([], { title: '<b>&"' });
    assert.match(svg, /aria-label="&lt;b&gt;&amp;&quot;: no epochs yet"/);
    assert.match(svg, />no epochs yet<\/text><\/svg>$/);
    assert.doesNotMatch(svg, /<b>/);
  });
});
