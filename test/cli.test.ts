// The command line, run as a user runs it: a child process, its stdout, stderr and exit code.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, ROOT, rnnlm, tempDir, over } from './helpers.js';
import { loadCheckpoint } from '../src/node/checkpoint-file.js';

const SMALL = ['--epochs', '1', '--batch-size', '32', '--num-steps', '8', '--num-hiddens', '8', '--num-train', '200', '--num-val', '50'];


describe('rnnlm CLI', () => {
  it('prints help and version', () => {
    assert.match(rnnlm('--help').stdout, /Usage: rnnlm <command>/);
    assert.match(rnnlm('train', '--help').stdout, /--batch-size N/);
    assert.match(rnnlm('generate', '--help').stdout, /--prefix TEXT/);
    assert.match(rnnlm('--version').stdout, /^\d+\.\d+\.\d+\n$/);
  });
  it('trains with --json and --out, then generates from the saved model', () => {
    const out = join(tempDir(), 'm.safetensors');
    const r = rnnlm('train', ...SMALL, '--json', '--out', out);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(Object.keys(lines[0]).slice(0, 5), ['epoch', 'trainPpl', 'valPpl', 'seconds', 'tokensPerSecond']);
    const done = lines[lines.length - 1];
    assert.equal(done.done, true);
    assert.ok(done.prediction.startsWith('it has'));
    const g = rnnlm('generate', '--model', out, '--prefix', 'The Time', '--len', '30');
    assert.equal(g.code, 0, g.stderr);
    assert.ok(g.stdout.startsWith('the time'));
  });
  it('prints one readable line per epoch and the prediction', () => {
    const r = rnnlm('train', ...over(SMALL, '--epochs', '2'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /epoch 1\/2 +train ppl +[\d.]+ +val ppl +[\d.]+/);
    assert.match(r.stdout, /predict\('it has', 20\): it has/);
  });
  it('generate streams: --len 1e7 prints at once, and a closed pipe or Ctrl-C stops it cleanly', async () => {
    const out = join(tempDir(), 'm.safetensors');
    assert.equal(rnnlm('train', ...SMALL, '--out', out).code, 0);
    /** Starts generate --len 1e7, waits for its first output, then closes its stdout or interrupts it. */
    const stopAfterFirstOutput = (how: 'close' | 'interrupt'): Promise<{ code: number | null; first: string; stderr: string; ms: number }> =>
      new Promise((resolve, reject) => {
        const t0 = Date.now();
        const child = spawn(process.execPath, [BIN, 'generate', '--model', out, '--len', '1e7', '--sample'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let first = '';
        let stderr = '';
        const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error('generate did not stop'))), 30_000);
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.stdout.once('data', (d: Buffer) => {
          first = d.toString();
          if (how === 'close') child.stdout.destroy(); // the reader goes away, as `| head -c 100` does
          else child.kill('SIGINT');
        });
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, first, stderr, ms: Date.now() - t0 });
        });
      });
    const closed = await stopAfterFirstOutput('close');
    assert.equal(closed.code, 0, closed.stderr);
    assert.ok(closed.first.startsWith('it has'), closed.first);
    assert.equal(closed.stderr, '');
    const interrupted = await stopAfterFirstOutput('interrupt');
    assert.equal(interrupted.code, 130);
    assert.equal(interrupted.stderr, 'rnnlm generate: interrupted (SIGINT)\n');
  });
  it('samples reproducibly with --sample --seed, and scores and evaluates texts', () => {
    const out = join(tempDir(), 'm.safetensors');
    assert.equal(rnnlm('train', ...over(SMALL, '--epochs', '2'), '--out', out).code, 0);
    const gen = (...a: string[]): string => rnnlm('generate', '--model', out, '--len', '40', ...a).stdout;
    assert.equal(gen('--sample', '--seed', '3'), gen('--sample', '--seed', '3'));
    assert.notEqual(gen('--sample', '--seed', '3', '--temperature', '2'), gen('--sample', '--seed', '4', '--temperature', '2'));
    assert.match(rnnlm('score', '--model', out, 'the time machine').stdout, /perplexity [\d.]+, [\d.]+ bits per character, log-probability -[\d.]+ nats .* over 15 characters/);
    const e = rnnlm('eval', '--model', out, '--json', join(ROOT, '..', 'shared', 'data', 'frankenstein.txt'));
    assert.equal(e.code, 0, e.stderr);
    const row = JSON.parse(e.stdout);
    assert.equal(row.encoding, 'windows-1252');
    assert.equal(row.gutenbergStripped, true);
    // the book split of SMALL reads 258 characters: the letters it never saw (3 of 26) are <unk>
    assert.ok(row.tokens > 400000 && row.perplexity > 1 && row.unknownShare > 0 && row.unknownShare < 0.02, JSON.stringify(row));
  });
  for (const [section, concise, label] of [['10.1', false, 'lstm'], ['10.2', true, 'concise gru'], ['10.3', false, 'rnn x2'], ['10.3', true, 'concise gru x2']] as const) {
    it(`train --book ${section}${concise ? ' --concise' : ''}: the section's model, overridable flags, a checkpoint generate reads`, () => {
      const out = join(tempDir(), 'm.safetensors');
      const r = rnnlm('train', '--book', section, ...(concise ? ['--concise'] : []), ...SMALL, '--json', '--out', out);
      assert.equal(r.code, 0, r.stderr);
      const done = JSON.parse(r.stdout.trim().split('\n').pop()!);
      assert.equal(done.model, label);
      const g = rnnlm('generate', '--model', out, '--prefix', 'the', '--len', '10');
      assert.equal(g.code, 0, g.stderr);
      assert.equal(g.stdout.trimEnd().length >= 3, true);
    });
  }
  it('train and eval read a Gutenberg-wrapped file alike: the same tokens, header and footer left out', () => {
    const dir = tempDir();
    const book = readFileSync(join(ROOT, '..', 'shared', 'data', 'timemachine.txt'), 'utf8').slice(0, 6000);
    // the licence has characters the body lacks ('*', '#', digits): a vocabulary built from it would show them
    const wrapped = join(dir, 'wrapped.txt');
    writeFileSync(wrapped, 'The Project Gutenberg EBook #35, licence 1.0\n*** START OF THIS PROJECT GUTENBERG EBOOK THE TIME MACHINE ***\n' +
      book + '\nEnd of the Project Gutenberg EBook #35\n*** END OF THIS PROJECT GUTENBERG EBOOK THE TIME MACHINE ***\nlicence 2.0 * * *\n');
    const args = ['--text', 'raw', '--split', 'full', '--epochs', '1', '--batch-size', '8', '--num-steps', '8', '--num-hiddens', '8'];
    const trained = rnnlm('train', ...args, '--data', wrapped, '--out', join(dir, 'w.safetensors'));
    assert.equal(trained.code, 0, trained.stderr);
    const tokens = Number(/: (\d+) character tokens/.exec(trained.stdout)?.[1]);
    const scored = rnnlm('eval', '--model', join(dir, 'w.safetensors'), '--json', wrapped);
    assert.equal(scored.code, 0, scored.stderr);
    const row = JSON.parse(scored.stdout);
    // eval scores every token after the first (the first has no context): the same text as train read
    assert.equal(row.tokens + 1, tokens, `train read ${tokens} tokens, eval scored ${row.tokens}`);
    assert.equal(row.gutenbergStripped, true);
    assert.equal(row.unknownShare, 0, 'the model knows every character eval reads');
    const whole = JSON.parse(rnnlm('eval', '--model', join(dir, 'w.safetensors'), '--json', '--keep-header', wrapped).stdout);
    assert.ok(whole.unknownShare > 0, 'the header has characters the model never saw');
  });
  it('lists the book\'s runs in --help', () => {
    const help = rnnlm('train', '--help').stdout;
    for (const s of ['9.5', '9.6', '10.1', '10.2', '10.3']) assert.match(help, new RegExp(`--book SECTION[\\s\\S]*${s.replace('.', '\\.')}\\s`));
  });
  it('runs the benchmark command end to end (no timing asserted: benchmarks are not tests)', () => {
    const r = rnnlm('bench', '--epochs', '1', '--hiddens', '8', '--cells', 'rnn,lstm', '--no-torch');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /PyTorch: not available, skipped/);
    for (const model of ['rnn', 'lstm']) {
      assert.match(r.stdout, new RegExp(`^${model}, hidden 8: lr [\\d.]+, 1 epochs, [\\d.]+ GFLOP per epoch; machine peak by the FMA probe`, 'm'));
      for (const engine of ['rnnlm scratch', 'rnnlm concise']) {
        // engine, wall seconds, s/epoch, tokens/s, GFLOP/s, share of peak, train ppl, val ppl, its tail mean, peak MiB
        assert.match(r.stdout, new RegExp(`^\\| ${engine} \\(\\w+ backend, \\d thread\\(s\\)\\) \\| [\\d.]+ \\([\\d., ]+\\) \\| [\\d.]+ \\(.*\\) \\| [\\d,]+ \\| [\\d.]+ \\| ([\\d.]+%|n/a) \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\| \\d+ \\|$`, 'm'), `${model}: ${engine}`);
      }
    }
    assert.match(r.stdout, /^\| lstm, hidden 8 \| rnnlm concise \(no PyTorch\) \|/m);
    const bad = rnnlm('bench', '--cells', 'rnn,tree');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--cells must be one of rnn, gru, lstm, got 'tree'/);
  });
  it('runs each model at every count of --threads and tables the speed-up and memory of each', () => {
    const r = rnnlm('bench', '--epochs', '1', '--hiddens', '8', '--num-train', '64', '--num-val', '0', '--threads', '1,2', '--engines', 'rnnlm-concise', '--no-torch');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /; threads 1,2; /);
    for (const n of [1, 2]) assert.match(r.stdout, new RegExp(`^rnn, hidden 8, ${n} thread\\(s\\): lr`, 'm'));
    // the first count is the speed-up's base, 2 threads the memory's: each is 1.00x against itself
    assert.match(r.stdout, /^\| rnn, hidden 8 \| rnnlm concise \| 1 \| \w+ backend, 1 thread\(s\) \| [\d.]+ \| 1\.00x \| \d+ \| [\d.]+x \|$/m);
    assert.match(r.stdout, /^\| rnn, hidden 8 \| rnnlm concise \| 2 \| \w+ backend, [12] thread\(s\) \| [\d.]+ \| [\d.]+x \| \d+ \| 1\.00x \|$/m);
    const bad = rnnlm('bench', '--threads', '1,0');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--threads/);
  });
  it('stops a diverging run with exit code 1, naming epoch and step and what was kept', () => {
    const out = join(tempDir(), 'm.safetensors');
    const r = rnnlm('train', ...over(SMALL, '--epochs', '3'), '--lr', '1000', '--clip', '0', '--out', out);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /training diverged at epoch \d+, step \d+: .*holds (the checkpoint of epoch \d+|nothing \(no file\))/);
  });
  it('sweeps a grid, and resumes from its results file', () => {
    const results = join(tempDir(), 'sweep.jsonl');
    const grid = ['sweep', ...over(SMALL, '--num-hiddens', '4,8'), '--lr', '0.5,1', '--results', results];
    const first = rnnlm(...grid);
    assert.equal(first.code, 0, first.stderr);
    assert.equal((first.stdout.match(/val ppl [\d.]+ \(/g) ?? []).length, 4);
    assert.match(first.stdout, /\| 1 \| [\d.]+ \|/);
    const lines = readFileSync(results, 'utf8').trim().split('\n');
    writeFileSync(results, lines.slice(0, 3).join('\n') + '\n'); // as if interrupted after three runs
    const again = rnnlm(...grid);
    assert.equal((again.stdout.match(/done before/g) ?? []).length, 3);
    assert.equal((again.stdout.match(/val ppl [\d.]+ \(/g) ?? []).length, 1);
    assert.equal(readFileSync(results, 'utf8').trim().split('\n').length, 4);
  });
  it('sweeps the optimizer and schedule, saves the best run\'s model with --out, and saves it on resuming too', async () => {
    const dir = tempDir();
    const grid = ['sweep', ...over(SMALL, '--epochs', '2', '--lr', '1,0.01'), '--optimizer', 'sgd,adam', '--lr-schedule', 'constant,cosine', '--json'];
    const first = rnnlm(...grid, '--results', join(dir, 'a.jsonl'), '--out', join(dir, 'a.safetensors'));
    assert.equal(first.code, 0, first.stderr);
    const ranked = first.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(ranked.length, 8);
    assert.deepEqual(new Set(ranked.map((r) => `${r.config.optimizer} ${r.config.lrSchedule}`)), new Set(['sgd constant', 'sgd cosine', 'adam constant', 'adam cosine']));
    assert.match(first.stderr, /, adam, cosine schedule: val ppl/);
    const best = await loadCheckpoint(join(dir, 'a.safetensors'));
    for (const k of ['optimizer', 'lrSchedule', 'lr'] as const) assert.equal(best.config[k], ranked[0].config[k], k);
    assert.equal(best.training?.epoch, 2, 'the run is saved with the model: train --resume continues it');
    // the same sweep run before without --out: all eight runs are done, so the best one is trained again to save it
    const again = rnnlm(...grid, '--results', join(dir, 'a.jsonl'), '--out', join(dir, 'b.safetensors'));
    assert.equal(again.code, 0, again.stderr);
    assert.equal((again.stderr.match(/done before/g) ?? []).length, 8);
    assert.match(again.stderr, /training the best run again to save its model/);
    const retrained = await loadCheckpoint(join(dir, 'b.safetensors'));
    assert.deepEqual(retrained.model.params.values, best.model.params.values, 'runs are deterministic: the same model');
    // a third time with the file that already holds the best model: nothing is trained
    const third = rnnlm(...grid, '--results', join(dir, 'a.jsonl'), '--out', join(dir, 'a.safetensors'));
    assert.doesNotMatch(third.stderr, /training the best run again/);
    writeFileSync(join(dir, 'notes.txt'), 'my notes');
    const refused = rnnlm(...grid, '--results', join(dir, 'a.jsonl'), '--out', join(dir, 'notes.txt'));
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /is not an rnnlm checkpoint: refusing to overwrite it/);
  });
  // the output of train and sweep is the run's record: a reader that closes it early cut the run short, and says so
  // (exit 141, as a shell reports SIGPIPE); generate and score are filters and end quietly (the streaming test above)
  for (const command of ['train', 'sweep'] as const) {
    it(`${command} | head -1: a closed output is an error (exit 141), and the checkpoint and lock are as after a stop`, async () => {
      const dir = tempDir();
      const out = join(dir, 'm.safetensors');
      const args = command === 'train' ? ['train', ...over(SMALL, '--epochs', '100000'), '--threads', '1', '--out', out]
        : ['sweep', ...over(SMALL, '--epochs', '3', '--num-hiddens', '4,6,8,10,12,14,16'), '--results', join(dir, 'r.jsonl'), '--threads', '1'];
      const child = spawn(process.execPath, [BIN, ...args], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.once('data', () => child.stdout.destroy()); // head -1: read a line, then close the pipe
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 141, stderr);
      assert.equal(stderr, `rnnlm ${command}: the output was closed (EPIPE): the run was cut short\n`);
      if (command === 'train') assert.equal(existsSync(`${out}.lock`), false, 'the lock is released');
    });
  }
  it('a run whose last perplexity is not finite fails (exit 1) and says why; one without validation windows does not', () => {
    const dir = tempDir();
    // weights of 3e37: finite, but every logit overflows float32 in validation and training alike
    const r = rnnlm('train', ...over(SMALL, '--epochs', '1'), '--sigma', '3e37', '--clip', '0', '--out', join(dir, 'm.safetensors'));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /training diverged|perplexity that is not finite/);
    const noVal = rnnlm('train', ...over(SMALL, '--num-val', '0'), '--json');
    assert.equal(noVal.code, 0, noVal.stderr);
    const done = JSON.parse(noVal.stdout.trim().split('\n').at(-1)!) as { valPpl: number | null };
    assert.equal(done.valPpl, null, 'no validation: no number, and no failure');
  });
  // SIGINT (Ctrl-C), SIGTERM (a service manager, a container's stop) and SIGHUP (a closed terminal) alike: the run stops
  // between batches, --out keeps the last completed epoch, the lock is released, and the exit code is 128 + the signal
  for (const [signal, exitCode] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    it(`stops cleanly on ${signal}: exit code ${exitCode}, the last completed epoch kept in --out, no lock left`, async () => {
      const out = join(tempDir(), 'm.safetensors');
      // one thread: every training step is synchronous, the hardest case for a signal handler to get a turn
      const child = spawn(process.execPath, [BIN, 'train', ...over(SMALL, '--epochs', '100000'), '--threads', '1', '--out', out], { env: process.env });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      let sent = false; // one signal (a second Ctrl-C, as in most tools, would end the process at once)
      const code = await new Promise<number | null>((resolve) => {
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          if (!sent && /epoch +2\//.test(stdout)) sent = child.kill(signal);
        });
        child.on('close', resolve);
      });
      assert.equal(code, exitCode, stderr);
      assert.match(stderr, new RegExp(`^rnnlm train: interrupted \\(${signal}\\) during epoch (\\d+); .* holds the checkpoint of epoch (\\d+)\n$`));
      const [, during, kept] = /during epoch (\d+).*of epoch (\d+)/.exec(stderr)!;
      assert.equal(Number(kept), Number(during) - 1);
      assert.equal(existsSync(`${out}.lock`), false, 'the lock is released');
      assert.equal(rnnlm('generate', '--model', out).code, 0);
    });
  }
  const dir = tempDir();
  writeFileSync(join(dir, 'empty.txt'), '');
  writeFileSync(join(dir, 'digits.txt'), '1234 5678 90 !!! ...\n');
  const model = join(dir, 'm.safetensors');
  const bad: [string, string[], RegExp][] = [
    ['an unknown flag', ['train', '--epoch', '3'], /unknown option '--epoch'/],
    ['a value that is not a number', ['train', '--lr', 'fast'], /--lr must be a number, got 'fast'/],
    ['a zero size', ['train', '--batch-size', '0'], /--batch-size must be at least 1/],
    ['a negative size', ['train', '--num-hiddens', '-3'], /--num-hiddens must be at least 1/],
    ['a fractional size', ['train', '--num-steps', '2.5'], /--num-steps must be a whole number/],
    ['a missing file', ['train', '--data', join(dir, 'nope.txt')], /no such file/],
    ['an empty corpus', ['train', '--data', join(dir, 'empty.txt')], /no letters/],
    ['a corpus with no letters', ['train', '--data', join(dir, 'digits.txt')], /no letters/],
    ['a corpus too short', ['train', '--data', join(ROOT, 'package.json')], /too short/],
    ['generate without --model', ['generate'], /needs --model/],
    ['a missing model', ['generate', '--model', join(dir, 'none.safetensors')], /no such model file/],
    ['a prefix of unknown characters', ['generate', '--model', model, '--prefix', '123'], /no character the model knows/],
    ['a temperature without --sample', ['generate', '--model', model, '--temperature', '0.5'], /--temperature needs sampling: turn on --sample/],
    ['both alpha and temperature', ['generate', '--model', model, '--sample', '--alpha', '2', '--temperature', '0.5'], /not both/],
    ['a top-p above 1', ['generate', '--model', model, '--sample', '--top-p', '1.5'], /--top-p must be at most 1, got '1.5'/],
    ['an unknown split', ['train', '--split', 'half'], /--split must be one of book, full/],
    ['sequential partitioning of a too short region', ['train', '--partition', 'sequential'], /sequential partitioning cuts the training text/],
    ['eval without files', ['eval', '--model', model], /at least one TEXT_FILE/],
    ['an unknown command', ['fly'], /unknown command 'fly'/],
    ['an unknown cell', ['train', '--cell', 'tree'], /--cell must be one of rnn, gru, lstm, got 'tree'/],
    ['zero layers', ['train', '--num-layers', '0'], /--num-layers must be at least 1/],
    ['a dropout of 1', ['train', '--concise', '--num-layers', '2', '--dropout', '1'], /--dropout must be below 1, got '1'/],
    ['dropout with one layer', ['train', '--concise', '--dropout', '0.2'], /--dropout acts between layers: it needs at least 2 layers/],
    ['relu with an lstm', ['train', '--cell', 'lstm', '--activation', 'relu'], /activation relu is for rnn cells/],
    ['an unknown book section', ['train', '--book', '11.2'], /--book must be one of 9.5, 9.6, 10.1, 10.2, 10.3, got '11.2'/],
    ['a bidirectional language model', ['train', '--bidirectional'], /must not see the characters it predicts/],
  ];
  it('makes a model for the bad-input cases', () => {
    assert.equal(rnnlm('train', ...over(SMALL, '--epochs', '0'), '--out', model).code, 0);
  });
  for (const [what, args, message] of bad) {
    it(`refuses ${what}: one line on stderr, exit code 2`, () => {
      const r = rnnlm(...args);
      assert.equal(r.code, 2);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  }
});
