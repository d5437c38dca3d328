// The README and the documentation: the README's library example, run through the package entry point (with a
// smaller budget); the README kept a front page; every relative link of the README, docs/ and bench/ pages resolving.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { dirname, join, relative } from 'node:path';
import { it } from 'node:test';
import { ROOT, rnnlm, tempDir } from './helpers.js';
import { RNNLMScratch, RNNScratch, Rng, TimeMachine, Trainer, loadTimeMachineText, selectBackend } from '../src/index.js';

it('the README library example trains and predicts', async () => {
  const backend = await selectBackend();
  const data = new TimeMachine(await loadTimeMachineText(), { batchSize: 1024, numSteps: 32, numTrain: 2048, numVal: 512 });
  const rng = new Rng(0);
  const rnn = new RNNScratch({ numInputs: data.vocab.length, numHiddens: 32, rng });
  const model = new RNNLMScratch(rnn, { vocabSize: data.vocab.length, lr: 1, rng });
  const trainer = new Trainer({ maxEpochs: 2, gradientClipVal: 1, rng });
  const history = await trainer.fit(model, data);
  assert.equal(history.length, 2);
  assert.ok(['native', 'wasm'].includes(backend.name), `fast backend expected, got ${backend.name}`);
  assert.match(model.predict('it has', 20, data.vocab), /^it has.{20}$/);
});

it('the README generation example runs as written on a checkpoint rnnlm train saved', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([^]*?)```/g)].map((m) => m[1]!);
  const example = blocks.find((b) => b.includes('loadCheckpoint('));
  assert.ok(example !== undefined, 'the README has a generation example that loads a checkpoint');
  const dir = tempDir();
  const trained = rnnlm('train', '--epochs', '1', '--batch-size', '32', '--num-steps', '8', '--num-hiddens', '8', '--num-train', '200', '--num-val', '50',
    '--out', join(dir, 'm.safetensors'));
  assert.equal(trained.code, 0, trained.stderr);
  // the block as written, but for where 'rnnlm' resolves (this checkout's build): it must be plain JavaScript
  const script = join(dir, 'example.mjs');
  writeFileSync(script, example.replaceAll("from 'rnnlm'", `from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'src', 'index.js')).href)}`));
  const r = spawnSync(process.execPath, [script], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [greedy, sampled] = r.stdout.split('\n');
  assert.match(greedy!, /^it has.{50}$/);
  assert.ok(sampled!.startsWith('it has') && sampled!.length > 6, sampled);
  assert.equal(spawnSync(process.execPath, [script], { cwd: dir, encoding: 'utf8' }).stdout, r.stdout, 'the seed makes it repeatable');
});

/** The README, docs/*.md and bench/*.md, as absolute paths. */
function pages(): string[] {
  const inFolder = (folder: string): string[] => readdirSync(join(ROOT, folder)).filter((f) => f.endsWith('.md')).sort().map((f) => join(ROOT, folder, f));
  return [join(ROOT, 'README.md'), ...inFolder('docs'), ...inFolder('bench')];
}

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

it('the README is a front page: at most 250 lines, with the test command', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.ok(readme.split('\n').length <= 250, `README.md has ${readme.split('\n').length} lines`);
  assert.match(readme, /npm test/);
});

it('every relative link of the README, docs/ and bench/ names a file that exists (and a heading, with an anchor)', () => {
  const broken: string[] = [];
  let links = 0;
  for (const page of pages()) {
    // links in code are not links: drop fenced blocks and inline code first
    const text = readFileSync(page, 'utf8').replace(/```[^]*?```/g, '').replace(/`[^`\n]*`/g, '');
    for (const m of text.matchAll(/\[[^\]\n]*\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      links++;
      const [path, anchor] = target.split('#') as [string, string | undefined];
      const file = path === '' ? page : join(dirname(page), path);
      const where = `${relative(ROOT, page)}: ${target}`;
      if (!existsSync(file)) { broken.push(`${where} (no such file)`); continue; }
      if (anchor !== undefined && file.endsWith('.md')) {
        const headings = [...readFileSync(file, 'utf8').replace(/```[^]*?```/g, '').matchAll(/^#{1,6}\s+(.+)$/gm)].map((h) => anchorOf(h[1]!));
        if (!headings.includes(anchor)) broken.push(`${where} (no such heading)`);
      }
    }
  }
  assert.ok(links >= 20, `only ${links} relative links found`);
  assert.deepEqual(broken, []);
});
