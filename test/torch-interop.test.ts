// A checkpoint continues in PyTorch: bench/load_in_torch.py (docs/library.md's snippet) loads its tensors into
// torch.nn.RNN/GRU/LSTM with load_state_dict and computes the validation perplexity of the book's split, which must
// equal the one rnnlm reported for the same model. Needs PyTorch at /usr/bin/python3 (RNNLM_PYTHON names another;
// apt-get install python3-torch); .ci/run installs it when it is missing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { hasTorch, PYTHON, ROOT, tempDir } from './helpers.js';

const BIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const TEXT = join(ROOT, '..', 'shared', 'data', 'timemachine.txt');

describe('checkpoints in PyTorch (concise and scratch)', () => {
  if (!hasTorch()) throw new Error(`these tests need PyTorch at ${PYTHON}: apt-get install python3-torch (or set RNNLM_PYTHON)`);
  // concise checkpoints as they are; scratch ones (the book's names) through the loader's scratch_to_torch
  for (const model of [['--concise', '--cell', 'lstm', '--num-layers', '2'], ['--concise', '--cell', 'gru'], ['--concise', '--cell', 'rnn', '--activation', 'relu'],
    ['--cell', 'rnn'], ['--cell', 'lstm'], ['--cell', 'lstm', '--num-layers', '2']]) {
    it(`torch.nn loads ${model.join(' ')} and gives rnnlm's validation perplexity`, () => {
      const out = join(tempDir(), 'm.safetensors');
      const r = spawnSync(process.execPath, [BIN, 'train', ...model, '--epochs', '2', '--batch-size', '64', '--num-steps', '8',
        '--num-hiddens', '12', '--num-train', '400', '--num-val', '100', '--lr', '2', '--json', '--out', out, '--data', TEXT], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const mine = JSON.parse(r.stdout.trim().split('\n').pop()!).valPpl as number;
      const py = spawnSync(PYTHON, [join(ROOT, 'bench', 'load_in_torch.py'), out, TEXT], { encoding: 'utf8' });
      assert.equal(py.status, 0, py.stderr);
      const theirs = Number(/torch val ppl ([\d.]+)/.exec(py.stdout)?.[1]);
      // the same float32 function summed in other orders: agreement to about 1e-6 relative; 1e-4 leaves room
      assert.ok(Math.abs(mine - theirs) / theirs < 1e-4, `rnnlm ${mine} vs torch ${theirs}`);
    });
  }
});
