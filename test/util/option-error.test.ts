// OptionError: a message written once with its options marked, read with each surface's names for them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { opt, optionError, OptionError } from '../../src/util/option-error.js';
import { decodingPlan } from '../../src/generate/generate.js';

describe('OptionError', () => {
  it("reads as the library's names, or as anyone else's", () => {
    const e = optionError`${opt('minNewTokens')} must be a whole number from 0 to ${opt('maxNewTokens')} (${10}), got ${11}`;
    assert.ok(e instanceof Error && e instanceof OptionError);
    assert.equal(e.message, 'minNewTokens must be a whole number from 0 to maxNewTokens (10), got 11');
    assert.equal(e.in((o) => `--${o.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`), '--min-new-tokens must be a whole number from 0 to --max-new-tokens (10), got 11');
    assert.equal(e.in((o) => `"${o}"`), '"minNewTokens" must be a whole number from 0 to "maxNewTokens" (10), got 11');
  });

  it('lists several names as people read them; values stay as they are, undefined included', () => {
    const names = (n: number): OptionError => optionError`${['a', 'b', 'c'].slice(0, n).map(opt)} need ${opt('sample')}; got ${undefined}, ${'x'}, ${0}`;
    assert.equal(names(1).message, 'a need sample; got undefined, x, 0');
    assert.equal(names(2).message, 'a and b need sample; got undefined, x, 0');
    assert.equal(names(3).in((o) => o.toUpperCase()), 'A, B and C need SAMPLE; got undefined, x, 0');
    assert.equal(optionError`no names`.message, 'no names');
  });

  it("is what generation's option checks throw, so that the CLI and the page name their own controls", () => {
    const cases: [Parameters<typeof decodingPlan>[0], string][] = [
      [{ numBeams: 2, sample: true }, 'beam search (numBeams) looks for the most likely text; it does not combine with sample'],
      [{ numReturnSequences: 2 }, 'greedy decoding gives one text: turn on sample, or search at least as many beams (numBeams) as numReturnSequences'],
      [{ maxNewTokens: -1 }, 'maxNewTokens must be a whole number of tokens from 0 to 10000000, got -1'],
      [{ numPreds: 2.5 }, 'numPreds must be a whole number of tokens from 0 to 10000000, got 2.5'],
      [{ maxNewTokens: 3, numPreds: 4 }, 'give maxNewTokens or numPreds, not both'],
      [{ lengthPenalty: 1 }, 'lengthPenalty is an option of beam search (numBeams)'],
      [{ sample: true, topP: 1.5 }, 'topP must be in (0, 1], got 1.5'],
      [{ temperature: 0.5, topK: 3 }, 'temperature and topK need sampling: turn on sample'],
      [{ repetitionPenalty: -1 }, 'repetitionPenalty must be a positive number (1 = none), got -1'],
    ];
    for (const [options, message] of cases) {
      assert.throws(() => decodingPlan(options), (e: unknown) => e instanceof OptionError && e.message === message, message);
    }
  });
});
