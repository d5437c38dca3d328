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

import { checkNumPreds } from '../models/predict.js';

/** One decoding step: the logits (length V) of the next token after feeding `token` in `state`, and the new state. */
export type StepFn<S> = (token: number, state: S) => { logits: ArrayLike<number>; state: S };

export interface BeamOptions {
  beam: number; // K >= 1, integer
  numPreds: number; // maximum tokens generated (>= 0, integer)
  alpha?: number; // length penalty exponent of the book's score (1/L^alpha) log P; default 0.75; must be finite and >= 0
  exclude?: readonly number[]; // token ids never generated (e.g. <unk>)
  stop?: readonly number[]; // token ids that end a hypothesis (it is finished after producing one; the stop token is part of it and counts in L)
}

export interface BeamResult {
  tokens: number[];
  logProb: number;
  score: number;
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
}

function plan(logits: ArrayLike<number>, options: Omit<BeamOptions, 'beam'>): Plan {
  const { numPreds, alpha = DEFAULT_LENGTH_PENALTY, exclude = [], stop = [] } = options;
  checkNumPreds(numPreds);
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
  return { V, numPreds, alpha, allowed, isStop, stops: isStop.reduce((n, x) => n + x, 0) };
}

/** log-softmax over the allowed ids only (excluded ones get -Infinity), in float64, shifted by the max for stability. */
function logSoftmax(logits: ArrayLike<number>, p: Plan): Float64Array {
  if (logits.length !== p.V) throw new Error(`step returned ${logits.length} logits, expected ${p.V}`);
  let max = -Infinity;
  for (const i of p.allowed) {
    const z = logits[i]!;
    if (Number.isNaN(z) || z === Infinity) throw new Error(`logit ${i} is ${z}`);
    if (z > max) max = z;
  }
  if (max === -Infinity) throw new Error('every allowed token has logit -Infinity (probability 0)');
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

/** The m best extensions of one hypothesis (all of them when m covers the allowed ids), in ranked order. */
function bestExtensions(from: number, logProb: number, lp: Float64Array, allowed: readonly number[], m: number): Extension[] {
  const all = allowed.map((token) => ({ from, token, logProb: logProb + lp[token]! }));
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

/** Keeps the best candidate by (1/L^alpha) log P; a strict comparison keeps the first found on ties. */
function bestKeeper(alpha: number): { consider: (tokens: TokenChain, logProb: number) => void; best: () => BeamResult } {
  let best: { chain: TokenChain; logProb: number; score: number } | undefined;
  return {
    consider(chain, logProb) {
      const score = logProb / chain.length ** alpha;
      if (best === undefined || score > best.score) best = { chain, logProb, score };
    },
    best() {
      // numPreds >= 1 and an allowed id make at least one candidate (the first extension is kept or finished)
      if (best === undefined) throw new Error('beam search found no candidate');
      return { tokens: tokensOf(best.chain), logProb: best.logProb, score: best.score };
    },
  };
}

/** Beam search from a start: `first` = logits and state after the prefix was fed (the distribution of the first generated token). */
export function beamSearch<S>(first: { logits: ArrayLike<number>; state: S }, step: StepFn<S>, options: BeamOptions): BeamResult {
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
export function* beamSteps<S>(first: { logits: ArrayLike<number>; state: S }, step: StepFn<S>, options: BeamOptions): Generator<void, BeamResult> {
  const K = options.beam;
  if (!Number.isInteger(K) || K < 1 || K > MAX_BEAM) throw new Error(`beam must be an integer from 1 to ${MAX_BEAM}, got ${K}`);
  const p = plan(first.logits, options);
  if (p.numPreds === 0) return { tokens: [], logProb: 0, score: 0 };
  const keeper = bestKeeper(p.alpha);
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
    live.forEach((h, from) => {
      const lp = logSoftmax(h.next.logits, p);
      ext.push(...bestExtensions(from, h.logProb, lp, p.allowed, K + p.stops));
    });
    // -Infinity - -Infinity is NaN, which is falsy, so equal -Infinity totals also fall through to the tie-breaks
    ext.sort(ranked);
    const next: Hyp[] = [];
    let kept = 0;
    for (let r = 0; r < ext.length && kept < K; r++) {
      const e = ext[r]!;
      const parent = live[e.from]!;
      const tokens = extend(parent.tokens, e.token);
      if (p.isStop[e.token]) {
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
export function exhaustiveSearch<S>(first: { logits: ArrayLike<number>; state: S }, step: StepFn<S>, options: Omit<BeamOptions, 'beam'>): BeamResult {
  const p = plan(first.logits, options);
  if (p.numPreds === 0) return { tokens: [], logProb: 0, score: 0 };
  const keeper = bestKeeper(p.alpha);
  // depth first in token order, so "first found" on ties is the lexicographically first candidate
  const visit = (tokens: TokenChain | null, logProb: number, at: { logits: ArrayLike<number>; state: S }): void => {
    const lp = logSoftmax(at.logits, p);
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
