import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { beamSearch, DEFAULT_LENGTH_PENALTY, exhaustiveSearch, type BeamOptions, type BeamResult, type StepFn } from '../../src/generate/beam.js';

interface Model<S> {
  first: { logits: number[]; state: S };
  step: StepFn<S>;
}

/** A tiny LCG (Numerical Recipes constants): uniform numbers in [0, 1) for seeded random tables. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

/** Logits from a fixed random table indexed by (previous token, step counter); state = the counter. */
function tableModel(V: number, T: number, seed: number): Model<number> {
  const rand = lcg(seed);
  const row = (): number[] => Array.from({ length: V }, () => 4 * rand() - 2);
  const start = row();
  const table = Array.from({ length: T }, () => Array.from({ length: V }, row)); // table[t][previous token]
  return { first: { logits: start, state: 0 }, step: (token, t) => ({ logits: table[t]![token]!, state: t + 1 }) };
}

/** A model whose logits are any function of the token history (state = the history); records what step was fed. */
function historyModel(logitsOf: (history: readonly number[]) => number[]): Model<number[]> & { fed: number[][] } {
  const fed: number[][] = [];
  return {
    first: { logits: logitsOf([]), state: [] },
    step: (token, history) => {
      const h = [...history, token];
      fed.push(h);
      return { logits: logitsOf(h), state: h };
    },
    fed,
  };
}

/** Random logits in [-3, 3) for every history, seeded by (seed, history), so the model is not Markov. */
function randomLogits(V: number, seed: number): (history: readonly number[]) => number[] {
  return (h) => {
    const code = h.reduce((a, v) => a * (V + 1) + v + 1, 0);
    const rand = lcg(seed * 100003 + code * 7919);
    rand();
    rand(); // nearby seeds give correlated first draws
    return Array.from({ length: V }, () => 6 * rand() - 3);
  };
}

const randomHistoryModel = (V: number, seed: number): Model<number[]> & { fed: number[][] } => historyModel(randomLogits(V, seed));

/** A model given by probabilities: logits = log p, so the log-probabilities are exactly log p. */
function probModel(probsOf: (history: readonly number[]) => number[]): Model<number[]> & { fed: number[][] } {
  return historyModel((h) => probsOf(h).map(Math.log));
}

/** Reference log-softmax over the non-excluded ids, written plainly (the test logits are small). */
function refLogProbs(logits: ArrayLike<number>, exclude: readonly number[] = []): number[] {
  const z = Array.from(logits);
  const logZ = Math.log(z.reduce((s, v, i) => (exclude.includes(i) ? s : s + Math.exp(v)), 0));
  return z.map((v, i) => (exclude.includes(i) ? -Infinity : v - logZ));
}

/** log P of a token sequence under the model, fed token by token. */
function sequenceLogProb<S>(m: Model<S>, tokens: number[], exclude: readonly number[] = []): number {
  let { logits, state } = m.first as { logits: ArrayLike<number>; state: S };
  let sum = 0;
  tokens.forEach((v, t) => {
    sum += refLogProbs(logits, exclude)[v]!;
    if (t < tokens.length - 1) ({ logits, state } = m.step(v, state));
  });
  return sum;
}

/** Greedy argmax decoding (first index on ties), the book's predict loop. */
function greedy<S>(m: Model<S>, numPreds: number): { tokens: number[]; logProb: number } {
  let { logits, state } = m.first as { logits: ArrayLike<number>; state: S };
  const tokens: number[] = [];
  let logProb = 0;
  for (let t = 0; t < numPreds; t++) {
    const lp = refLogProbs(logits);
    let v = 0;
    for (let i = 1; i < lp.length; i++) if (lp[i]! > lp[v]!) v = i;
    tokens.push(v);
    logProb += lp[v]!;
    if (t < numPreds - 1) ({ logits, state } = m.step(v, state));
  }
  return { tokens, logProb };
}

const close = (a: number, b: number, msg?: string): void => assert.ok(Math.abs(a - b) < 1e-12, msg ?? `${a} vs ${b}`);
const beam = <S>(m: Model<S>, options: BeamOptions): BeamResult => beamSearch(m.first, m.step, options);
const exhaustive = <S>(m: Model<S>, options: Omit<BeamOptions, 'beam'>): BeamResult => exhaustiveSearch(m.first, m.step, options);

describe('beam search', () => {
  it('K = 1 is greedy decoding, on random tables', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const V = 3 + (seed % 2);
      const numPreds = 3 + (seed % 3);
      const m = tableModel(V, numPreds, seed);
      const g = greedy(m, numPreds);
      for (const alpha of [0, 0.75, 1]) {
        const r = beam(m, { beam: 1, numPreds, alpha });
        assert.deepEqual(r.tokens, g.tokens, `seed ${seed}`);
        close(r.logProb, g.logProb);
        close(r.score, g.logProb / numPreds ** alpha);
      }
    }
    // equal logits: greedy takes the first index, so does K = 1 (log P = 3 log(1/3))
    const flat = historyModel(() => [0, 0, 0]);
    const r = beam(flat, { beam: 1, numPreds: 3 });
    assert.deepEqual(r.tokens, [0, 0, 0]);
    close(r.logProb, 3 * Math.log(1 / 3));
  });

  it('K >= V^numPreds equals exhaustive search, with and without stop tokens, for alpha 0, 0.75 and 1', () => {
    let stoppedEarly = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const V = 3 + (seed % 2);
      const numPreds = V === 3 ? 3 + (seed % 3) : 3; // 3^5 = 243, 4^3 = 64 sequences at most
      for (const m of [tableModel(V, numPreds, seed), randomHistoryModel(V, seed)] as Model<unknown>[]) {
        for (const stop of [[], [V - 1], [0, 2]]) {
          for (const alpha of [0, 0.75, 1]) {
            const options = { numPreds, alpha, stop };
            const want = exhaustive(m, options);
            const got = beam(m, { ...options, beam: V ** numPreds });
            assert.deepEqual(got.tokens, want.tokens, `seed ${seed}, stop [${stop}], alpha ${alpha}`);
            assert.equal(got.score, want.score);
            assert.equal(got.logProb, want.logProb);
            if (got.tokens.length < numPreds) stoppedEarly++;
          }
        }
      }
    }
    assert.ok(stoppedEarly > 10, `only ${stoppedEarly} results ended before numPreds: the stop cases are not exercised`);
  });

  it('never beats the exhaustive optimum, for every K, and reports the true log P and score of its tokens', () => {
    let strictlyWorse = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const V = 3;
      const numPreds = 4;
      const m = randomHistoryModel(V, seed);
      for (const stop of [[], [1]]) {
        for (const alpha of [0, 0.75]) {
          const best = exhaustive(m, { numPreds, alpha, stop });
          for (let K = 1; K <= V ** numPreds; K++) {
            const r = beam(m, { beam: K, numPreds, alpha, stop });
            assert.ok(r.score <= best.score + 1e-12, `K ${K}: ${r.score} > ${best.score}`);
            if (r.score < best.score - 1e-12) strictlyWorse++;
            // a well-formed candidate: numPreds tokens, or fewer ending in its only stop token
            const stops = r.tokens.filter((v) => stop.includes(v)).length;
            if (r.tokens.length < numPreds) assert.ok(stops === 1 && stop.includes(r.tokens.at(-1)!), `${r.tokens}`);
            else assert.ok(stops === 0 || (stops === 1 && stop.includes(r.tokens.at(-1)!)), `${r.tokens}`);
            close(r.logProb, sequenceLogProb(m, r.tokens));
            close(r.score, r.logProb / r.tokens.length ** alpha);
          }
        }
      }
    }
    assert.ok(strictlyWorse > 0, 'no case where a small beam misses the optimum: the bound is not tested');
  });

  it('K = 2 finds a better sequence than greedy when the likelier first token leads to flat continuations', () => {
    // P(first) = [0.5, 0.4, 0.1]; after 0 the next token is flat (1/3 each), after 1 it is 0 with probability 0.9.
    // Greedy (K = 1) takes 0, then 0 (first of a tie): P = 0.5 * 1/3 = 1/6 ≈ 0.167.
    // K = 2 keeps [0] and [1]; the extensions are [0, v] at 1/6 and [1, 0] at 0.4 * 0.9 = 0.36, so it ends with
    // [1, 0], log P = log 0.36 (score log(0.36) / 2^0.75, above log(1/6) / 2^0.75 as both have L = 2).
    const m = probModel((h) => (h.length === 0 ? [0.5, 0.4, 0.1] : h[0] === 0 ? [1 / 3, 1 / 3, 1 / 3] : h[0] === 1 ? [0.9, 0.05, 0.05] : [0.2, 0.3, 0.5]));
    const k1 = beam(m, { beam: 1, numPreds: 2 });
    const k2 = beam(m, { beam: 2, numPreds: 2 });
    assert.deepEqual(k1.tokens, [0, 0]);
    close(k1.logProb, Math.log(1 / 6));
    assert.deepEqual(k2.tokens, [1, 0]);
    close(k2.logProb, Math.log(0.36));
    assert.equal(DEFAULT_LENGTH_PENALTY, 0.75);
    close(k2.score, Math.log(0.36) / 2 ** 0.75); // alpha omitted: the default 0.75
    assert.ok(k1.score < k2.score);
    assert.deepEqual(k2, exhaustive(m, { numPreds: 2 }));
  });

  it('an excluded id is never generated, even with the largest logit, and the rest are renormalised', () => {
    // hand check: logits [0, log 3, 5] with 2 excluded give P = [1/4, 3/4] over {0, 1}, so K = 1 picks 1 twice and
    // log P = 2 log(3/4); without the exclusion it would pick 2 (logit 5) twice
    const hand = historyModel(() => [0, Math.log(3), 5]);
    assert.deepEqual(beam(hand, { beam: 1, numPreds: 2 }).tokens, [2, 2]);
    const r = beam(hand, { beam: 1, numPreds: 2, exclude: [2] });
    assert.deepEqual(r.tokens, [1, 1]);
    close(r.logProb, 2 * Math.log(3 / 4));
    // random models where id 3 has the largest logit everywhere
    for (let seed = 1; seed <= 8; seed++) {
      const base = randomLogits(4, seed);
      const m = historyModel((h) => {
        const z = base(h);
        z[3] = 10;
        return z;
      });
      assert.ok(beam(m, { beam: 1, numPreds: 4 }).tokens.includes(3), 'id 3 must win when allowed');
      for (const K of [1, 3]) {
        const got = beam(m, { beam: K, numPreds: 4, exclude: [3], stop: [2] });
        assert.ok(!got.tokens.includes(3), `K ${K}: ${got.tokens}`);
        close(got.logProb, sequenceLogProb(m, got.tokens, [3]));
      }
      // with the exclusion the beam is exhaustive at K = 3^4 (over the three remaining ids)
      assert.deepEqual(beam(m, { beam: 81, numPreds: 4, exclude: [3] }), exhaustive(m, { numPreds: 4, exclude: [3] }));
    }
  });

  it('the length penalty: alpha = 0 picks a short candidate, alpha = 1 a longer one (the stop token counts in L)', () => {
    // tokens: 0 a word, 1 the stop token; numPreds 3. P(first) = [0.6, 0.4], P(· | 0) = [0.7, 0.3], P(· | 0 0) = [0.3, 0.7].
    // candidates   P                         log P    alpha = 1: log P / L
    //   [1]        0.4                       -0.916   -0.916
    //   [0 1]      0.6 * 0.3 = 0.18          -1.715   -0.857
    //   [0 0 1]    0.6 * 0.7 * 0.7 = 0.294   -1.224   -0.408  (with L = 2, not counting the stop, -0.612)
    //   [0 0 0]    0.6 * 0.7 * 0.3 = 0.126   -2.071   -0.690
    // alpha = 0 picks [1], alpha = 1 picks [0 0 1]. K = 2 finds them all: each step keeps the word extension and
    // finishes the stop one, both within the 2 best.
    const m = probModel((h) => (h.length === 0 ? [0.6, 0.4] : h.length === 1 ? [0.7, 0.3] : [0.3, 0.7]));
    const short = beam(m, { beam: 2, numPreds: 3, stop: [1], alpha: 0 });
    assert.deepEqual(short.tokens, [1]);
    close(short.score, Math.log(0.4));
    const long = beam(m, { beam: 2, numPreds: 3, stop: [1], alpha: 1 });
    assert.deepEqual(long.tokens, [0, 0, 1]);
    close(long.logProb, Math.log(0.294));
    close(long.score, Math.log(0.294) / 3);
    for (const alpha of [0, 1]) assert.deepEqual(beam(m, { beam: 2, numPreds: 3, stop: [1], alpha }), exhaustive(m, { numPreds: 3, stop: [1], alpha }));
    // with K = 1 the stop extension [1] ranks second at step 1, outside the beam, so it is never a candidate:
    // alpha = 0 then ends with [0 0 1] (log P -1.224, the best that K = 1 keeps), not [1]
    assert.deepEqual(beam(m, { beam: 1, numPreds: 3, stop: [1], alpha: 0 }).tokens, [0, 0, 1]);
  });

  it('a finished hypothesis leaves the beam, which is refilled so K stay live', () => {
    // tokens 0 and 1 are words, 2 stops; numPreds 2, K = 1, alpha = 1. P(first) = [0.3, 0.2, 0.5], P(· | 0) =
    // [0.9, 0.05, 0.05], P(· | 1) flat. Step 1 ranks [2] first: it is finished (score log 0.5 = -0.693) and [0]
    // refills the beam; step 2 gives [0 0] with P 0.27, score log(0.27) / 2 = -0.655, which wins. Without the
    // refill the beam would be empty after [2] and the result [2]. The exhaustive optimum is [0 0] too
    // ([0 1], [0 2]: log(0.015) / 2 = -2.10; [1 v]: log(0.2 / 3) / 2 = -1.35).
    const m = probModel((h) => (h.length === 0 ? [0.3, 0.2, 0.5] : h[0] === 0 ? [0.9, 0.05, 0.05] : [1 / 3, 1 / 3, 1 / 3]));
    const r = beam(m, { beam: 1, numPreds: 2, stop: [2], alpha: 1 });
    assert.deepEqual(r.tokens, [0, 0]);
    close(r.score, Math.log(0.27) / 2);
    assert.deepEqual(m.fed, [[0]]); // the finished [2] is not fed
    assert.deepEqual(r, exhaustive(m, { numPreds: 2, stop: [2], alpha: 1 }));
  });

  it('feeds step only to extend kept hypotheses, breaking ties by beam index then token id', () => {
    // equal logits: every extension ties, so K = 2 keeps [0], [1], then [0 0], [0 1] (both children of beam 0);
    // breaking ties by token first would keep [0 0], [1 0]. The final tokens are never fed.
    const flat = historyModel(() => [0, 0, 0]);
    const r = beam(flat, { beam: 2, numPreds: 3 });
    assert.deepEqual(flat.fed, [[0], [1], [0, 0], [0, 1]]);
    assert.deepEqual(r.tokens, [0, 0, 0]);
    assert.deepEqual(exhaustive(historyModel(() => [0, 0, 0]), { numPreds: 3 }).tokens, [0, 0, 0]); // first found, depth first
    // random model, K = 2, V = 3, numPreds = 4: two feeds after each of the first three steps, none with a stop token
    const m = randomHistoryModel(3, 5);
    beam(m, { beam: 2, numPreds: 4 });
    assert.equal(m.fed.length, 6);
    assert.ok(m.fed.every((h) => h.length < 4));
    const s = randomHistoryModel(3, 5);
    beam(s, { beam: 2, numPreds: 4, stop: [0] });
    assert.ok(s.fed.every((h) => !h.includes(0)), 'a finished hypothesis was fed');
    // exhaustive feeds every non-final prefix: 3 + 9 + 27
    const e = randomHistoryModel(3, 5);
    exhaustive(e, { numPreds: 4 });
    assert.equal(e.fed.length, 39);
  });

  it('numPreds = 0 gives the empty result without calling step; log P is stable for huge logits', () => {
    const m = historyModel(() => [1, 2, 3]);
    assert.deepEqual(beam(m, { beam: 3, numPreds: 0 }), { tokens: [], logProb: 0, score: 0, sequences: [{ tokens: [], logProb: 0, score: 0 }] });
    assert.deepEqual(exhaustive(m, { numPreds: 0 }), { tokens: [], logProb: 0, score: 0 });
    assert.equal(m.fed.length, 0);
    // exp(1000) overflows; shifted by the max, P(0) = 1 / (1 + e^-1) exactly as for logits [1, 0, -1999]
    const huge = beamSearch({ logits: new Float32Array([1000, 999, -1000]), state: null }, () => assert.fail('no step after the last token'), { beam: 2, numPreds: 1 });
    assert.deepEqual(huge.tokens, [0]);
    close(huge.logProb, -Math.log1p(Math.exp(-1)));
  });

  it('equals its plain twin (every extension of every hypothesis sorted, tokens copied) on random tables with ties and stops', () => {
    // the twin: the search as D2L describes it, written plainly; beamSearch ranks only each hypothesis's K + stops
    // best extensions and shares tokens as chains, which must change nothing
    const plain = <S>(m: Model<S>, K: number, numPreds: number, stop: number[], exclude: number[]): { tokens: number[]; logProb: number } => {
      let best: { tokens: number[]; logProb: number; score: number } | undefined;
      const consider = (tokens: number[], logProb: number): void => {
        const score = logProb / tokens.length ** DEFAULT_LENGTH_PENALTY;
        if (best === undefined || score > best.score) best = { tokens, logProb, score };
      };
      let live = [{ tokens: [] as number[], logProb: 0, next: m.first as { logits: ArrayLike<number>; state: S } }];
      for (let t = 1; t <= numPreds && live.length > 0; t++) {
        const ext: { from: number; token: number; logProb: number }[] = [];
        live.forEach((h, from) => refLogProbs(h.next.logits, exclude).forEach((lp, token) => {
          if (!exclude.includes(token)) ext.push({ from, token, logProb: h.logProb + lp });
        }));
        ext.sort((a, b) => b.logProb - a.logProb || a.from - b.from || a.token - b.token);
        const next: typeof live = [];
        let kept = 0;
        for (let r = 0; r < ext.length && kept < K; r++) {
          const e = ext[r]!;
          const tokens = [...live[e.from]!.tokens, e.token];
          if (stop.includes(e.token)) {
            consider(tokens, e.logProb);
            continue;
          }
          kept++;
          if (t === numPreds) consider(tokens, e.logProb);
          else next.push({ tokens, logProb: e.logProb, next: m.step(e.token, live[e.from]!.next.state) });
        }
        live = next;
      }
      return best!;
    };
    let compared = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const V = 5 + (seed % 6);
      // coarse logits (multiples of 0.5) make equal log P frequent, so the tie-breaks are exercised
      const m = historyModel((h) => randomLogits(V, seed)(h).map((z) => Math.round(2 * z) / 2));
      for (const K of [1, 2, 3]) {
        const stop = seed % 3 === 0 ? [] : [seed % V, (seed + 2) % V];
        const exclude = seed % 2 === 0 ? [V - 1] : [];
        const got = beam(m, { beam: K, numPreds: 4, stop, exclude });
        const want = plain(m, K, 4, stop, exclude);
        assert.deepEqual(got.tokens, want.tokens, `seed ${seed}, K ${K}`);
        close(got.logProb, want.logProb);
        compared++;
      }
    }
    assert.equal(compared, 120);
  });

  it('costs the same per step however long the text: 20,000 tokens with K = 4 (chains, not copies of every prefix)', () => {
    // with the tokens copied at every step this was quadratic (40k tokens took minutes); here it is linear
    const V = 30;
    const logits = Array.from({ length: V }, (_, i) => Math.sin(i));
    const m: Model<number> = { first: { logits, state: 0 }, step: (token, t) => ({ logits: logits.map((z, i) => z + ((token + i + t) % 7) / 10), state: t + 1 }) };
    const t0 = performance.now();
    const r = beam(m, { beam: 4, numPreds: 20_000 });
    assert.equal(r.tokens.length, 20_000);
    assert.ok(performance.now() - t0 < 30_000, 'a guard against the quadratic path, not a speed claim');
  });

  it('rejects bad options and bad logits with one-line errors', () => {
    const m = historyModel(() => [0, 1, 2]);
    const bad: [Partial<BeamOptions>, RegExp][] = [
      [{ beam: 0 }, /beam must be an integer from 1 to 1000, got 0/],
      [{ beam: 1.5 }, /beam must be an integer from 1 to 1000/],
      [{ beam: NaN }, /beam must be an integer from 1 to 1000/],
      [{ beam: 1_000_000 }, /beam must be an integer from 1 to 1000, got 1000000/],
      [{ numPreds: -1 }, /numPreds must be a whole number of tokens from 0 to 10000000, got -1/],
      [{ numPreds: 2.5 }, /numPreds must be a whole number of tokens/],
      [{ numPreds: Infinity }, /numPreds must be a whole number of tokens from 0 to 10000000, got Infinity/],
      [{ numPreds: 1e12 }, /numPreds must be a whole number of tokens from 0 to 10000000/],
      [{ alpha: -0.5 }, /alpha must be a finite number >= 0, got -0.5/],
      [{ alpha: Infinity }, /alpha must be a finite number >= 0/],
      [{ alpha: NaN }, /alpha must be a finite number >= 0/],
      [{ exclude: [3] }, /exclude ids must be integers in \[0, 3\), got 3/],
      [{ exclude: [0.5] }, /exclude ids must be integers/],
      [{ stop: [-1] }, /stop ids must be integers in \[0, 3\), got -1/],
      [{ exclude: [0, 1, 2] }, /every token id is excluded/],
    ];
    for (const [override, message] of bad) {
      const options = { beam: 2, numPreds: 2, ...override };
      assert.throws(() => beam(m, options), (err: Error) => message.test(err.message) && !err.message.includes('\n'), JSON.stringify(override));
      if (!('beam' in override)) assert.throws(() => exhaustive(m, options), message);
    }
    assert.throws(() => beamSearch({ logits: [], state: 0 }, m.step as never, { beam: 1, numPreds: 1 }), /logits are empty/);
    const short = historyModel((h) => (h.length === 0 ? [0, 1, 2] : [0, 1]));
    assert.throws(() => beam(short, { beam: 1, numPreds: 2 }), /step returned 2 logits, expected 3/);
    assert.throws(() => beam(historyModel(() => [0, NaN, 1]), { beam: 1, numPreds: 1 }), /logit 1 is NaN/);
    assert.throws(() => beam(historyModel(() => [-Infinity, -Infinity, 0]), { beam: 1, numPreds: 1, exclude: [2] }), /every allowed token has logit -Infinity/);
  });
});
