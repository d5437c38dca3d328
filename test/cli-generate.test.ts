// rnnlm generate's Hugging Face-style flags (issue 20), end to end on a model trained for a second: kebab-case names
// with --len and --beam kept as aliases (both given: refused), a random seed reported by --json and --verbose that
// makes the same text again, --num-return-sequences (sample i = --seed s+i alone), several --stop texts matched on
// text, a stop the book's text cannot contain refused, and the processors changing greedy text.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { rnnlm, tempDir } from './helpers.js';

const TINY_RUN = ['--epochs', '2', '--batch-size', '32', '--num-steps', '16', '--num-hiddens', '32', '--num-train', '2000', '--num-val', '200'];

describe('rnnlm generate: generation settings', () => {
  let model = '';
  before(() => {
    model = join(tempDir(), 'm.safetensors');
    const r = rnnlm('train', ...TINY_RUN, '--quiet', '--out', model);
    assert.equal(r.code, 0, r.stderr);
  });
  const gen = (...args: string[]): ReturnType<typeof rnnlm> => rnnlm('generate', '--model', model, ...args);

  it('--len and --beam are aliases of --max-new-tokens and --num-beams; both given is a usage error', () => {
    assert.equal(gen('--len', '12').stdout, gen('--max-new-tokens', '12').stdout);
    assert.equal(gen('--beam', '3', '--len', '12').stdout, gen('--num-beams', '3', '--max-new-tokens', '12').stdout);
    const both = gen('--len', '12', '--max-new-tokens', '12');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /give --max-new-tokens or --len, not both/);
    assert.match(gen('--beam', '2', '--num-beams', '2').stderr, /give --num-beams or --beam, not both/);
  });
  it('sampling is random by default; --json reports the seed, and --seed with it gives the same texts', () => {
    const a = JSON.parse(gen('--sample', '--temperature', '2', '--max-new-tokens', '60', '--json').stdout) as { texts: string[]; seed: number };
    const b = JSON.parse(gen('--sample', '--temperature', '2', '--max-new-tokens', '60', '--json').stdout) as { texts: string[]; seed: number };
    assert.notEqual(a.seed, b.seed);
    assert.notEqual(a.texts[0], b.texts[0]);
    const again = gen('--sample', '--temperature', '2', '--max-new-tokens', '60', '--seed', String(a.seed));
    assert.equal(again.stdout, a.texts[0] + '\n');
    const verbose = gen('--sample', '--seed', '9', '--verbose');
    assert.match(verbose.stderr, /sampling with seed 9 \(--seed 9 makes the same text again\)/);
    assert.match(gen('--seed', '9').stderr, /--seed needs sampling: turn on --sample/);
  });
  it('--num-return-sequences: N texts, a line each; sample i is --seed s+i alone; the best beams first', () => {
    const three = gen('--sample', '--seed', '5', '--num-return-sequences', '3', '--max-new-tokens', '30');
    assert.equal(three.code, 0, three.stderr);
    const lines = three.stdout.split('\n');
    assert.equal(lines.length, 4); // three texts and the final newline (book text has no newlines of its own)
    for (let i = 0; i < 3; i++) assert.equal(lines[i], gen('--sample', '--seed', String(5 + i), '--max-new-tokens', '30').stdout.slice(0, -1));
    const beams = JSON.parse(gen('--num-beams', '4', '--num-return-sequences', '2', '--max-new-tokens', '15', '--json').stdout) as { texts: string[]; seed?: number };
    assert.equal(beams.texts.length, 2);
    assert.equal(beams.seed, undefined);
    assert.equal(beams.texts[0] + '\n', gen('--num-beams', '4', '--max-new-tokens', '15').stdout);
    assert.match(gen('--num-return-sequences', '2').stderr, /greedy decoding gives one text/);
  });
  it('--stop, given several times, ends the text at the first match of any; a stop the book text cannot contain is refused', () => {
    const free = gen('--max-new-tokens', '200').stdout.slice(0, -1);
    const generated = free.slice('it has'.length);
    const stops = [generated.slice(30, 33), generated.slice(10, 13)];
    const first = Math.min(...stops.map((s) => generated.indexOf(s) + s.length));
    const r = gen('--max-new-tokens', '200', '--stop', stops[0]!, '--stop', stops[1]!);
    assert.equal(r.stdout.slice(0, -1), free.slice(0, 'it has'.length + first));
    const dot = gen('--stop', '.');
    assert.equal(dot.code, 2);
    assert.match(dot.stderr, /the stop text '\.' cannot occur in this model's output: it never writes '\.'/);
  });
  it('--no-repeat-ngram-size and --repetition-penalty change the greedy text', () => {
    const plain = gen('--max-new-tokens', '150').stdout;
    const ngram = gen('--max-new-tokens', '150', '--no-repeat-ngram-size', '4').stdout.slice(0, -1);
    assert.notEqual(ngram + '\n', plain);
    const grams = new Set<string>();
    for (let i = 0; i + 4 <= ngram.length; i++) {
      const g = ngram.slice(i, i + 4);
      assert.ok(!grams.has(g), `the 4-gram '${g}' occurs twice`);
      grams.add(g);
    }
    assert.notEqual(gen('--max-new-tokens', '150', '--repetition-penalty', '2').stdout, plain);
    assert.match(gen('--no-repeat-ngram-size', '0').stderr, /--no-repeat-ngram-size must be at least 1/);
  });
});
