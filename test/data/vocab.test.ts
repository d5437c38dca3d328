import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../helpers.js';
import { loadTimeMachineText } from '../../src/node/load.js';
import { preprocess, tokenize } from '../../src/data/preprocess.js';
import { compareCodePoints, Vocab } from '../../src/data/vocab.js';

describe('preprocess', () => {
  it('turns every run of non-letters into one space and lowers case, as the book', () => {
    assert.equal(preprocess("The Time-Traveller (for so it will be convenient)"), 'the time traveller for so it will be convenient ');
  });
});

describe('Vocab', () => {
  it('on The Time Machine: 28 tokens, space at 0, <unk> at 1, a at 2', async () => {
    const vocab = new Vocab(tokenize(preprocess(await loadTimeMachineText())));
    assert.equal(vocab.length, 28); // 26 letters + space + <unk>
    assert.deepEqual(vocab.idxToToken.slice(0, 4), [' ', '<unk>', 'a', 'b']);
    assert.equal(vocab.index('z'), 27);
    assert.equal(vocab.index('!'), vocab.unk);
    assert.equal(vocab.unk, 1);
  });
  it('maps indices back to tokens and drops rare tokens below minFreq', () => {
    const vocab = new Vocab([...'aaabbc'], { minFreq: 2, reservedTokens: ['<pad>'] });
    assert.deepEqual(vocab.idxToToken, ['<pad>', '<unk>', 'a', 'b']);
    assert.deepEqual(vocab.toTokens(vocab.indices([...'abc'])), ['a', 'b', '<unk>']);
    assert.throws(() => vocab.toTokens([9]), /out of range/);
  });
});

describe('Vocab options and order', () => {
  it('keeps the maxTokens most frequent tokens (with <unk>), ties in token order', () => {
    // counts: a 4, b 3, c 3, d 1; maxTokens 3 keeps <unk> and the two most frequent: a, then b (b ties c, b first)
    const vocab = new Vocab([...'aaaabbbcccd'], { maxTokens: 3 });
    assert.deepEqual(vocab.idxToToken, ['<unk>', 'a', 'b']);
    assert.throws(() => new Vocab(['a'], { maxTokens: 0 }), /maxTokens must be an integer of at least 1/);
  });
  it('word tokens with minFreq: rare words become <unk>', () => {
    // the 3, cat 2, sat 1, mat 1: minFreq 2 keeps the and cat
    const words = 'the cat sat the cat the mat'.split(' ');
    const vocab = new Vocab(words, { minFreq: 2, tokenization: { text: 'book', tokens: 'word' } });
    assert.deepEqual(vocab.idxToToken, ['<unk>', 'cat', 'the']);
    assert.deepEqual(vocab.toTokens(vocab.encode('The mat, the CAT')), ['the', '<unk>', 'the', 'cat']);
    assert.equal(vocab.decode(vocab.encode('the cat')), 'the cat');
  });
  it('sorts by code point, as Python: an emoji (U+1F389) after a fullwidth comma (U+FF0C)', () => {
    const vocab = new Vocab(['🎉', '，', 'a']);
    assert.deepEqual(vocab.idxToToken, ['<unk>', 'a', '，', '🎉']);
    assert.ok(compareCodePoints('🎉', '，') > 0 && '🎉' < '，'); // UTF-16 order would put the emoji first
  });
});
