// The exercises of D2L 9.5, answered by experiments: each section states the question, runs what answers it
// (training runs on the book's split, checks computed on the trained model), and writes the numbers and a plain
// answer. Budgets: 'quick' (60 epochs a run, a few minutes on 2 cores) or 'full' (the book's 100 epochs).
// Every sentence that states a finding is computed from the measured numbers.
import { preprocess } from '../data/preprocess.js';
import { stripGutenberg } from '../data/text.js';
import type { Vocab } from '../data/vocab.js';
import { makePicker } from '../generate/sampling.js';
import { scoreText } from '../generate/score.js';
import type { RNNLMScratch, RNNScratch } from '../models/rnn.js';
import { noGrad } from '../tensor/autograd.js';
import * as F from '../tensor/ops.js';
import { IntTensor } from '../tensor/tensor.js';
import { BOOK_CONFIG, type TrainConfig } from '../train/config/config.js';
import { trainRun, type ParallelStarter } from '../train/run/run.js';
import { TrainingDiverged, type EpochStats } from '../train/run/trainer.js';

export interface ExerciseInputs {
  timeMachine: string; // the raw text of The Time Machine
  sameAuthor: { name: string; text: string }; // another book by H. G. Wells (The War of the Worlds)
  otherAuthor: { name: string; text: string }; // a book by another author (Frankenstein)
  budget: 'quick' | 'full';
  threads: number;
  parallel?: ParallelStarter; // how to start the threads (Node: nodeParallel())
  progress: (line: string) => void;
}

interface Outcome {
  config: TrainConfig;
  history: EpochStats[];
  model: RNNLMScratch | null; // null when training diverged
  vocab: Vocab | null;
  diverged: string | null;
  seconds: number;
}

interface Section {
  title: string;
  question: string;
  experiment: string;
  table: string[][]; // first row is the header
  answer: string;
  summary: string; // one line for the summary table
}

const fmt = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : String(x));
const valPpl = (o: Outcome): number => o.history[o.history.length - 1]?.valPpl ?? NaN;
const trainPpl = (o: Outcome): number => o.history[o.history.length - 1]?.trainPpl ?? NaN;

function table(rows: string[][]): string {
  const [head, ...body] = rows;
  return [`| ${head!.join(' | ')} |`, `| ${head!.map(() => '---').join(' | ')} |`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

// ---- findings: each sentence that states a finding is chosen by comparing measured numbers against a threshold
// that the sentence states, so that the report cannot claim what its numbers do not show (tested with numbers on
// both sides of each threshold).

/** How much larger a is than b, in percent (negative: smaller). */
export const percentAbove = (a: number, b: number): number => 100 * (a / b - 1);
const pct = (x: number): string => `${Math.abs(x).toFixed(1)}%`;
const strictlyFalling = (xs: readonly number[]): boolean => xs.every((x, i) => i === 0 || x < xs[i - 1]!);

/** Perplexities closer than this (percent) are "about the same". */
export const SAME_WITHIN = 5;
/** Two authors' perplexities closer than this (percent) "differ little". */
export const AUTHORS_LITTLE = 10;
/** Spreads of perplexity below this (percent) are "small"; gaps from training to validation above it are overfitting. */
export const SMALL_SPREAD = 10;
/** Distinct words per word below this: the text loops. */
export const LOOP_BELOW = 0.3;
/** A share of generated words not in the book above this (percent): "many non-words". */
export const MANY_NON_WORDS = 20;
/** A share of clipped steps below this (percent): clipping acted on "rare" steps. */
export const RARE_CLIPS = 5;
/** The largest gradient norm with ReLU above this multiple of tanh's: ReLU's gradients grow larger. */
export const RELU_NORM_RATIO = 2;

/** Section 1: whether each measured position of the window moves the prediction, and whether that falls with distance. */
export function influenceFinding(distances: readonly number[], influence: readonly number[]): string {
  const none = distances.filter((_, i) => !(influence[i]! > 0));
  const [first, last] = [influence[0]!, influence[influence.length - 1]!];
  const shape = strictlyFalling(influence) ? 'shrinks at every distance measured'
    : last < first ? 'is smaller at the far end, but does not shrink at every distance measured' : 'does not shrink with distance';
  const which = none.length === 0 ? `changing the character at any distance measured (${distances.join(', ')}) changes the prediction`
    : `changing the character at distance ${none.join(', ')} does not change the prediction at all`;
  return `${which} (the influence ${shape}: ${first.toExponential(1)} for the current input, ` +
    `${last.toExponential(1)} at distance ${distances[distances.length - 1]})`;
}

/** Section 2: whether longer windows help, and how far apart the perplexities are. */
export function historyFinding(runs: readonly { numSteps: number; valPpl: number }[]): string {
  const sorted = [...runs].sort((a, b) => a.numSteps - b.numSteps);
  const ppl = sorted.map((r) => r.valPpl);
  const best = sorted.reduce((a, b) => (b.valPpl < a.valPpl ? b : a));
  const longest = sorted[sorted.length - 1]!;
  const trend = strictlyFalling(ppl) ? 'More history helps at every length tried'
    : best === longest ? 'The longest window is best, but perplexity does not fall at every length tried'
    : `More history does not keep helping: ${best.numSteps} steps beat ${longest.numSteps}`;
  const spread = percentAbove(Math.max(...ppl), Math.min(...ppl));
  return `${trend}; the validation perplexities differ by at most ${pct(spread)} ` +
    `(${spread < SMALL_SPREAD ? `under ${SMALL_SPREAD}%: small` : `${SMALL_SPREAD}% or more: large`}).`;
}

/** Section 3: whether the one-hot product equals the row lookup. */
export function oneHotFinding(maxDiff: number, vocabSize: number, width: number): { answer: string; summary: string } {
  if (maxDiff === 0) {
    return {
      answer: `They are equal (largest difference 0): W_xh is a table of one learned ${width}-dimensional embedding per character. ` +
        `rnnlm's fused kernel therefore does the input product as a row lookup, which is exact and skips ${vocabSize}x${width} ` +
        'multiply-adds per character.',
      summary: 'Yes: onehot(x) W_xh equals the row W_xh[x] exactly (largest difference 0)',
    };
  }
  return {
    answer: `They differ (largest difference ${maxDiff}), which a product with a one-hot vector should not: in exact arithmetic and in ` +
      'floating point it picks one row. The product or the lookup computed here is wrong.',
    summary: `No: onehot(x) W_xh differs from the row W_xh[x] by up to ${maxDiff}`,
  };
}

/** Section 4: how far validation stays above training for the run that fits the training windows best. */
export function generalisationFinding(trainPpl: number, valPpl: number): string {
  const gap = percentAbove(valPpl, trainPpl);
  const verdict = gap > SMALL_SPREAD
    ? `more than ${SMALL_SPREAD}%: it learns its training windows more than it generalises; the book's split trains on the first 10,000 windows only`
    : `${SMALL_SPREAD}% or less: little overfitting`;
  return `the run that fits its training windows best (training perplexity ${fmt(trainPpl)}) validates at ${fmt(valPpl)}, ` +
    `${pct(gap)} ${gap >= 0 ? 'higher' : 'lower'} (${verdict})`;
}

/** Section 4: whether learnable embeddings beat one-hot inputs at the same budget. */
export function embeddingFinding(embeddings: readonly { size: number; valPpl: number }[], oneHotPpl: number): string {
  const d = embeddings.map((e) => percentAbove(e.valPpl, oneHotPpl));
  const by = `by more than ${SAME_WITHIN}% at the same budget`;
  if (d.every((x) => x < -SAME_WITHIN)) return `Here every embedding size beats one-hot ${by}: the embedding helps.`;
  if (d.every((x) => x > SAME_WITHIN)) return `Here one-hot beats every embedding size ${by}: the embedding does not help.`;
  return `Here the embeddings are neither all better nor all worse than one-hot ${by}: no clear effect.`;
}

/** Section 5: the other book's perplexity against unseen text of the training book. */
export function transferFinding(otherPpl: number, samePpl: number): string {
  const d = percentAbove(otherPpl, samePpl);
  if (Math.abs(d) < SAME_WITHIN) return `about the same (within ${SAME_WITHIN}%): what the model learned is not particular to The Time Machine`;
  return d > 0 ? `${pct(d)} worse (more than ${SAME_WITHIN}%): part of what the model learned is particular to The Time Machine`
    : `${pct(d)} better (more than ${SAME_WITHIN}%): the other book is easier for the model than unseen text of its own`;
}

/** Section 6: another author's perplexity against Wells's. */
export function authorFinding(otherPpl: number, wellsPpl: number): string {
  const d = percentAbove(otherPpl, wellsPpl);
  return `${pct(d)} ${d >= 0 ? 'higher' : 'lower'}. At the level of characters, the two authors' English differs ` +
    (Math.abs(d) < AUTHORS_LITTLE ? `little for this model (under ${AUTHORS_LITTLE}%)` : `clearly for this model (${AUTHORS_LITTLE}% or more)`) + '.';
}

/** One decoding's measures: distinct words per word, the model's nats per character, percent of words not in the book. */
export interface SampleNumbers {
  distinct: number;
  nats: number;
  nonWords: number;
}

/** Section 7: greedy against sampling, and whether sharpening sits between them. */
export function samplingFinding(greedy: SampleNumbers, sampled: SampleNumbers, sharpened: readonly [alpha: number, SampleNumbers][]):
  { answer: string; summary: string } {
  const loops = greedy.distinct < LOOP_BELOW;
  const loop = loops ? `below ${LOOP_BELOW}: it falls into a loop` : `${LOOP_BELOW} or more: no loop`;
  const lessLikely = sampled.nats > greedy.nats;
  const manyNonWords = sampled.nonWords > MANY_NON_WORDS;
  const within = (x: number, a: number, b: number): boolean => x >= Math.min(a, b) && x <= Math.max(a, b);
  const between = sharpened.every(([, s]) =>
    within(s.nats, greedy.nats, sampled.nats) && within(s.distinct, greedy.distinct, sampled.distinct));
  const answer = `Greedy decoding keeps ${fmt(greedy.distinct)} distinct words per word (${loop}). ` +
    `Sampling from the model's distribution keeps ${fmt(sampled.distinct)}, and its text is ` +
    `${lessLikely ? 'what the model itself finds less likely' : 'no less likely to the model'} than greedy's ` +
    `(${fmt(sampled.nats, 2)} nats per character against ${fmt(greedy.nats, 2)}); ${fmt(sampled.nonWords, 0)}% of its words are not words of ` +
    `The Time Machine (${manyNonWords ? `more than ${MANY_NON_WORDS}%: many non-words` : `${MANY_NON_WORDS}% or less: few non-words`}, ` +
    `against ${fmt(greedy.nonWords, 0)}% for greedy). Sharpening with alpha > 1 ` +
    `${between ? 'moves between the two' : 'does not stay between the two'} in both distinct words and nats per character: ` +
    sharpened.map(([alpha, s]) => `alpha ${alpha} gives ${fmt(s.distinct)} distinct words at ${fmt(s.nats, 2)} nats per character`).join(', ') + '.';
  const summary = `greedy: distinct words ${fmt(greedy.distinct)} (${loops ? 'loops' : 'no loop'}); sampling: ${fmt(sampled.distinct)}, ` +
    `${fmt(sampled.nats, 2)} nats/char, ${fmt(sampled.nonWords, 0)}% non-words; ` +
    sharpened.map(([alpha, s]) => `alpha ${alpha}: ${fmt(s.distinct)}, ${fmt(s.nats, 2)}`).join('; ') +
    (between ? ' (in between)' : ' (not in between)');
  return { answer, summary };
}

/** A training run's numbers for sections 8 and 9 (maxNorm NaN and clippedShare NaN when it diverged at once). */
export interface ClipRun {
  valPpl: number;
  maxNorm: number; // largest global gradient norm before clipping, over all steps
  clippedShare: number; // share of steps whose norm exceeded the clipping threshold (0 to 1)
  clip: number; // the threshold; 0 is off
  diverged: string | null;
}

/** Sections 8 and 9: a run with clipping against the same run without. */
export function clipEffect(clipped: ClipRun, free: ClipRun, what: string): string {
  if (clipped.diverged) {
    return `With clipping the ${what} run diverged (${clipped.diverged}); without clipping it ` +
      `${free.diverged ? `diverged too (${free.diverged}).` : `reached ${fmt(free.valPpl)}.`}`;
  }
  if (free.diverged) return `Without clipping the ${what} run diverged (${free.diverged}); with clipping it reached ${fmt(clipped.valPpl)}.`;
  return `Without clipping the ${what} run reached validation perplexity ${fmt(free.valPpl)} (with clipping ${fmt(clipped.valPpl)}). ` +
    (clipped.maxNorm <= clipped.clip
      ? `Its gradient norm never exceeded the threshold ${clipped.clip} (largest ${fmt(clipped.maxNorm)}), so clipping never acted and the ` +
        'two runs are the same.'
      : `The gradient norm exceeded ${clipped.clip} in ${(100 * clipped.clippedShare).toFixed(1)}% of the clipped run's steps (largest ` +
        `${fmt(clipped.maxNorm)}); without clipping it reached ${fmt(free.maxNorm)}.`);
}

/** Section 8: how often clipping acted in the book's run. */
export function clipShareFinding(run: ClipRun): string {
  const share = 100 * run.clippedShare;
  if (share === 0) return 'Here clipping is only a safeguard (it acted on 0% of the steps).';
  const verdict = share < RARE_CLIPS ? `under ${RARE_CLIPS}%: a safeguard against the rare large step`
    : `${RARE_CLIPS}% or more: it shapes training, not only a safeguard`;
  return `Clipping acted on ${share.toFixed(1)}% of the book run's steps (${verdict}).`;
}

/** Section 9: whether the ReLU run needed clipping, and whether its gradients grow beyond tanh's. */
export function reluFinding(clipped: ClipRun, free: ClipRun, tanh: readonly ClipRun[]): string {
  let need: string;
  if (clipped.diverged || free.diverged) {
    need = free.diverged && !clipped.diverged ? 'Clipping is needed with ReLU here: without it training diverged'
      : clipped.diverged && !free.diverged ? 'Clipping did not save the ReLU run here: with it training diverged, without it not'
      : 'The ReLU run diverged with and without clipping';
  } else {
    const d = percentAbove(free.valPpl, clipped.valPpl);
    need = d > SAME_WITHIN ? `Clipping helps with ReLU here: without it validation perplexity is ${pct(d)} higher (more than ${SAME_WITHIN}%)`
      : `Clipping was not needed with ReLU in this run: without it validation perplexity is ${pct(d)} ${d >= 0 ? 'higher' : 'lower'} ` +
        `(not more than ${SAME_WITHIN}% higher)`;
  }
  const largest = (runs: readonly ClipRun[]): number => Math.max(...runs.map((r) => r.maxNorm).filter((x) => !Number.isNaN(x)));
  const [r, t] = [largest([clipped, free]), largest(tanh)];
  const ratio = r / t;
  const norms = !Number.isFinite(ratio) ? 'no gradient norms to compare with tanh'
    : `the largest gradient norm with ReLU is ${fmt(r)} against ${fmt(t)} with tanh, ${fmt(ratio, 1)} times ` +
      (ratio > RELU_NORM_RATIO ? `(more than ${RELU_NORM_RATIO}: ReLU's gradients grow larger)` : `(${RELU_NORM_RATIO} or less: not much larger than tanh's)`);
  return `${need}; ${norms}.`;
}

export async function runExercises(inputs: ExerciseInputs): Promise<string> {
  const epochs = inputs.budget === 'full' ? 100 : 60;
  const base: TrainConfig = { ...BOOK_CONFIG, epochs };
  const cache = new Map<string, Outcome>();
  const train = async (overrides: Partial<TrainConfig>, label: string): Promise<Outcome> => {
    const config = { ...base, ...overrides };
    const key = JSON.stringify(config);
    const hit = cache.get(key);
    if (hit) return hit;
    const t0 = performance.now();
    let outcome: Outcome;
    try {
      const run = await trainRun(config, inputs.timeMachine, { threads: inputs.threads, ...(inputs.parallel ? { parallel: inputs.parallel } : {}) });
      outcome = { config, history: run.history, model: run.model, vocab: run.data.vocab, diverged: null, seconds: (performance.now() - t0) / 1000 };
    } catch (e) {
      if (!(e instanceof TrainingDiverged)) throw e;
      outcome = { config, history: [], model: null, vocab: null, diverged: e.message, seconds: (performance.now() - t0) / 1000 };
    }
    inputs.progress(`  ${label}: ${outcome.diverged ?? `val ppl ${fmt(valPpl(outcome))}`} (${fmt(outcome.seconds, 1)} s)`);
    cache.set(key, outcome);
    return outcome;
  };

  inputs.progress(`training the book's model (${epochs} epochs) and its variants...`);
  const book = await train({}, 'book model (tanh, one-hot, clip 1)');
  const model = book.model!;
  const vocab = book.vocab!;
  const sections: Section[] = [];

  // ---- 1 and 2: how far back the model looks ------------------------------------------------------------------
  // Influence of the input at position j on the output at position t: change token j, measure the largest change
  // of the logits at t. Causal (zero for j > t) and bounded by the window (the state starts at zero each window).
  const T = base.numSteps;
  const corpus = vocab.indices([...preprocess(inputs.timeMachine)]);
  const window = Int32Array.from(corpus.subarray(1000, 1000 + T));
  const logitsAt = (x: Int32Array): Float32Array | Float64Array => noGrad(() => model.forward(new IntTensor(x, [1, x.length])).data);
  const reference = logitsAt(window);
  const V = vocab.length;
  const t = T - 1;
  const influence = (j: number): number => {
    const x = Int32Array.from(window);
    x[j] = (x[j]! + 1) % V;
    const l = logitsAt(x);
    let m = 0;
    for (let v = 0; v < V; v++) m = Math.max(m, Math.abs(l[t * V + v]! - reference[t * V + v]!));
    return m;
  };
  const distances = [0, 1, 2, 4, 8, 16, T - 1].filter((d) => d <= t);
  const infl = distances.map((d) => influence(t - d));
  sections.push({
    title: '1. Does the model use all past tokens, back to the first token of the book?',
    question: 'Does the implemented language model predict the next token from all past tokens, up to the very first token in The Time Machine?',
    experiment: `On the trained model, take a ${T}-character window and change one input character at a time; measure the largest change ` +
      `of the logits at the last position (t = ${t}). A window starts from a zero hidden state, so nothing before it can matter.`,
    table: [['distance back from the predicted position', ...distances.map(String), `${T} or more (before the window)`],
      ['largest logit change', ...infl.map((x) => x.toExponential(2)), '0 (the state is reset to zero)']],
    answer: `No. Within a window ${influenceFinding(distances, infl)}, but each training window starts from a zero state, so the model ` +
      `conditions on at most ${T - 1} earlier characters in training, never on the beginning of the book. When generating, predict() conditions on the prefix and what it generated.`,
    summary: `No: at most numSteps - 1 = ${T - 1} earlier characters in training (influence measured down to ${infl[infl.length - 1]!.toExponential(1)})`,
  });

  const stepRuns: Outcome[] = [];
  for (const numSteps of [8, 16, 32, 64]) stepRuns.push(await train({ numSteps }, `numSteps ${numSteps}`));
  const bestSteps = stepRuns.reduce((a, b) => (valPpl(b) < valPpl(a) ? b : a));
  sections.push({
    title: '2. Which hyperparameter sets the length of history?',
    question: 'Which hyperparameter controls the length of history used for prediction?',
    experiment: 'numSteps (num_steps): the window length, and so the farthest back the model sees in training and backpropagates ' +
      '(section 1). Trained with 8, 16, 32 and 64 steps, everything else the book\'s.',
    table: [['numSteps', 'longest context in training', 'train ppl', 'val ppl'],
      ...stepRuns.map((o) => [String(o.config.numSteps), `${o.config.numSteps - 1} characters`, fmt(trainPpl(o)), fmt(valPpl(o))])],
    answer: `numSteps: it is the longest history the model is trained to use. Measured: validation perplexity ${stepRuns.map((o) => `${fmt(valPpl(o))} ` +
      `with ${o.config.numSteps}`).join(', ')} steps; the best is ${bestSteps.config.numSteps} steps. ` +
      historyFinding(stepRuns.map((o) => ({ numSteps: o.config.numSteps, valPpl: valPpl(o) }))),
    summary: `numSteps (val ppl ${fmt(valPpl(stepRuns[0]!))} at 8 steps, ${fmt(valPpl(bestSteps))} at ${bestSteps.config.numSteps})`,
  });

  // ---- 3: one-hot equals an embedding ---------------------------------------------------------------------------
  const X = new IntTensor(Int32Array.from(corpus.subarray(0, 4 * T)), [4, T]);
  const Wxh = (model.rnn as RNNScratch).W_xh; // the exercises train the book's 9.5 model
  const viaOneHot = noGrad(() => F.matmul(model.oneHot(X), Wxh));
  const viaGather = noGrad(() => F.gather(Wxh, X.T));
  let maxDiff = 0;
  viaOneHot.data.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - viaGather.data[i]!))));
  const oneHot = oneHotFinding(maxDiff, V, Wxh.shape[1]!);
  sections.push({
    title: '3. One-hot encoding is an embedding',
    question: 'Show that one-hot encoding is equivalent to picking a different embedding for each object.',
    experiment: `onehot(x) W_xh picks row x of W_xh: the product of a one-hot vector with a matrix is that matrix's row. ` +
      `Computed on the trained W_xh (${Wxh.shape.join(' x ')}) for ${X.data.length} characters: the one-hot matrix product against the row lookup W_xh[x].`,
    table: [['characters', 'largest |onehot(x) W_xh - W_xh[x]|'], [String(X.data.length), String(maxDiff)]],
    answer: oneHot.answer,
    summary: oneHot.summary,
  });

  // ---- 4: tuning, and embeddings --------------------------------------------------------------------------------
  const grid: Outcome[] = [];
  for (const numHiddens of [32, 64, 128]) for (const lr of [1, 2]) grid.push(await train({ numHiddens, lr }, `hidden ${numHiddens}, lr ${lr}`));
  const embeddings: Outcome[] = [book];
  for (const embedding of [8, 32]) embeddings.push(await train({ embedding }, `embedding ${embedding}`));
  const all = [...grid, ...stepRuns, ...embeddings].filter((o) => !o.diverged);
  const best = all.reduce((a, b) => (valPpl(b) < valPpl(a) ? b : a));
  const fittest = grid.filter((o) => !o.diverged).reduce((a, b) => (trainPpl(b) < trainPpl(a) ? b : a));
  const describe = (c: TrainConfig): string => `hidden ${c.numHiddens}, lr ${c.lr}, steps ${c.numSteps}, ${c.embedding ? `embedding ${c.embedding}` : 'one-hot'}`;
  sections.push({
    title: '4. Tuning the hyperparameters, and learnable embeddings',
    question: 'Adjust the hyperparameters (epochs, hidden units, time steps, learning rate) to improve the perplexity: how low can you go ' +
      'with this simple architecture? Replace one-hot encoding with learnable embeddings: does it help?',
    experiment: `A grid of hidden units {32, 64, 128} x learning rate {1, 2}, the numSteps runs of section 2, and embeddings of size 8 and 32 ` +
      `(rnnlm train --embedding N), all ${epochs} epochs on the book's split (the first 10,000 windows; validation on the next 5,000). ` +
      'rnnlm sweep runs any such grid.',
    table: [['configuration', 'train ppl', 'val ppl', 'seconds'],
      ...[...grid, ...embeddings.slice(1)].map((o) => [describe(o.config), fmt(trainPpl(o)), o.diverged ? 'diverged' : fmt(valPpl(o)), fmt(o.seconds, 1)])],
    answer: `The best validation perplexity found is ${fmt(valPpl(best))} (${describe(best.config)}); the book's settings give ${fmt(valPpl(book))} ` +
      `after ${epochs} epochs. Across the hidden-size and learning-rate grid, training perplexity ranges from ${fmt(Math.min(...grid.map(trainPpl)))} ` +
      `to ${fmt(Math.max(...grid.map(trainPpl)))} and validation from ${fmt(Math.min(...grid.map(valPpl)))} to ${fmt(Math.max(...grid.map(valPpl)))}; ` +
      `${generalisationFinding(trainPpl(fittest), valPpl(fittest))}. Embeddings: ` +
      `${embeddings.slice(1).map((o) => `size ${o.config.embedding} gives ${fmt(valPpl(o))}`).join(', ')}, against ${fmt(valPpl(book))} for one-hot. ` +
      'An embedding followed by W_xh is still one linear map of the one-hot vector (section 3), so it adds no expressive power; it changes only ' +
      'the optimisation (the embedding starts at N(0, 1) rather than N(0, 0.01^2) and gets its own gradient). ' +
      embeddingFinding(embeddings.slice(1).map((o) => ({ size: o.config.embedding, valPpl: valPpl(o) })), valPpl(book)),
    summary: `best val ppl ${fmt(valPpl(best))} (${describe(best.config)}); embeddings: ${embeddings.slice(1).map((o) => fmt(valPpl(o))).join(' / ')} vs one-hot ${fmt(valPpl(book))}`,
  });

  // ---- 5 and 6: other books --------------------------------------------------------------------------------------
  const tmRest = stripGutenberg(inputs.timeMachine).text;
  const held = tmRest.slice(Math.floor(tmRest.length / 2)); // the second half: far from the training characters
  const books = [
    { name: 'The Time Machine, second half (same book, not trained on)', text: held },
    { name: inputs.sameAuthor.name, text: stripGutenberg(inputs.sameAuthor.text).text },
    { name: inputs.otherAuthor.name, text: stripGutenberg(inputs.otherAuthor.text).text },
  ].map((b) => ({ ...b, score: scoreText(model, vocab, b.text) }));
  const [same, wells, other] = books as [(typeof books)[0], (typeof books)[0], (typeof books)[0]];
  sections.push({
    title: '5. Another book by H. G. Wells',
    question: 'How well does this model, trained on The Time Machine, work on other books by H. G. Wells, e.g. The War of the Worlds?',
    experiment: 'rnnlm eval: perplexity over the whole book read as one stream (Gutenberg header and footer removed, preprocessed as the ' +
      'training text), with the book model.',
    table: [['text', 'characters', 'perplexity', 'bits per character'],
      ...[same, wells].map((b) => [b.name, String(b.score.tokens), fmt(b.score.perplexity, 3), fmt(b.score.bitsPerToken, 3)])],
    answer: `Perplexity ${fmt(wells.score.perplexity)} on ${wells.name} against ${fmt(same.score.perplexity)} on the second half of The Time ` +
      `Machine, which the model never trained on: ${transferFinding(wells.score.perplexity, same.score.perplexity)}.`,
    summary: `${wells.name}: ppl ${fmt(wells.score.perplexity)} (unseen Time Machine text: ${fmt(same.score.perplexity)})`,
  });
  sections.push({
    title: '6. A book by another author',
    question: 'Evaluate the perplexity of this model on books written by other authors.',
    experiment: `As in section 5, on ${other.name}.`,
    table: [['text', 'characters', 'perplexity', 'bits per character'],
      ...books.map((b) => [b.name, String(b.score.tokens), fmt(b.score.perplexity, 3), fmt(b.score.bitsPerToken, 3)])],
    answer: `${other.name} scores ${fmt(other.score.perplexity)} (${fmt(other.score.bitsPerToken, 3)} bits per character), against ` +
      `${fmt(wells.score.perplexity)} (${fmt(wells.score.bitsPerToken, 3)}) for Wells: ${authorFinding(other.score.perplexity, wells.score.perplexity)}`,
    summary: `${other.name}: ppl ${fmt(other.score.perplexity)} vs ${fmt(wells.score.perplexity)} for Wells`,
  });

  // ---- 7: sampling -----------------------------------------------------------------------------------------------
  const prefix = 'the time traveller ';
  const decoders: [string, Parameters<typeof makePicker>[0]][] = [
    ['greedy (argmax, the book)', {}], ['sample, alpha 1 (the model\'s distribution)', { sample: true, seed: 1 }],
    ['sample, alpha 2 (temperature 1/2)', { sample: true, alpha: 2, seed: 1 }], ['sample, alpha 4', { sample: true, alpha: 4, seed: 1 }],
  ];
  const bookWords = new Set(preprocess(inputs.timeMachine).split(' '));
  const samples = decoders.map(([name, options]) => {
    const text = model.predict(prefix, 200, vocab, makePicker(options));
    const generated = text.slice(prefix.length);
    const words = generated.split(' ').filter((w) => w !== '');
    const complete = generated.endsWith(' ') ? words : words.slice(0, -1); // the last word may be cut off
    const score = scoreText(model, vocab, text);
    return {
      name, text, distinct: new Set(words).size / Math.max(1, words.length), nats: -score.logProb / score.tokens,
      nonWords: (100 * complete.filter((w) => !bookWords.has(w)).length) / Math.max(1, complete.length),
    };
  });
  const sampling = samplingFinding(samples[0]!, samples[1]!, [[2, samples[2]!], [4, samples[3]!]]);
  sections.push({
    title: '7. Sampling instead of the most likely character',
    question: 'Sample rather than pick the most likely next character: what happens? Bias towards likely outputs by sampling from q ∝ P^alpha for alpha > 1.',
    experiment: `200 characters after '${prefix.trim()}' (rnnlm generate --sample [--alpha A] --seed 1). Sharpening by alpha is sampling at ` +
      'temperature 1/alpha. Columns: distinct words / words (repetition), the model\'s own mean negative log-probability per character, and ' +
      'the share of complete generated words that are not words of The Time Machine.',
    table: [['decoding', 'distinct words', 'nats per character', 'not words of the book', 'text'],
      ...samples.map((s) => [s.name, fmt(s.distinct), fmt(s.nats, 3), `${fmt(s.nonWords, 0)}%`, '`' + s.text.replace(/\|/g, ' ') + '`'])],
    answer: sampling.answer,
    summary: sampling.summary,
  });

  // ---- 8 and 9: clipping and ReLU --------------------------------------------------------------------------------
  const noClip = await train({ clip: 0 }, 'tanh, no clipping');
  const relu = await train({ activation: 'relu' }, 'relu, clip 1');
  const reluNoClip = await train({ activation: 'relu', clip: 0 }, 'relu, no clipping');
  const maxNorm = (o: Outcome): number => (o.history.length ? Math.max(...o.history.map((s) => s.gradNormMax)) : NaN);
  /** Share of the training steps whose gradient norm exceeded the run's clipping threshold (0 without clipping). */
  const overOne = (o: Outcome): number => (o.history.length ? o.history.reduce((a, s) => a + s.clippedFraction, 0) / o.history.length : NaN);
  const normRow = (name: string, o: Outcome): string[] => [name, o.diverged ? `diverged: ${o.diverged.replace(/^training diverged /, '')}` : fmt(valPpl(o)),
    o.history.length ? fmt(maxNorm(o)) : '', o.config.clip > 0 && o.history.length ? `${(100 * overOne(o)).toFixed(1)}%` : 'n/a (no clipping)'];
  const clipRun = (o: Outcome): ClipRun => ({ valPpl: valPpl(o), maxNorm: maxNorm(o), clippedShare: overOne(o), clip: o.config.clip, diverged: o.diverged });
  sections.push({
    title: '8. Training without gradient clipping',
    question: 'Run the code without clipping the gradient. What happens?',
    experiment: 'The book model with clip 1 and with clip 0 (rnnlm train --clip 0); training reports the global gradient norm before clipping ' +
      '(per epoch: median, largest, share of steps clipped).',
    table: [['run', 'val ppl', 'largest gradient norm', 'steps clipped'], normRow('tanh, clip 1 (book)', book), normRow('tanh, no clipping', noClip)],
    answer: `${clipEffect(clipRun(book), clipRun(noClip), 'tanh')} ${clipShareFinding(clipRun(book))}`,
    summary: noClip.diverged ? 'diverges without clipping' : `val ppl ${fmt(valPpl(noClip))} without clipping vs ${fmt(valPpl(book))} with; largest norm ${fmt(maxNorm(noClip))}`,
  });
  sections.push({
    title: '9. ReLU instead of tanh',
    question: 'Replace the activation with ReLU and repeat the experiments. Do we still need gradient clipping? Why?',
    experiment: 'rnnlm train --activation relu, with clip 1 and with clip 0.',
    table: [['run', 'val ppl', 'largest gradient norm', 'steps clipped'], normRow('tanh, clip 1', book), normRow('tanh, no clipping', noClip),
      normRow('ReLU, clip 1', relu), normRow('ReLU, no clipping', reluNoClip)],
    answer: `${clipEffect(clipRun(relu), clipRun(reluNoClip), 'ReLU')} ReLU does not bound the hidden state, so activations and gradients ` +
      `can grow through W_hh step after step. ${reluFinding(clipRun(relu), clipRun(reluNoClip), [clipRun(book), clipRun(noClip)])}`,
    summary: reluNoClip.diverged ? `ReLU without clipping diverges; with clipping val ppl ${fmt(valPpl(relu))}`
      : `ReLU: val ppl ${fmt(valPpl(relu))} with clipping, ${fmt(valPpl(reluNoClip))} without; largest norm ${fmt(maxNorm(relu))} vs ${fmt(maxNorm(book))} for tanh`,
  });

  const lines = [
    '# D2L 9.5 exercises, answered by rnnlm',
    '',
    `Budget: ${inputs.budget} (${epochs} epochs per training run on the book's split: batch ${base.batchSize}, ${base.numSteps} steps, ` +
    `${base.numHiddens} hidden units, lr ${base.lr}, clip ${base.clip}, seed ${base.seed}, unless a section says otherwise). ` +
    `${cache.size} training runs. Perplexities are exp of the token-weighted mean cross-entropy.`,
    '',
    '## Summary',
    '',
    table([['exercise', 'finding'], ...sections.map((s) => [s.title, s.summary])]),
    '',
  ];
  for (const s of sections) {
    lines.push(`## ${s.title}`, '', `**Question.** ${s.question}`, '', `**Experiment.** ${s.experiment}`, '', table(s.table), '', `**Answer.** ${s.answer}`, '');
  }
  return lines.join('\n');
}
