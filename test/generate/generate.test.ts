import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../helpers.js';
import { Vocab } from '../../src/data/vocab.js';
import { beamContinuation, continuation, generate, generateText } from '../../src/generate/generate.js';
import { makePicker } from '../../src/generate/sampling.js';
import { scoreText, scoringStream } from '../../src/generate/score.js';
import { BOOK_CONFIG, createModel } from '../../src/train/config/config.js';
import { Rng } from '../../src/tensor/random.js';
import type { RNNLMScratch } from '../../src/models/language-model.js';

const RAW = { text: 'raw', tokens: 'char' } as const;

/** A small untrained model with large weights (sigma 0.5), so that its distributions are far from uniform. */
function tinyModel(vocab: Vocab, cell: 'rnn' | 'gru' = 'rnn'): RNNLMScratch {
  return createModel({ ...BOOK_CONFIG, numHiddens: 16, sigma: 0.5, cell }, vocab.length, new Rng(7));
}

describe('generation', () => {
  const vocab = new Vocab([...'Hello, World! 你好'], { tokenization: RAW });
  it('never produces <unk>, even when its logit is the largest: greedy, sampled, beam', () => {
    const model = tinyModel(vocab);
    model.b_q.data[vocab.unk] = 100; // <unk> would win every step
    const greedy = [...continuation(model, vocab, 'He', 50)];
    const sampled = [...continuation(model, vocab, 'He', 200, makePicker({ sample: true, seed: 1, temperature: 3 }))];
    const beam = beamContinuation(model, vocab, 'He', 20, 4);
    for (const ids of [greedy, sampled, beam]) {
      assert.ok(ids.length > 0);
      assert.ok(!ids.includes(vocab.unk));
    }
  });
  it('beam search with K = 1 equals greedy decoding on a model', () => {
    for (const cell of ['rnn', 'gru'] as const) {
      const model = tinyModel(vocab, cell);
      assert.deepEqual(beamContinuation(model, vocab, 'Wo', 30, 1), [...continuation(model, vocab, 'Wo', 30)]);
    }
  });
  it('reads the prefix as the training text was, in the library as in the CLI (book text: lower case)', () => {
    const book = new Vocab([...'the time machine'], {});
    const model = tinyModel(book);
    assert.ok(model.predict('The Time', 10, book).startsWith('the time'));
    assert.throws(() => model.predict('123', 10, book), /has no character the model knows/);
    assert.throws(() => model.predict('xyz', 10, vocab), /has no character the model knows/);
  });
  it('streams: the async iterator\'s pieces join to the whole text, greedy and sampled; stop ends the text', async () => {
    const model = tinyModel(vocab);
    for (const options of [{ numPreds: 80 }, { numPreds: 80, sample: true, seed: 4 }]) {
      const pieces: string[] = [];
      const seen: string[] = [];
      for await (const p of generateText(model, vocab, 'Hello', options, (s) => seen.push(s))) pieces.push(p);
      assert.equal(pieces.length, 81); // the prefix, then one piece per token
      assert.deepEqual(seen, pieces);
      assert.equal(pieces.join(''), generate(model, vocab, 'Hello', options));
      assert.equal(pieces.join(''), model.predict('Hello', 80, vocab, makePicker(options)));
    }
    const text = generate(model, vocab, 'Hello', { numPreds: 500, sample: true, seed: 2, stop: '!' });
    assert.ok(text.endsWith('!') && text.indexOf('!') === text.length - 1, text);
    // vocab's characters are those of 'Hello world!' (tinyModel's text): 'a' can never be written
    assert.throws(() => generate(model, vocab, 'Hello', { numPreds: 5, stop: 'ab' }), /the stop text 'ab' cannot occur in this model's output: it never writes 'a'/);
  });
  it('book words are printed with spaces between them', () => {
    const words = new Vocab('the time machine by h g wells'.split(' '), { tokenization: { text: 'book', tokens: 'word' } });
    const text = generate(tinyModel(words), words, 'The Time', { numPreds: 5 });
    assert.match(text, /^the time( [a-z]+){5}$/);
  });
});

describe('scoring', () => {
  it('in chunks carrying the state equals one sequence, to 1e-5 relative, and in pieces too', () => {
    const text = 'The quick brown fox jumps over the lazy dog. 你好, World! '.repeat(40);
    const vocab = new Vocab([...text], { tokenization: RAW });
    const model = tinyModel(vocab, 'gru');
    const whole = scoreText(model, vocab, text, 1 << 20);
    const chunked = scoreText(model, vocab, text, 37);
    assert.equal(chunked.tokens, [...text].length - 1);
    assert.ok(Math.abs(chunked.logProb / whole.logProb - 1) < 1e-5, `${chunked.logProb} vs ${whole.logProb}`);
    const s = scoringStream(model, vocab, 50);
    for (let i = 0; i < text.length; i += 13) s.push(text.slice(i, i + 13));
    assert.ok(Math.abs(s.score().logProb / whole.logProb - 1) < 1e-5);
  });
});
