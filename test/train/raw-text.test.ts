// Raw text end to end: the oracle is the text itself. A small model trained to near-zero loss on a text mixing
// English (capitals, punctuation, digits, newlines), Chinese, Russian, German and an emoji regenerates it greedily
// from its first characters, exactly: this fails if any character is dropped, merged or mapped wrongly anywhere
// (reading, normalising, the vocabulary, the ids, generation and printing).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, rnnlm, tempDir } from '../helpers.js';
import { selectBackend } from '../../src/node/select-backend.js';
import { TimeMachine } from '../../src/data/timemachine.js';
import { BOOK_CONFIG, createModel } from '../../src/train/config/config.js';
import { Trainer } from '../../src/train/run/trainer.js';
import { Rng } from '../../src/tensor/random.js';

const TEXT = 'The quick brown fox, aged 7, jumps over 3 lazy dogs! "Why?" asked Ann.\n' +
  '中文：我们学习语言模型。Русский текст: Привет, мир! Emoji 🎉 too.\n' +
  'Numbers like 42 and 3.14; CAPITALS, commas, and (parentheses).\n' +
  'Das Straße-Café in Zürich öffnet um 9 Uhr — très bien.\n' +
  'Tabs\tand  double spaces stay; «quotes» and ‘single’ ones too.\nEnd.';


describe('raw text', () => {
  it('a model overfit on a mixed-script text regenerates it exactly from its first 8 characters', async () => {
    await selectBackend('auto'); // the fast kernels: the reference backend needs a minute for these 300 epochs
    const chars = [...TEXT];
    assert.ok(chars.length >= 300, `${chars.length}`);
    const T = 16;
    const config = { ...BOOK_CONFIG, text: 'raw' as const, numSteps: T, batchSize: 32, numHiddens: 64, lr: 2, epochs: 300 };
    const data = new TimeMachine(TEXT, { ...config, tokenization: { text: 'raw', tokens: 'char' }, numTrain: chars.length - T, numVal: 0 });
    assert.equal(data.vocab.length, new Set(chars).size + 1); // every distinct character, and <unk>
    const rng = new Rng(0);
    const model = createModel(config, data.vocab.length, rng);
    const history = await new Trainer({ maxEpochs: config.epochs, gradientClipVal: 1, rng }).fit(model, data);
    assert.ok(history.at(-1)!.trainPpl < 1.2, `train perplexity ${history.at(-1)!.trainPpl}`);
    assert.equal(model.predict(TEXT.slice(0, 8), chars.length - 8, data.vocab), TEXT);
  });
  it('rnnlm train --text raw saves the choice; generate reads it and prints newlines and scripts exactly', () => {
    const dir = tempDir();
    const out = join(dir, 'zh.safetensors');
    const data = join(ROOT, 'test', 'fixtures', 'daodejing.txt');
    const t = rnnlm('train', '--data', data, '--text', 'raw', '--split', 'full', '--epochs', '60', '--batch-size', '16', '--num-steps', '16',
      '--num-hiddens', '64', '--lr', '2', '--out', out, '--quiet');
    assert.equal(t.code, 0, t.stderr);
    const g = rnnlm('generate', '--model', out, '--prefix', '道可道', '--len', '40');
    assert.equal(g.code, 0, g.stderr);
    assert.ok(g.stdout.startsWith('道可道'));
    const generated = [...g.stdout.slice(3, -1)];
    assert.equal(generated.length, 40);
    assert.ok(generated.filter((c) => /\p{Script=Han}/u.test(c)).length >= 20, g.stdout); // Chinese, not <unk> or noise
    assert.ok(!g.stdout.includes('<unk>'));
    // the prefix is read as raw text: capitals are not lowered, an unknown prefix is refused
    const bad = rnnlm('generate', '--model', out, '--prefix', 'xyz');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^rnnlm generate: the prefix 'xyz' has no character the model knows\n$/);
    const beam = rnnlm('generate', '--model', out, '--prefix', '道', '--len', '10', '--beam', '3');
    assert.equal(beam.code, 0, beam.stderr);
    assert.equal([...beam.stdout.trimEnd()].length, 11);
  });
});
