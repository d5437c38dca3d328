// scoreText against its definition: log P(text) = sum over positions i >= 1 of log softmax(logits_i)[token_i], where
// logits_i come from model.step fed tokens 0..i-1 one at a time (the state carried), summed here in float64.
// scoreText computes the same with the fused batch loss over chunks, so the two share only the model's weights.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../helpers.js';
import { Vocab } from '../../src/data/vocab.js';
import { scoreText } from '../../src/generate/score.js';
import type { State } from '../../src/models/layer.js';
import type { RNNLMScratch } from '../../src/models/language-model.js';
import { noGrad } from '../../src/tensor/autograd.js';
import { Rng } from '../../src/tensor/random.js';
import { IntTensor } from '../../src/tensor/tensor.js';
import { BOOK_CONFIG, createModel } from '../../src/train/config/config.js';
import type { CellKind } from '../../src/models/cell-factory.js';

const RAW = { text: 'raw', tokens: 'char' } as const;
const BOOK_WORDS = { text: 'book', tokens: 'word' } as const;

/** A small untrained model with large weights (sigma 0.5), so that its distributions are far from uniform. */
function tinyModel(vocab: Vocab, cell: CellKind, concise = false): RNNLMScratch {
  return createModel({ ...BOOK_CONFIG, numHiddens: 16, sigma: 0.5, cell, concise }, vocab.length, new Rng(7));
}

/** The oracle: sum of log softmax(step logits)[next token], in float64, unknown tokens read as <unk>. */
function oracleLogProb(model: RNNLMScratch, vocab: Vocab, tokens: readonly string[]): number {
  const ids = tokens.map((t) => vocab.index(t));
  let state: State | undefined;
  let sum = 0;
  for (let i = 0; i + 1 < ids.length; i++) {
    const [logits, next] = noGrad(() => model.step(new IntTensor(Int32Array.of(ids[i]!), [1, 1]), state));
    state = next;
    assert.deepEqual(logits.shape, [1, vocab.length]);
    const z = Array.from(logits.data, Number);
    const max = Math.max(...z);
    const logSumExp = max + Math.log(z.reduce((a, v) => a + Math.exp(v - max), 0));
    sum += z[ids[i + 1]!]! - logSumExp;
  }
  return sum;
}

const close = (actual: number, expected: number, what: string): void =>
  assert.ok(Math.abs(actual / expected - 1) < 1e-4, `${what}: ${actual} vs ${expected}`);

describe('scoreText', () => {
  const text = 'The quick brown fox jumps over the lazy dog. Pack my box with five dozen liquor jugs!\n'.repeat(3);
  const chars = [...text]; // ASCII: one character per code point, nothing for NFC to change
  const vocab = new Vocab(chars, { tokenization: RAW });

  for (const [cell, concise] of [['rnn', false], ['gru', false], ['lstm', true]] as const) {
    it(`equals the sum of -log softmax over model.step, one token at a time (${concise ? 'concise ' : ''}${cell}, raw characters)`, () => {
      const model = tinyModel(vocab, cell, concise);
      const expected = oracleLogProb(model, vocab, chars);
      const n = chars.length - 1; // every token but the first, which has no context
      assert.ok(expected < -n * 0.1, `the model is far from certain: ${expected}`);
      for (const chunk of [undefined, 50]) { // one forward pass, and chunks carrying the state
        const s = scoreText(model, vocab, text, chunk);
        assert.equal(s.tokens, n);
        close(s.logProb, expected, `log-probability (chunk ${chunk ?? 'default'})`);
        close(s.perplexity, Math.exp(-expected / n), 'perplexity');
        close(s.bitsPerToken, -expected / n / Math.LN2, 'bits per token');
        assert.equal(s.unknownShare, 0);
      }
    });
  }

  it('with book-text word tokens: the text is read as the vocabulary\'s (letters only, lower case, words)', () => {
    const book = 'The Time Machine, by H. G. Wells. The Time Traveller (for so it will be convenient to speak of him) was expounding a recondite matter to us.';
    const vocab = new Vocab(new Vocab([], { tokenization: BOOK_WORDS }).tokenize(book), { tokenization: BOOK_WORDS });
    // 10 words: 'the', 'time', 'of' and 'traveller' are in the vocabulary, 'machines', 'sold', 'in' and 'london' are not
    const scored = 'The Time-Machines of the Time Traveller: sold in London!';
    const words = ['the', 'time', 'machines', 'of', 'the', 'time', 'traveller', 'sold', 'in', 'london'];
    assert.deepEqual(vocab.tokenize(scored), words);
    const model = tinyModel(vocab, 'gru');
    const expected = oracleLogProb(model, vocab, words);
    const s = scoreText(model, vocab, scored);
    assert.equal(s.tokens, words.length - 1);
    close(s.logProb, expected, 'log-probability');
    close(s.perplexity, Math.exp(-expected / (words.length - 1)), 'perplexity');
    close(s.bitsPerToken, -expected / (words.length - 1) / Math.LN2, 'bits per token');
    assert.equal(s.unknownShare, 4 / 10);
  });

  it('unknownShare counts the text\'s tokens outside the vocabulary, which are scored as <unk>', () => {
    const vocab = new Vocab([...'the cat sat on the mat'], { tokenization: RAW });
    // 22 characters; 'd', 'g', 'l' and the second 'g' are not in the vocabulary: 4 unknown
    const scored = 'the dog sat on the log';
    const model = tinyModel(vocab, 'rnn');
    const s = scoreText(model, vocab, scored);
    assert.equal(s.unknownShare, 4 / 22);
    assert.equal(s.tokens, 21);
    close(s.logProb, oracleLogProb(model, vocab, [...scored]), 'log-probability with <unk>');
  });
});
