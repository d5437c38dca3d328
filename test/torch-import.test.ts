// rnnlm import: a PyTorch language model saved with safetensors becomes an rnnlm checkpoint. The round trip rnnlm ->
// PyTorch -> rnnlm: a concise model is loaded into torch.nn modules (bench/save_from_torch.py), whose state_dicts are
// saved as a PyTorch user would save them, then imported; the two rnnlm checkpoints hold the same floats and score and
// generate alike. The PyTorch side needs torch at /usr/bin/python3 (RNNLM_PYTHON names another) and is skipped, saying
// so, where it does not import; the refusals below need no PyTorch.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PYTHON, ROOT, rnnlm, tempDir, withoutTorch } from './helpers.js';
import { decodeSafetensors, encodeSafetensors } from '../src/train/checkpoint/safetensors.js';

const TEXT = join(ROOT, '..', 'shared', 'data', 'timemachine.txt');
const NO_TORCH = withoutTorch();

const SIZES = ['--epochs', '1', '--batch-size', '32', '--num-steps', '8', '--num-hiddens', '12', '--num-train', '200', '--num-val', '50', '--quiet'];

/** A concise model trained by rnnlm, saved from PyTorch and imported: both checkpoints' paths. */
function roundTrip(model: string[]): { dir: string; mine: string; back: string; weights: string; vocab: string } {
  const dir = tempDir();
  const [mine, weights, vocab, back] = ['m.safetensors', 'torch.safetensors', 'vocab.json', 'back.safetensors'].map((n) => join(dir, n)) as [string, string, string, string];
  const trained = rnnlm('train', '--concise', ...model, ...SIZES, '--data', TEXT, '--out', mine);
  assert.equal(trained.code, 0, trained.stderr);
  const py = spawnSync(PYTHON, [join(ROOT, 'bench', 'save_from_torch.py'), mine, weights, vocab], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  const imported = rnnlm('import', '--weights', weights, '--vocab', vocab, '--out', back, ...(model.includes('relu') ? ['--activation', 'relu'] : []));
  assert.equal(imported.code, 0, imported.stderr);
  return { dir, mine, back, weights, vocab };
}

describe('rnnlm import (PyTorch -> rnnlm)', () => {
  for (const model of [['--cell', 'lstm', '--num-layers', '2'], ['--cell', 'gru', '--embedding', '5'], ['--cell', 'rnn', '--activation', 'relu', '--text', 'raw']]) {
    it(`round trip through torch.nn: ${model.join(' ')}: the same floats, scores and text`, { skip: NO_TORCH }, () => {
      const { mine, back } = roundTrip(model);
      const [a, b] = [decodeSafetensors(readFileSync(mine)), decodeSafetensors(readFileSync(back))];
      assert.deepEqual(b.tensors.map((t) => t.name), a.tensors.map((t) => t.name));
      a.tensors.forEach((t, i) => assert.deepEqual(b.tensors[i]!.data, t.data, t.name));
      assert.deepEqual(JSON.parse(b.metadata['vocab']!), JSON.parse(a.metadata['vocab']!));
      for (const command of [['score', 'the time traveller'], ['generate', '--prefix', 'the time', '--len', '40']]) {
        const [x, y] = [rnnlm(command[0]!, '--model', mine, ...command.slice(1)), rnnlm(command[0]!, '--model', back, ...command.slice(1))];
        assert.equal(x.code, 0, x.stderr);
        assert.equal(y.stdout, x.stdout, command.join(' '));
      }
    });
  }

  // the refusals: a state_dict built here, as torch.nn.LSTM(28, 4) and nn.Linear(4, 28) would name it
  const dir = tempDir();
  const V = 28;
  const H = 4;
  const tensor = (name: string, shape: number[]): { name: string; shape: number[]; data: Float32Array } =>
    ({ name, shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i) / 10) });
  const lstm = [tensor('rnn.weight_ih_l0', [4 * H, V]), tensor('rnn.weight_hh_l0', [4 * H, H]), tensor('rnn.bias_ih_l0', [4 * H]), tensor('rnn.bias_hh_l0', [4 * H]),
    tensor('linear.weight', [V, H]), tensor('linear.bias', [V])];
  const save = (name: string, tensors: ReturnType<typeof tensor>[]): string => {
    const p = join(dir, name);
    writeFileSync(p, encodeSafetensors({ tensors, metadata: {} }));
    return p;
  };
  const vocabOf = (name: string, content: unknown): string => {
    const p = join(dir, name);
    writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
    return p;
  };
  const tokens = ['<unk>', ' ', ...'abcdefghijklmnopqrstuvwxyz'];
  const VOCAB = vocabOf('vocab.json', { vocab: tokens });
  const GOOD = save('lstm.safetensors', lstm);
  it('imports a state_dict built as PyTorch names it, and refuses what does not fit, naming the tensor or field', () => {
    const out = join(dir, 'ok.safetensors');
    const ok = rnnlm('import', '--weights', GOOD, '--vocab', VOCAB, '--out', out);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, `wrote ${out}: a 1-layer LSTM of 4 units, vocabulary 28 (book text, char tokens)\n`);
    assert.equal(rnnlm('generate', '--model', out, '--len', '5').code, 0);
    for (const [args, message] of [
      [['--weights', save('no-hh.safetensors', lstm.filter((t) => t.name !== 'rnn.weight_hh_l0')), '--vocab', VOCAB], /the weights have no tensor rnn\.weight_hh_l0/],
      [['--weights', save('gates5.safetensors', lstm.map((t) => (t.name === 'rnn.weight_hh_l0' ? tensor(t.name, [5 * H, H]) : t))), '--vocab', VOCAB], /20 rows are not 1, 3 or 4 gate blocks of 4/],
      [['--weights', save('no-linear.safetensors', lstm.filter((t) => t.name !== 'linear.bias')), '--vocab', VOCAB], /the weights have no tensor linear\.bias \(a 1-layer lstm needs /],
      [['--weights', GOOD, '--vocab', vocabOf('short.json', { vocab: tokens.slice(0, 20) })], /does not fit the model its shapes describe: .*needs \d+ parameters/],
      [['--weights', save('extra.safetensors', [...lstm, tensor('rnn.weight_hr_l0', [2, 4])]), '--vocab', VOCAB], /the weights hold tensors a 1-layer lstm has not: rnn\.weight_hr_l0/],
      [['--weights', GOOD, '--vocab', vocabOf('notjson.json', '{')], /notjson\.json is not JSON/],
      [['--weights', GOOD, '--vocab', vocabOf('extra.json', { vocab: tokens, turbo: 1 })], /turbo is not a field \(fields: vocab, text, tokens\)/],
      [['--weights', GOOD, '--vocab', vocabOf('mode.json', { vocab: tokens, text: 'latin' })], /text must be book or raw, got "latin"/],
      [['--weights', GOOD, '--vocab', vocabOf('nounk.json', { vocab: tokens.map((t) => (t === '<unk>' ? '?' : t)) })], /no <unk>/],
      [['--weights', GOOD, '--vocab', VOCAB, '--out', GOOD], /--out .* and --weights .* are the same file/],
      [['--weights', join(dir, 'none.safetensors'), '--vocab', VOCAB], /no such weights file/],
    ] as const) {
      const r = rnnlm('import', ...args, ...(args.includes('--out') ? [] : ['--out', join(dir, 'refused.safetensors')]));
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.split('\n').length, 2, 'one line');
    }
    assert.deepEqual(readFileSync(GOOD), Buffer.from(encodeSafetensors({ tensors: lstm, metadata: {} })), 'the input was not touched');
  });
});
