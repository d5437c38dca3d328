// The perplexity figure: rendered to SVG in Node, from a training run (--plot) and from saved JSON lines (rnnlm plot).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, rnnlm, tempDir } from './helpers.js';
import { chartPoints, CurvePoints, MARKERS, MAX_CURVE_POINTS, perplexityChart, thinCurve, type RunCurve } from '../src/plot/chart.js';
import { renderSvg } from '../src/plot/render.js';

const SMALL = ['--batch-size', '32', '--num-steps', '8', '--num-hiddens', '8', '--num-train', '400', '--num-val', '100'];


describe('the perplexity plot', () => {
  it('has training points twice per epoch and validation points once', () => {
    const epochs = [1, 2].map((epoch) => ({ epoch, trainPpl: 10 / epoch, valPpl: 11 / epoch, trainCurve: [[epoch - 0.5, 12 / epoch], [epoch, 10 / epoch]] as [number, number][] }));
    const points = chartPoints([{ name: 'r', epochs }]);
    assert.deepEqual(points.filter((p) => p.series === 'train').map((p) => p.epoch), [0.5, 1, 1.5, 2]);
    assert.deepEqual(points.filter((p) => p.series === 'validation').map((p) => p.epoch), [1, 2]);
    const spec = perplexityChart([{ name: 'r', epochs }], { logScale: true }) as { encoding: { y: { scale: unknown } } };
    assert.deepEqual(spec.encoding.y.scale, { type: 'log' });
  });
  it('gives every legend entry its own marker as well as its colour (curves read in grey print)', async () => {
    const run = (name: string, k: number): RunCurve =>
      ({ name, epochs: [1, 2, 3].map((epoch) => ({ epoch, trainPpl: (10 * k) / epoch, valPpl: (11 * k) / epoch, trainCurve: [[epoch, (10 * k) / epoch]] })) });
    /** The legend's entries as [symbol path, fill]: the outline names the marker (a circle's arcs, a square's h and v). */
    const legend = (svg: string): [string, string][] =>
      [...svg.matchAll(/role-legend-symbol[^>]*><path[^>]* d="([^"]*)" fill="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]);
    const runs = [run('a', 1), run('b', 1.2), run('c', 1.4), run('d', 1.6)];
    const several = legend(await renderSvg(perplexityChart(runs)));
    const entries = several.filter(([, fill]) => fill !== 'black'); // the dashed train/validation entries are black lines
    assert.equal(entries.length, 4, JSON.stringify(several));
    assert.equal(new Set(entries.map(([d]) => d)).size, 4, 'four runs, four markers');
    assert.equal(new Set(entries.map(([, fill]) => fill)).size, 4, 'and four colours');
    const one = legend(await renderSvg(perplexityChart([run('a', 1)])));
    assert.equal(one.length, 2);
    assert.notEqual(one[0]![0], one[1]![0], 'train and validation have different markers');
    assert.ok(MARKERS.length >= 8 && new Set(MARKERS).size === MARKERS.length);
  });
  it('rnnlm train --plot writes an SVG with both series, labelled axes and a legend', () => {
    const dir = tempDir();
    const r = rnnlm('train', ...SMALL, '--epochs', '3', '--plot', join(dir, 'ppl.svg'), '--json');
    assert.equal(r.code, 0, r.stderr);
    const svg = readFileSync(join(dir, 'ppl.svg'), 'utf8');
    assert.match(svg, /^<svg/);
    for (const label of ['epoch', 'perplexity', 'train', 'validation', 'Perplexity']) assert.ok(svg.includes(`>${label}</text>`), `label ${label}`);
    writeFileSync(join(dir, 'a.jsonl'), r.stdout);
    const r2 = rnnlm('train', ...SMALL, '--epochs', '3', '--lr', '2', '--json');
    writeFileSync(join(dir, 'b.jsonl'), r2.stdout);
    const p = rnnlm('plot', join(dir, 'a.jsonl'), join(dir, 'b.jsonl'), '--out', join(dir, 'cmp.svg'), '--log');
    assert.equal(p.code, 0, p.stderr);
    const cmp = readFileSync(join(dir, 'cmp.svg'), 'utf8');
    assert.ok(cmp.includes('>a</text>') && cmp.includes('>b</text>'), 'one legend entry per run');
    assert.match(rnnlm('plot', join(dir, 'a.jsonl'), '--out', join(dir, 'x.png')).stderr, /give a file ending in \.svg/);
    writeFileSync(join(dir, 'empty.jsonl'), '{"done": true}\n');
    assert.match(rnnlm('plot', join(dir, 'empty.jsonl'), '--out', join(dir, 'x.svg')).stderr, /no epoch lines/);
  });
  it('thins a long curve: first and last kept, at most the limit, each stretch\'s lowest and highest (a spike stays)', () => {
    const n = 100_003;
    const ys = Float64Array.from({ length: n }, (_, i) => 10 + Math.sin(i / 50));
    ys[77_777] = 1e4; // a spike
    ys[33_333] = -5; // a dip
    const kept = thinCurve(ys, 2000);
    assert.ok(kept.length <= 2000 && kept.length >= 1990, `${kept.length} points`);
    assert.equal(kept[0], 0);
    assert.equal(kept[kept.length - 1], n - 1);
    assert.ok(kept.includes(77_777) && kept.includes(33_333), 'the spike and the dip are kept');
    for (let i = 1; i < kept.length; i++) assert.ok(kept[i]! > kept[i - 1]!, 'in order, each once');
    // short curves are kept whole; the smallest limit keeps the ends
    assert.deepEqual(thinCurve([3, 1, 2], 2000), [0, 1, 2]);
    assert.deepEqual(thinCurve([3, 1, 2, 5, 4], 2), [0, 4]);
    assert.deepEqual(thinCurve([3, 1, 2, 5, 4], 4), [0, 1, 3, 4]);
    // CurvePoints: non-finite points left out, the thinned points as [x, y]
    const c = new CurvePoints();
    for (let i = 0; i < 5000; i++) c.push(i, i === 2500 ? NaN : i % 7);
    c.push(5000, Infinity);
    assert.equal(c.length, 4999);
    const t = c.thinned(100);
    assert.ok(t.length <= 100);
    assert.deepEqual(t[0], [0, 0]);
    assert.deepEqual(t[t.length - 1], [4999, 4999 % 7]);
  });
  it('chartPoints draws each curve of a 100,000-epoch run with at most MAX_CURVE_POINTS points', () => {
    const epochs = Array.from({ length: 100_000 }, (_, i) => ({ epoch: i + 1, trainPpl: 10, valPpl: i === 4242 ? 500 : 9 + (i % 3),
      trainCurve: [[i + 0.5, 11], [i + 1, 10]] as [number, number][] }));
    const points = chartPoints([{ name: 'r', epochs }]);
    const train = points.filter((p) => p.series === 'train');
    const val = points.filter((p) => p.series === 'validation');
    assert.ok(train.length <= MAX_CURVE_POINTS && val.length <= MAX_CURVE_POINTS);
    assert.deepEqual([train[0]!.epoch, train[train.length - 1]!.epoch], [0.5, 100_000]);
    assert.deepEqual([val[0]!.epoch, val[val.length - 1]!.epoch], [1, 100_000]);
    assert.ok(val.some((p) => p.perplexity === 500), 'the spike is drawn');
  });
  it('rnnlm plot draws a 100,000-epoch log (about 29 MB) in under 5 s and 300 MiB', () => {
    const dir = tempDir();
    const line = { trainPpl: 14.581234567, valPpl: 13.031234567, seconds: 0.312345678, tokensPerSecond: 123456.789, gradNormMedian: 0.512345678,
      gradNormMax: 1.212345678, clippedFraction: 0.125 };
    const rows = Array.from({ length: 100_000 }, (_, i) => JSON.stringify({ epoch: i + 1, ...line, valPpl: 13 + Math.sin(i / 100),
      trainCurve: [[i + 0.5, 15 + Math.sin(i)], [i + 1, 14 + Math.cos(i)]] }));
    writeFileSync(join(dir, 'big.jsonl'), rows.join('\n') + '\n');
    const t0 = performance.now();
    const r = spawnSync('/usr/bin/time', ['-f', 'MAXRSS %M', process.execPath, BIN, 'plot', join(dir, 'big.jsonl'), '--out', join(dir, 'big.svg')], { encoding: 'utf8' });
    const seconds = (performance.now() - t0) / 1000;
    assert.equal(r.status, 0, r.stderr);
    const rssMiB = Number(/MAXRSS (\d+)/.exec(r.stderr)?.[1]) / 1024;
    assert.ok(seconds < 5, `took ${seconds.toFixed(1)} s`);
    assert.ok(rssMiB < 300, `peak memory ${Math.round(rssMiB)} MiB`);
    assert.match(readFileSync(join(dir, 'big.svg'), 'utf8'), /^<svg/);
  });
  it('rnnlm plot --help states the thinning', () => {
    assert.match(rnnlm('plot', '--help').stdout, new RegExp(`at most\\s+${MAX_CURVE_POINTS}\\s+points`));
  });
});
