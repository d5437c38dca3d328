import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../helpers.js';
import { loadTimeMachineText } from '../../src/data/load.js';
import { preprocess, tokenize } from '../../src/data/preprocess.js';
import { Vocab } from '../../src/data/vocab.js';

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
