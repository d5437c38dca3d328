// Beam search decoding (D2L 10.8): keep the K most likely prefixes at each step, between greedy search (K = 1,
// fast but short-sighted) and exhaustive search (every sequence, exact but exponential). A pure algorithm over a
// step function, so any model that maps (token, state) to the next logits can use it, and tests can use tables.
//
// Semantics:
// - log P of a token is the log-softmax of its logits over the allowed ids, in float64: an excluded id (e.g. <unk>)
//   has probability 0 and the others are renormalised. Every id excluded is an error.
// - At each step every live hypothesis is extended by every allowed token and the K best extensions by total log P
//   are kept; ties go to the lower previous-beam index, then the lower token id. A kept extension that ends in a
//   stop token is finished: it becomes a candidate and leaves the beam, which is refilled with the next best
//   extensions, so K stay live (as in fairseq and Hugging Face). A stop extension met while refilling is finished
//   too; this cannot change the result, since a stop ranked above it at the same step has the same L and a log P
//   at least as large.
// - After numPreds tokens the live hypotheses are candidates too. The result is the candidate with the highest
//   score (1/L^alpha) log P, the book's length penalty, with L its number of generated tokens (a stop token
//   counts); alpha = 0 compares plain log P, which favours short candidates. Ties go to the first found
//   (earlier steps first, then by rank). numPreds = 0 gives tokens [], logProb 0, score 0.
// - K = 1 without stop tokens is greedy argmax decoding; K >= V^numPreds keeps every prefix and so equals
//   exhaustiveSearch.
// - step is called only for hypotheses that are extended (never after the last token). One state may be fed
//   several times (once per kept child), so step must not mutate it.
// - Options for generate()'s settings: `process` reshapes a hypothesis's logits given its generated tokens (the
//   repetition penalty, the no-repeat n-gram ban: logits-processors.ts), and an extension whose reshaped logit is
//   -Infinity is never made (a hypothesis left with none ends without being a candidate); `finishes` names, per
//   hypothesis, more ids that end it (a stop string the token would complete); before `minLength` generated tokens
//   nothing finishes (stop ids are ordinary tokens); `returns` R <= K keeps the R best candidates, best first.

import { checkNumPreds } from '../models/predict.js';

/** One decoding step: the logits (length V) of the next token after feeding `token` in `state`, and the new state. */
export type StepFn<S> = (token: number, state: S) => { logits: ArrayLike<number>; state: S };

export interface BeamOptions {
  beam: number; // K >= 1, integer
  numPreds: number; // maximum tokens generated (>= 0, integer)
  alpha?: number; // length penalty exponent of the book's score (1/L^alpha) log P; default 0.75; must be finite and >= 0
  exclude?: readonly number[]; // token ids never generated (e.g. <unk>)
  stop?: readonly number[]; // token ids that end a hypothesis (it is finished after producing one; the stop token is part of it and counts in L)
  process?: (logits: Float64Array, generated: readonly number[]) => void; // reshapes a hypothesis's logits in place
  finishes?: (generated: readonly number[]) => Uint8Array | null; // per hypothesis: 1 for each id that would end it (with stop)
  minLength?: number; // no hypothesis finishes before this many generated tokens (default 0)
  returns?: number; // the candidates returned in `sequences` (1 to beam; default 1)
}

export interface BeamResult {
  tokens: number[];
  logProb: number;
  score: number;
}

/** The best candidate, and the `returns` best (the best first) when more were asked for. */
export interface BeamResults extends BeamResult {
  sequences: BeamResult[];
}

export const DEFAULT_LENGTH_PENALTY = 0.75;

/** The widest beam: a step keeps K hypotheses and ranks at most K (K + stop ids) extensions. */
export const MAX_BEAM = 1000;

/** The checked options, shared by both searches so they apply the same candidate rules. */
interface Plan {
  V: number;
  numPreds: number;
  alpha: number;
  allowed: number[]; // the ids that may be generated, ascending (so ties go to the lower id)
  isStop: Uint8Array;
  stops: number; // distinct stop ids
  returns: number;
  minLength: number;
}

function plan(logits: ArrayLike<number>, options: Omit<BeamOptions, 'beam'>, beam = 1): Plan {
  const { numPreds, alpha = DEFAULT_LENGTH_PENALTY, exclude = [], stop = [], returns = 1, minLength = 0 } = options;
  checkNumPreds(numPreds);
  if (!Number.isInteger(returns) || returns < 1 || returns > beam) throw new Error(`the sequences returned must be a whole number from 1 to the beam (${beam}), got ${returns}`);
  if (!Number.isInteger(minLength) || minLength < 0) throw new Error(`the minimum length must be a whole number >= 0, got ${minLength}`);
  if (!Number.isFinite(alpha) || alpha < 0) throw new Error(`alpha must be a finite number >= 0, got ${alpha}`);
  const V = logits.length;
  if (V === 0) throw new Error('the logits are empty (a vocabulary of 0 tokens)');
  for (const [name, ids] of [['exclude', exclude], ['stop', stop]] as const) {
    for (const id of ids) if (!Number.isInteger(id) || id < 0 || id >= V) throw new Error(`${name} ids must be integers in [0, ${V}), got ${id}`);
  }
  const excluded = new Uint8Array(V);
  for (const id of exclude) excluded[id] = 1;
  const allowed: number[] = [];
  for (let i = 0; i < V; i++) if (!excluded[i]) allowed.push(i);
  if (allowed.length === 0) throw new Error(`every token id is excluded (V = ${V}), nothing can be generated`);
  const isStop = new Uint8Array(V);
  for (const id of stop) isStop[id] = 1;
  return { V, numPreds, alpha, allowed, isStop, stops: isStop.reduce((n, x) => n + x, 0), returns, minLength };
}

/**
 * log-softmax over the allowed ids only (excluded ones get -Infinity), in float64, shifted by the max for stability;
 * null when every allowed logit is -Infinity and `dead` allows it (logits a processor banned), else an error.
 */
function logSoftmax(logits: ArrayLike<number>, p: Plan, dead = false): Float64Array | null {
  if (logits.length !== p.V) throw new Error(`step returned ${logits.length} logits, expected ${p.V}`);
  let max = -Infinity;
  for (const i of p.allowed) {
    const z = logits[i]!;
    if (Number.isNaN(z) || z === Infinity) throw new Error(`logit ${i} is ${z}`);
    if (z > max) max = z;
  }
  if (max === -Infinity) {
    if (dead) return null;
    throw new Error('every allowed token has logit -Infinity (probability 0)');
  }
  let sum = 0;
  for (const i of p.allowed) sum += Math.exp(logits[i]! - max);
  const logZ = max + Math.log(sum);
  const out = new Float64Array(p.V).fill(-Infinity);
  for (const i of p.allowed) out[i] = logits[i]! - logZ;
  return out;
}

/** One hypothesis extended by one token, and the total log P. */
interface Extension {
  from: number;
  token: number;
  logProb: number;
}

/** Ranks extensions: higher log P first, then the lower beam index, then the lower token id. */
const ranked = (a: Extension, b: Extension): number => b.logProb - a.logProb || a.from - b.from || a.token - b.token;

/** The m best extensions of one hypothesis (all of them when m covers the allowed ids), in ranked order; banned: no -Infinity ones. */
function bestExtensions(from: number, logProb: number, lp: Float64Array, allowed: readonly number[], m: number, banned = false): Extension[] {
  const all = (banned ? allowed.filter((t) => lp[t] !== -Infinity) : allowed).map((token) => ({ from, token, logProb: logProb + lp[token]! }));
  return m >= all.length ? all : all.sort(ranked).slice(0, m);
}

/** A hypothesis's tokens as a chain to its parent: extending one is O(1), not a copy of all its tokens so far. */
interface TokenChain {
  token: number;
  parent: TokenChain | null;
  length: number;
}

const extend = (parent: TokenChain | null, token: number): TokenChain => ({ token, parent, length: (parent?.length ?? 0) + 1 });

function tokensOf(chain: TokenChain): number[] {
  const out = new Array<number>(chain.length);
  for (let c: TokenChain | null = chain; c !== null; c = c.parent) out[c.length - 1] = c.token;
  return out;
}

/** Keeps the R best candidates by (1/L^alpha) log P, best first; among equal scores the first found ranks first. */
function bestKeeper(alpha: number, R = 1): { consider: (tokens: TokenChain, logProb: number) => void; best: () => BeamResults } {
  const kept: { chain: TokenChain; logProb: number; score: number }[] = [];
  return {
    consider(chain, logProb) {
      const score = logProb / chain.length ** alpha;
      if (kept.length === R && !(score > kept[R - 1]!.score)) return;
      let at = kept.length;
      while (at > 0 && score > kept[at - 1]!.score) at--; // strict: a later equal score goes after the earlier one
      kept.splice(at, 0, { chain, logProb, score });
      if (kept.length > R) kept.pop();
    },
    best() {
      // numPreds >= 1 and an allowed id make at least one candidate (the first extension is kept or finished),
      // unless a processor banned every extension of every hypothesis
      if (kept.length === 0) throw new Error('beam search found no candidate (every continuation was banned)');
      const sequences = kept.map((c) => ({ tokens: tokensOf(c.chain), logProb: c.logProb, score: c.score }));
      return { ...sequences[0]!, sequences };
    },
  };
}

/** Beam search from a start: `first` = logits and state after the prefix was fed (the distribution of the first generated token). */
export function beamSearch<S>(first: { logits: ArrayLike<number>; state: S }, step: StepFn<S>, options: BeamOptions): BeamResults {
  const steps = beamSteps(first, step, options);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * Beam search one step at a time: yields after each step (so a caller can let other work in, or stop), returns the
 * result. Each step costs O(beam x vocabulary) whatever the length so far: hypotheses share their tokens as chains.
 */
export function* beamSteps<S>(first: { logits: ArrayLike<number>; state: S }, step: StepFn<S>, options: BeamOptions): Generator<void, BeamResults> {
  const K = options.beam;
  if (!Number.isInteger(K) || K < 1 || K > MAX_BEAM) throw new Error(`beam must be an integer from 1 to ${MAX_BEAM}, got ${K}`);
  const p = plan(first.logits, options, K);
  const { process, finishes } = options;
  if (p.numPreds === 0) return { tokens: [], logProb: 0, score: 0, sequences: [{ tokens: [], logProb: 0, score: 0 }] };
  const keeper = bestKeeper(p.alpha, p.returns);
  interface Hyp {
    tokens: TokenChain | null;
    logProb: number;
    next: { logits: ArrayLike<number>; state: S };
  }
  let live: Hyp[] = [{ tokens: null, logProb: 0, next: first }];
  for (let t = 1; t <= p.numPreds && live.length > 0; t++) {
    // only a hypothesis's K + (stop ids) best extensions can be kept or finished at this step: the others rank below
    // K of its own non-stop extensions, so the sort sees at most K (K + stops) of them, not K x V
    const ext: Extension[] = [];
    const stopsAt: (Uint8Array | null)[] = []; // per hypothesis: the ids that end it at this step
    live.forEach((h, from) => {
      const generated = process || finishes ? (h.tokens ? tokensOf(h.tokens) : []) : [];
      let logits: ArrayLike<number> = h.next.logits;
      if (process) {
        const z = Float64Array.from(logits);
        process(z, generated);
        logits = z;
      }
      const lp = logSoftmax(logits, p, process !== undefined);
      let stops: Uint8Array | null = null;
      if (t >= p.minLength) {
        const more = finishes?.(generated) ?? null;
        stops = more ? more.map((x, i) => x | p.isStop[i]!) : p.isStop;
      }
      stopsAt.push(stops);
      if (!lp) return; // every continuation banned: the hypothesis ends here, not a candidate
      const nStops = stops === p.isStop ? p.stops : stops ? stops.reduce((n, x) => n + x, 0) : 0;
      ext.push(...bestExtensions(from, h.logProb, lp, p.allowed, K + nStops, process !== undefined));
    });
    // -Infinity - -Infinity is NaN, which is falsy, so equal -Infinity totals also fall through to the tie-breaks
    ext.sort(ranked);
    const next: Hyp[] = [];
    let kept = 0;
    for (let r = 0; r < ext.length && kept < K; r++) {
      const e = ext[r]!;
      const parent = live[e.from]!;
      const tokens = extend(parent.tokens, e.token);
      if (stopsAt[e.from]?.[e.token]) {
        keeper.consider(tokens, e.logProb); // finished: a candidate, and its place goes to the next extension
        continue;
      }
      kept++;
      // the last step's survivors are candidates; feeding their final token would be wasted work
      if (t === p.numPreds) keeper.consider(tokens, e.logProb);
      else next.push({ tokens, logProb: e.logProb, next: step(e.token, parent.next.state) });
    }
    live = next;
    yield;
  }
  return keeper.best();
}

/** Exhaustive search over every sequence (same candidate rules and score): the oracle for tests, exponential, small V and numPreds only. */
export function exhaustiveSearch<S>(first: { logits: ArrayLike<number>; state: S }, step: StepFn<S>, options: Omit<BeamOptions, 'beam' | 'process' | 'finishes' | 'minLength' | 'returns'>): BeamResult {
  const p = plan(first.logits, options);
  if (p.numPreds === 0) return { tokens: [], logProb: 0, score: 0 };
  const keeper = bestKeeper(p.alpha);
  // depth first in token order, so "first found" on ties is the lexicographically first candidate
  const visit = (tokens: TokenChain | null, logProb: number, at: { logits: ArrayLike<number>; state: S }): void => {
    const lp = logSoftmax(at.logits, p)!;
    for (const token of p.allowed) {
      const ext = extend(tokens, token);
      const total = logProb + lp[token]!; // summed left to right, as beamSearch does, so equal sequences score identically
      if (p.isStop[token] || ext.length === p.numPreds) keeper.consider(ext, total);
      else visit(ext, total, step(token, at.state));
    }
  };
  visit(null, 0, first);
  return keeper.best();
}
