import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../helpers.js';
import { Vocab } from '../../src/data/vocab.js';
import { Rng } from '../../src/tensor/random.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/node/checkpoint-file.js';
import { BOOK_CONFIG, createModel, parameterCount } from '../../src/train/config/config.js';
import { decodeCheckpoint } from '../../src/train/checkpoint/checkpoint.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/train/checkpoint/safetensors.js';

async function saved(): Promise<{ path: string; prediction: string; values: Float32Array }> {
  const vocab = new Vocab([...'the time machine']);
  const config = { ...BOOK_CONFIG, numHiddens: 8, activation: 'relu' as const, seed: 4 };
  const model = createModel(config, vocab.length, new Rng(4));
  model.params.values.forEach((_, i, a) => (a[i] = Math.sin(i))); // weights unlike any fresh initialisation
  const path = join(tempDir(), 'model.safetensors');
  await saveCheckpoint(path, { model, vocab, config });
  return { path, prediction: model.predict('the', 30, vocab), values: Float32Array.from(model.params.values) };
}

describe('checkpoints', () => {
  it('round-trips a model with a learnable embedding', async () => {
    const vocab = new Vocab([...'embeddings too']); // 11 distinct characters + <unk> = 12
    const config = { ...BOOK_CONFIG, numHiddens: 6, embedding: 3, seed: 1 };
    const model = createModel(config, vocab.length, new Rng(1));
    const path = join(tempDir(), 'e.safetensors');
    await saveCheckpoint(path, { model, vocab, config });
    const back = await loadCheckpoint(path);
    assert.equal(back.config.embedding, 3);
    assert.deepEqual(back.model.params.entries.map(([n, t]) => `${n}:${t.shape.join('x')}`), ['embedding:12x3', 'W_xh:3x6', 'W_hh:6x6', 'b_h:6', 'W_hq:6x12', 'b_q:12']);
    assert.deepEqual(back.model.params.values, model.params.values);
    assert.equal(back.model.predict('emb', 12, back.vocab), model.predict('emb', 12, vocab));
  });
  it('round-trips weights, vocabulary and configuration', async () => {
    const { path, prediction, values } = await saved();
    const { model, vocab, config } = await loadCheckpoint(path);
    assert.deepEqual(model.params.values, values);
    assert.equal(config.numHiddens, 8);
    assert.equal(config.activation, 'relu');
    assert.equal(config.seed, 4);
    assert.equal(model.predict('the', 30, vocab), prediction);
  });
  it('is a safetensors file other tools can read: header, metadata, F32 tensors', async () => {
    const { path } = await saved();
    const bytes = readFileSync(path);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
    assert.equal(header.__metadata__.format, 'rnnlm-checkpoint');
    assert.deepEqual(header.W_hh, { dtype: 'F32', shape: [8, 8], data_offsets: [header.W_xh.data_offsets[1], header.W_xh.data_offsets[1] + 256] });
    assert.equal((8 + headerLength) % 8, 0);
  });
  it('rejects a truncated file, a foreign file and a missing file with clear messages', async () => {
    const { path } = await saved();
    const bytes = readFileSync(path);
    writeFileSync(path + '.cut', bytes.subarray(0, bytes.length - 10));
    await assert.rejects(loadCheckpoint(path + '.cut'), /not a valid safetensors file: .*truncated/);
    writeFileSync(path + '.txt', 'The Time Traveller (for so it will be convenient to speak of him)');
    await assert.rejects(loadCheckpoint(path + '.txt'), /not a valid safetensors file/);
    const other = encodeSafetensors({ tensors: [{ name: 'w', shape: [1], data: Float32Array.of(1) }], metadata: {} });
    writeFileSync(path + '.other', other);
    await assert.rejects(loadCheckpoint(path + '.other'), /not an rnnlm checkpoint: format is missing/);
    await assert.rejects(loadCheckpoint(path + '.none'), /no such model file/);
  });
  for (const model of [{ cell: 'lstm' }, { cell: 'gru', numLayers: 3 }, { cell: 'lstm', numLayers: 2, concise: true, dropout: 0.25 }, { cell: 'rnn', concise: true, embedding: 3 }] as const) {
    it(`round trip (version 3; version 2 files, the same without a run, still load): ${JSON.stringify(model)}`, async () => {
      const vocab = new Vocab([...'the time machine']);
      const config = { ...BOOK_CONFIG, ...model, numHiddens: 5, seed: 2 };
      const m = createModel(config, vocab.length, new Rng(2));
      assert.equal(m.params.values.length, parameterCount(config, vocab.length));
      m.params.values.forEach((_, i, a) => (a[i] = Math.sin(i)));
      const path = join(tempDir(), 'v2.safetensors');
      await saveCheckpoint(path, { model: m, vocab, config });
      const file = decodeSafetensors(readFileSync(path));
      const header = file.metadata;
      assert.equal(header['version'], '3');
      assert.equal(header['training'], undefined); // a model saved without its run
      assert.deepEqual(JSON.parse(header['model']!), { kind: config.concise ? 'concise' : 'scratch', cell: model.cell, layers: config.numLayers, dropout: config.dropout, bidirectional: false });
      const back = await loadCheckpoint(path);
      assert.deepEqual(back.config, config);
      assert.deepEqual(back.model.params.values, m.params.values);
      assert.equal(back.model.predict('the', 20, back.vocab), m.predict('the', 20, vocab));
      const v2 = decodeCheckpoint(encodeSafetensors({ tensors: file.tensors, metadata: { ...header, version: '2' } }));
      assert.deepEqual(v2.model.params.values, m.params.values);
    });
  }
  it('loads a version-1 file (the 9.5 model, no model metadata) as before', async () => {
    const { path, values, prediction } = await saved();
    const file = decodeSafetensors(readFileSync(path));
    const config = JSON.parse(file.metadata['config']!) as Record<string, unknown>;
    for (const k of ['cell', 'numLayers', 'dropout', 'concise']) delete config[k]; // what version 1 wrote
    file.metadata = { ...file.metadata, version: '1', config: JSON.stringify(config) };
    delete file.metadata['model'];
    writeFileSync(path, encodeSafetensors(file));
    const back = await loadCheckpoint(path);
    assert.equal(back.config.cell, 'rnn');
    assert.deepEqual(back.model.params.values, values);
    assert.equal(back.model.predict('the', 30, back.vocab), prediction);
  });
  it('rejects metadata that disagrees with the configuration or with the tensors, before building the model', async () => {
    const { path } = await saved();
    const file = decodeSafetensors(readFileSync(path));
    const lying = { ...file, metadata: { ...file.metadata, model: JSON.stringify({ kind: 'scratch', cell: 'lstm', layers: 1, dropout: 0, bidirectional: false }) } };
    writeFileSync(path, encodeSafetensors(lying));
    await assert.rejects(loadCheckpoint(path), /model metadata .* disagrees with the configuration/);
    const config = { ...JSON.parse(file.metadata['config']!), numHiddens: 16000, cell: 'rnn' };
    const huge = { ...file, metadata: { ...file.metadata, config: JSON.stringify(config) } };
    writeFileSync(path, encodeSafetensors(huge));
    await assert.rejects(loadCheckpoint(path), /needs \d+ parameters but the file holds \d+/);
  });
  it('rejects a tensor whose shape does not match the configuration', async () => {
    const { path } = await saved();
    const file = decodeSafetensors(readFileSync(path));
    file.tensors[1] = { name: 'W_hh', shape: [4, 16], data: file.tensors[1]!.data };
    writeFileSync(path, encodeSafetensors(file));
    await assert.rejects(loadCheckpoint(path), /W_hh has shape \[4, 16\], expected \[8, 8\]/);
  });
});
