// Issue 20's generation settings (Hugging Face generate's names): the logits processors on hand-computed rows, then
// their effect on whole texts (greedy, sampled and beam), stop strings matched on text across tokens, minNewTokens,
// several texts (sample i is the single sample of seed + i; the best beams in score order), random seeds that are
// reported and reproduce, and the step API against generate. The CLI's flags for the same are in test/cli-generate.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../helpers.js';
import { Vocab } from '../../src/data/vocab.js';
import { generate, generateTexts } from '../../src/generate/generate.js';
import { beamSearch } from '../../src/generate/beam.js';
import { LogitsProcessor } from '../../src/generate/logits-processors.js';
import { StopWatcher } from '../../src/generate/stop-strings.js';
import { startSession } from '../../src/generate/session.js';
import { warmUp, prefixTokens } from '../../src/models/predict.js';
import { BOOK_CONFIG, createModel } from '../../src/train/config/config.js';
import { Rng } from '../../src/tensor/random.js';
import type { RNNLMScratch } from '../../src/models/language-model.js';

const RAW = { text: 'raw', tokens: 'char' } as const;
const vocab = new Vocab([...'Hello, World! abc'], { tokenization: RAW });

/** A small untrained model with large weights (sigma 0.5): far from uniform, and it repeats itself greedily. */
function tinyModel(seed = 7): RNNLMScratch {
  return createModel({ ...BOOK_CONFIG, numHiddens: 16, sigma: 0.5 }, vocab.length, new Rng(seed));
}

/** Every n-gram of a token list, as strings, with how often each occurs. */
function ngramCounts(ids: readonly number[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= ids.length; i++) {
    const key = ids.slice(i, i + n).join(',');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

const idsOf = (text: string): number[] => Array.from(vocab.indices(vocab.tokenize(text)));

describe('logits processors', () => {
  it('repetition penalty: divides the positive logits of seen tokens, multiplies the negative ones (CTRL, as Hugging Face)', () => {
    const z = Float64Array.from([2, -1, 0.5, 3]);
    LogitsProcessor.after({ repetitionPenalty: 2 }, [0, 1, 1]).apply(z);
    // tokens 0 and 1 seen (1 twice: penalised once): 2 / 2 = 1, -1 * 2 = -2; 2 and 3 unseen
    assert.deepEqual([...z], [1, -2, 0.5, 3]);
  });
  it('no-repeat n-gram: bans each token that would complete an n-gram already in the text', () => {
    // history 5 6 7 5 6: the 3-grams are 5 6 7, 6 7 5, 7 5 6; the last two tokens (5 6) were once followed by 7
    const z = new Float64Array(9);
    LogitsProcessor.after({ noRepeatNgramSize: 3 }, [5, 6, 7, 5, 6]).apply(z);
    assert.deepEqual([...z].map((x, i) => (x === -Infinity ? i : -1)).filter((i) => i >= 0), [7]);
    // n = 1 bans every token seen; n = 2 bans the followers of the last token (6 -> 7)
    const one = new Float64Array(9);
    LogitsProcessor.after({ noRepeatNgramSize: 1 }, [5, 6, 7]).apply(one);
    assert.deepEqual([...one].map((x, i) => (x === -Infinity ? i : -1)).filter((i) => i >= 0), [5, 6, 7]);
    const two = new Float64Array(9);
    LogitsProcessor.after({ noRepeatNgramSize: 2 }, [6, 7, 8, 6]).apply(two);
    assert.deepEqual([...two].map((x, i) => (x === -Infinity ? i : -1)).filter((i) => i >= 0), [7]);
  });
  it('refuses out-of-range settings with one line naming the value', () => {
    const model = tinyModel();
    assert.throws(() => generate(model, vocab, 'He', { repetitionPenalty: 0 }), /repetitionPenalty must be a positive number \(1 = none\), got 0/);
    assert.throws(() => generate(model, vocab, 'He', { noRepeatNgramSize: 1.5 }), /noRepeatNgramSize must be a whole number from 1 to 1000, got 1.5/);
    assert.throws(() => generate(model, vocab, 'He', { minNewTokens: 11, maxNewTokens: 10 }), /minNewTokens must be a whole number from 0 to maxNewTokens \(10\), got 11/);
    assert.throws(() => generate(model, vocab, 'He', { maxNewTokens: 5, numPreds: 6 }), /give maxNewTokens or numPreds/);
    assert.throws(() => generate(model, vocab, 'He', { numBeams: 2, sample: true }), /does not combine with sample/);
  });
});

describe('generation settings on a model', () => {
  const model = tinyModel();
  it('greedy text repeats itself; with noRepeatNgramSize 3 no 3-gram occurs twice in prefix + text, greedy or by beam', () => {
    const plain = idsOf(generate(model, vocab, 'Hello', { maxNewTokens: 60 }));
    assert.ok([...ngramCounts(plain, 3).values()].some((c) => c > 1), 'the plain greedy text should repeat (else this test proves nothing)');
    for (const options of [{ maxNewTokens: 60 }, { maxNewTokens: 30, numBeams: 3 }]) {
      const ids = idsOf(generate(model, vocab, 'Hello', { ...options, noRepeatNgramSize: 3 }));
      assert.ok(ids.length > 5 + 10, `${ids.length} tokens`);
      assert.ok([...ngramCounts(ids, 3).values()].every((c) => c === 1), JSON.stringify(options));
    }
  });
  it('repetition penalty 1 changes nothing; 3 changes the greedy text and lowers its repeats', () => {
    const plain = generate(model, vocab, 'Hello', { maxNewTokens: 60 });
    assert.equal(generate(model, vocab, 'Hello', { maxNewTokens: 60, repetitionPenalty: 1 }), plain);
    const penalised = generate(model, vocab, 'Hello', { maxNewTokens: 60, repetitionPenalty: 3 });
    assert.notEqual(penalised, plain);
    const distinct = (t: string): number => new Set(ngramCounts(idsOf(t), 3).keys()).size;
    assert.ok(distinct(penalised) > distinct(plain), `${distinct(penalised)} vs ${distinct(plain)} distinct 3-grams`);
  });
  it('stop strings match on text across tokens, in generated text only; minNewTokens holds them off', () => {
    const free = generate(model, vocab, 'Hello', { maxNewTokens: 200, sample: true, seed: 3, temperature: 2 }).slice(5);
    const stop = free.slice(20, 22); // two characters the sample writes: the text must end at their first match
    const at = free.indexOf(stop);
    const stopped = generate(model, vocab, 'Hello', { maxNewTokens: 200, sample: true, seed: 3, temperature: 2, stop: [stop, 'HHHHHHHH'] }).slice(5);
    assert.equal(stopped, free.slice(0, at + 2));
    const later = generate(model, vocab, 'Hello', { maxNewTokens: 200, sample: true, seed: 3, temperature: 2, stop, minNewTokens: at + 3 }).slice(5);
    const next = free.indexOf(stop, at + 1);
    assert.equal(later, next >= 0 && next + 2 >= at + 3 ? free.slice(0, next + 2) : free, 'the first match past minNewTokens');
    // the prefix 'He' + 'l...' does not stop on 'el' straddling the prefix
    assert.ok(generate(model, vocab, 'He', { maxNewTokens: 1, stop: 'eH' }).length === 3);
  });
  it('a stop text the model cannot write is refused with the character it lacks', () => {
    const book = new Vocab([...'the time machine'], {});
    const bookModel = createModel({ ...BOOK_CONFIG, numHiddens: 8 }, book.length, new Rng(1));
    assert.throws(() => generate(bookModel, book, 'the', { stop: '.' }), /the stop text '\.' cannot occur in this model's output: it never writes '\.' \(its text was read as the book does/);
    assert.doesNotThrow(() => generate(bookModel, book, 'the', { stop: 'the mine', maxNewTokens: 3 }));
  });
  it('a one-character stop string in beam search equals the stop token of beamSearch', () => {
    const { ids } = prefixTokens(vocab, 'Hel');
    const step = (t: number, s: unknown): { logits: ArrayLike<number>; state: unknown } => model.stepToken(t, s as never);
    const byId = beamSearch(warmUp(model, ids), step, { beam: 4, numPreds: 25, exclude: [vocab.unk], stop: [vocab.index('o')] });
    const text = generate(model, vocab, 'Hel', { numBeams: 4, maxNewTokens: 25, stop: 'o' });
    assert.equal(text, 'Hel' + vocab.decode(byId.tokens));
    assert.ok(byId.tokens.includes(vocab.index('o')), 'the stop should be reached (else this test proves nothing)');
  });
  it('several texts: sample i is the one sample of seed + i; beams come best first, the first is generate\'s', async () => {
    const { texts, seed } = await generateTexts(model, vocab, 'Hello', { maxNewTokens: 30, sample: true, seed: 41, numReturnSequences: 3 });
    assert.equal(seed, 41);
    for (let i = 0; i < 3; i++) assert.equal(texts[i], generate(model, vocab, 'Hello', { maxNewTokens: 30, sample: true, seed: 41 + i }));
    assert.equal(new Set(texts).size, 3);
    const beams = await generateTexts(model, vocab, 'Hello', { maxNewTokens: 12, numBeams: 4, numReturnSequences: 4 });
    assert.equal(beams.texts.length, 4);
    assert.equal(beams.texts[0], generate(model, vocab, 'Hello', { maxNewTokens: 12, numBeams: 4 }));
    assert.equal(new Set(beams.texts).size, 4);
    await assert.rejects(generateTexts(model, vocab, 'Hello', { numReturnSequences: 2 }), /greedy decoding gives one text/);
    await assert.rejects(generateTexts(model, vocab, 'Hello', { numBeams: 2, numReturnSequences: 3 }), /numReturnSequences \(3\) must be at most numBeams \(2\)/);
  });
  it('sampling without a seed is random, and the seed it reports makes the same texts again', async () => {
    const a = await generateTexts(model, vocab, 'Hello', { maxNewTokens: 80, sample: true, temperature: 3 });
    const b = await generateTexts(model, vocab, 'Hello', { maxNewTokens: 80, sample: true, temperature: 3 });
    assert.ok(a.seed !== undefined && b.seed !== undefined);
    assert.notEqual(a.texts[0], b.texts[0]); // 80 draws at temperature 3 from ~17 tokens: equal by chance with negligible probability
    assert.deepEqual((await generateTexts(model, vocab, 'Hello', { maxNewTokens: 80, sample: true, temperature: 3, seed: a.seed })).texts, a.texts);
  });
  it('the step API: probabilities sum to 1, top(k) is their order, feeding the argmax gives greedy text', () => {
    const s = startSession(model, vocab, 'Hello');
    const greedy = generate(model, vocab, 'Hello', { maxNewTokens: 15 });
    for (let i = 0; i < 15; i++) {
      const p = s.probs();
      assert.ok(Math.abs(p.reduce((x, y) => x + y, 0) - 1) < 1e-12);
      const top = s.top(3);
      assert.ok(top[0]!.p >= top[1]!.p && top[1]!.p >= top[2]!.p);
      assert.equal(top[0]!.p, Math.max(...p));
      const best = top.find((t) => t.id !== vocab.unk)!; // generate never picks <unk>
      s.feed(i % 2 === 0 ? best.token : best.id);
    }
    assert.equal(s.text, greedy);
    assert.throws(() => s.feed('xyz'), /"xyz" is not a token of this model's vocabulary/);
    assert.throws(() => s.feed(vocab.length), /a token index must be a whole number from 0/);
  });
  it('StopWatcher finds each match once, at the piece that completes it', () => {
    const w = new StopWatcher(['abc']);
    assert.deepEqual(['a', 'b', 'c', 'a', 'bc', 'x'].map((p) => w.push(p)), [false, false, true, false, true, false]);
  });
});
