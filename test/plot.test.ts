// The perplexity figure: rendered to SVG in Node, from a training run (--plot) and from saved JSON lines (rnnlm plot).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { rnnlm, tempDir } from './helpers.js';
import { chartPoints, perplexityChart } from '../src/plot/chart.js';

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
});
