// The exercises report's findings: each sentence is chosen from the numbers, so numbers on the two sides of its
// stated threshold must give opposite wordings (a finding written whatever the numbers say fails here).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  authorFinding, clipEffect, clipShareFinding, embeddingFinding, generalisationFinding, historyFinding, influenceFinding, oneHotFinding,
  reluFinding, samplingFinding, transferFinding, type ClipRun, type SampleNumbers,
} from '../../src/exercises/report.js';

describe('exercise findings follow the numbers', () => {
  it('1: influence at every distance measured, falling or not', () => {
    const d = [0, 1, 2, 4, 8, 16, 31];
    const falling = influenceFinding(d, [4.1, 2.5, 1.1, 0.6, 0.08, 4e-4, 9e-6]);
    assert.match(falling, /^changing the character at any distance measured \(0, 1, 2, 4, 8, 16, 31\) changes the prediction/);
    assert.match(falling, /shrinks at every distance measured: 4\.1e\+0 for the current input, 9\.0e-6 at distance 31/);
    const bumpy = influenceFinding(d, [4.1, 2.5, 3, 0.6, 0.08, 0, 0]);
    assert.match(bumpy, /^changing the character at distance 16, 31 does not change the prediction at all/);
    assert.match(bumpy, /is smaller at the far end, but does not shrink at every distance measured/);
    assert.match(influenceFinding(d, [1, 1, 1, 1, 1, 1, 2]), /does not shrink with distance/);
  });

  it('2: more history helps, or not; the spread is small or large (10%)', () => {
    const helps = historyFinding([{ numSteps: 8, valPpl: 8.54 }, { numSteps: 16, valPpl: 8.07 }, { numSteps: 32, valPpl: 7.97 }, { numSteps: 64, valPpl: 7.91 }]);
    assert.equal(helps, 'More history helps at every length tried; the validation perplexities differ by at most 8.0% (under 10%: small).');
    const hurts = historyFinding([{ numSteps: 64, valPpl: 9.5 }, { numSteps: 8, valPpl: 8 }, { numSteps: 16, valPpl: 7 }, { numSteps: 32, valPpl: 7.5 }]);
    assert.equal(hurts, 'More history does not keep helping: 16 steps beat 64; the validation perplexities differ by at most 35.7% (10% or more: large).');
    assert.match(historyFinding([{ numSteps: 8, valPpl: 8 }, { numSteps: 16, valPpl: 8.1 }, { numSteps: 32, valPpl: 7.9 }]),
      /^The longest window is best, but perplexity does not fall at every length tried/);
  });

  it('3: one-hot product and row lookup equal only when the difference is 0', () => {
    assert.match(oneHotFinding(0, 28, 32).answer, /^They are equal .* skips 28x32 multiply-adds/);
    assert.match(oneHotFinding(0, 28, 32).summary, /^Yes: .* exactly/);
    assert.match(oneHotFinding(1e-7, 28, 32).answer, /^They differ \(largest difference 1e-7\)/);
    assert.match(oneHotFinding(1e-7, 28, 32).summary, /^No: /);
  });

  it('4: overfitting above a 10% gap; embeddings help, hurt or neither (5%)', () => {
    assert.match(generalisationFinding(4.91, 7.69), /56\.6% higher \(more than 10%: it learns its training windows more than it generalises/);
    assert.match(generalisationFinding(7.34, 7.6), /3\.5% higher \(10% or less: little overfitting\)/);
    const sizes = (a: number, b: number): { size: number; valPpl: number }[] => [{ size: 8, valPpl: a }, { size: 32, valPpl: b }];
    assert.match(embeddingFinding(sizes(7.04, 6.52), 7.97), /every embedding size beats one-hot by more than 5% .*: the embedding helps\.$/);
    assert.match(embeddingFinding(sizes(8.5, 9), 7.97), /one-hot beats every embedding size by more than 5% .*: the embedding does not help\.$/);
    assert.match(embeddingFinding(sizes(7.9, 6.5), 7.97), /neither all better nor all worse .*: no clear effect\.$/);
  });

  it('5: another book about the same (within 5%), worse or better', () => {
    assert.equal(transferFinding(8.947, 8.868), 'about the same (within 5%): what the model learned is not particular to The Time Machine');
    assert.equal(transferFinding(10, 8), '25.0% worse (more than 5%): part of what the model learned is particular to The Time Machine');
    assert.match(transferFinding(7, 8), /^12\.5% better \(more than 5%\)/);
  });

  it('6: another author differs little (under 10%) or clearly', () => {
    assert.equal(authorFinding(9.322, 8.947), '4.2% higher. At the level of characters, the two authors\' English differs little for this model (under 10%).');
    assert.equal(authorFinding(11, 8.947), '22.9% higher. At the level of characters, the two authors\' English differs clearly for this model (10% or more).');
    assert.match(authorFinding(8, 8.947), /^10\.6% lower\. .* differs clearly/);
  });

  it('7: loops below 0.3 distinct words per word; sampled text less likely, many non-words above 20%; sharpening in between', () => {
    const n = (distinct: number, nats: number, nonWords: number): SampleNumbers => ({ distinct, nats, nonWords });
    const book = samplingFinding(n(0.04, 0.96, 0), n(1, 2.03, 60), [[2, n(0.73, 1.31, 30)], [4, n(0.27, 1.03, 5)]]);
    assert.match(book.answer, /0\.04 distinct words per word \(below 0\.3: it falls into a loop\)/);
    assert.match(book.answer, /its text is what the model itself finds less likely than greedy's \(2\.03 nats per character against 0\.96\)/);
    assert.match(book.answer, /60% of its words are not words of The Time Machine \(more than 20%: many non-words, against 0% for greedy\)/);
    assert.match(book.answer, /Sharpening with alpha > 1 moves between the two in both .*: alpha 2 gives 0\.73 distinct words at 1\.31 nats/);
    assert.match(book.summary, /^greedy: distinct words 0\.04 \(loops\); .*\(in between\)$/);
    const opposite = samplingFinding(n(0.5, 1.5, 10), n(0.45, 1.2, 15), [[2, n(0.6, 1.4, 12)], [4, n(0.5, 1.6, 10)]]);
    assert.match(opposite.answer, /0\.50 distinct words per word \(0\.3 or more: no loop\)/);
    assert.match(opposite.answer, /its text is no less likely to the model than greedy's/);
    assert.match(opposite.answer, /15% of its words .*\(20% or less: few non-words/);
    assert.match(opposite.answer, /Sharpening with alpha > 1 does not stay between the two/);
    assert.match(opposite.summary, /\(no loop\).*\(not in between\)$/);
  });

  const run = (o: Partial<ClipRun>): ClipRun => ({ valPpl: 7.97, maxNorm: 0.54, clippedShare: 0, clip: 1, diverged: null, ...o });
  it('8: clipping acted or not; diverged runs; clipping rare (under 5%) or not', () => {
    assert.match(clipEffect(run({}), run({ clip: 0 }), 'tanh'), /never exceeded the threshold 1 \(largest 0\.54\), so clipping never acted/);
    const acted = clipEffect(run({ maxNorm: 3, clippedShare: 0.25 }), run({ clip: 0, maxNorm: 40, valPpl: 9 }), 'tanh');
    assert.match(acted, /reached validation perplexity 9\.00 \(with clipping 7\.97\)\. The gradient norm exceeded 1 in 25\.0% .*largest 3\.00\); without clipping it reached 40\.00\./);
    assert.match(clipEffect(run({}), run({ clip: 0, diverged: 'boom' }), 'tanh'), /^Without clipping the tanh run diverged \(boom\); with clipping it reached 7\.97\.$/);
    assert.match(clipEffect(run({ diverged: 'boom' }), run({ clip: 0 }), 'tanh'), /^With clipping the tanh run diverged \(boom\); without clipping it reached 7\.97\.$/);
    assert.equal(clipShareFinding(run({ clippedShare: 0 })), 'Here clipping is only a safeguard (it acted on 0% of the steps).');
    assert.match(clipShareFinding(run({ clippedShare: 0.01 })), /1\.0% of the book run's steps \(under 5%: a safeguard against the rare large step\)/);
    assert.match(clipShareFinding(run({ clippedShare: 0.4 })), /40\.0% .*\(5% or more: it shapes training, not only a safeguard\)/);
  });

  it('9: ReLU needs clipping when the unclipped run diverges or is over 5% worse; its norms grow beyond tanh\'s above twice', () => {
    const tanh = [run({}), run({ clip: 0 })];
    assert.equal(reluFinding(run({ valPpl: 7.9, maxNorm: 1.23 }), run({ clip: 0, valPpl: 7.7, maxNorm: 1.1 }), tanh),
      'Clipping was not needed with ReLU in this run: without it validation perplexity is 2.5% lower (not more than 5% higher); ' +
      'the largest gradient norm with ReLU is 1.23 against 0.54 with tanh, 2.3 times (more than 2: ReLU\'s gradients grow larger).');
    assert.equal(reluFinding(run({ valPpl: 8, maxNorm: 1 }), run({ clip: 0, valPpl: 9, maxNorm: 0.9 }), tanh),
      'Clipping helps with ReLU here: without it validation perplexity is 12.5% higher (more than 5%); ' +
      'the largest gradient norm with ReLU is 1.00 against 0.54 with tanh, 1.9 times (2 or less: not much larger than tanh\'s).');
    assert.match(reluFinding(run({ maxNorm: 0.6 }), run({ clip: 0, maxNorm: NaN, valPpl: NaN, diverged: 'boom' }), tanh),
      /^Clipping is needed with ReLU here: without it training diverged; .* 0\.60 against 0\.54 with tanh/);
    // the largest over both ReLU runs (here the unclipped one) against the largest over both tanh runs
    assert.match(reluFinding(run({ maxNorm: 0.5 }), run({ clip: 0, maxNorm: 50 }), [run({}), run({ clip: 0, maxNorm: 20 })]),
      /with ReLU is 50\.00 against 20\.00 with tanh, 2\.5 times \(more than 2/);
  });
});
