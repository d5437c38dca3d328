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
import { BOOK_CONFIG, type TrainConfig } from '../train/config.js';
import { trainRun } from '../train/run.js';
import { TrainingDiverged, type EpochStats } from '../train/trainer.js';

export interface ExerciseInputs {
  timeMachine: string; // the raw text of The Time Machine
  sameAuthor: { name: string; text: string }; // another book by H. G. Wells (The War of the Worlds)
  otherAuthor: { name: string; text: string }; // a book by another author (Frankenstein)
  budget: 'quick' | 'full';
  threads: number;
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
      const run = await trainRun(config, inputs.timeMachine, { threads: inputs.threads });
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
    answer: `No. Within a window every earlier character influences the prediction (the influence shrinks with distance, ` +
      `${infl[0]!.toExponential(1)} for the current input down to ${infl[infl.length - 1]!.toExponential(1)} at distance ${T - 1}), ` +
      `but each training window starts from a zero state, so the model conditions on at most ${T - 1} earlier characters ` +
      `in training, never on the beginning of the book. When generating, predict() conditions on the prefix and what it generated.`,
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
      (bestSteps === stepRuns[stepRuns.length - 1] ? 'More history helps, ' : 'More history does not keep helping, ') +
      `and the differences are small because a vanilla RNN forgets quickly (section 1: the influence of a character ${T - 1} steps back is ` +
      `${infl[infl.length - 1]!.toExponential(1)}), while longer windows give fewer, more correlated updates per epoch.`,
    summary: `numSteps (val ppl ${fmt(valPpl(stepRuns[0]!))} at 8 steps, ${fmt(valPpl(bestSteps))} at ${bestSteps.config.numSteps})`,
  });

  // ---- 3: one-hot equals an embedding ---------------------------------------------------------------------------
  const X = new IntTensor(Int32Array.from(corpus.subarray(0, 4 * T)), [4, T]);
  const Wxh = (model.rnn as RNNScratch).W_xh; // the exercises train the book's 9.5 model
  const viaOneHot = noGrad(() => F.matmul(model.oneHot(X), Wxh));
  const viaGather = noGrad(() => F.gather(Wxh, X.T));
  let maxDiff = 0;
  viaOneHot.data.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - viaGather.data[i]!))));
  sections.push({
    title: '3. One-hot encoding is an embedding',
    question: 'Show that one-hot encoding is equivalent to picking a different embedding for each object.',
    experiment: `onehot(x) W_xh picks row x of W_xh: the product of a one-hot vector with a matrix is that matrix's row. ` +
      `Computed on the trained W_xh (${Wxh.shape.join(' x ')}) for ${X.data.length} characters: the one-hot matrix product against the row lookup W_xh[x].`,
    table: [['characters', 'largest |onehot(x) W_xh - W_xh[x]|'], [String(X.data.length), String(maxDiff)]],
    answer: `They are equal (largest difference ${maxDiff}): W_xh is a table of one learned ${Wxh.shape[1]}-dimensional embedding per character. ` +
      `rnnlm's fused kernel therefore does the input product as a row lookup, which is exact and skips ${V}x${Wxh.shape[1]} multiply-adds per character.`,
    summary: `Yes: onehot(x) W_xh equals the row W_xh[x] exactly (largest difference ${maxDiff})`,
  });

  // ---- 4: tuning, and embeddings --------------------------------------------------------------------------------
  const grid: Outcome[] = [];
  for (const numHiddens of [32, 64, 128]) for (const lr of [1, 2]) grid.push(await train({ numHiddens, lr }, `hidden ${numHiddens}, lr ${lr}`));
  const embeddings: Outcome[] = [book];
  for (const embedding of [8, 32]) embeddings.push(await train({ embedding }, `embedding ${embedding}`));
  const all = [...grid, ...stepRuns, ...embeddings].filter((o) => !o.diverged);
  const best = all.reduce((a, b) => (valPpl(b) < valPpl(a) ? b : a));
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
      `to ${fmt(Math.max(...grid.map(trainPpl)))} and validation from ${fmt(Math.min(...grid.map(valPpl)))} to ${fmt(Math.max(...grid.map(valPpl)))}: ` +
      `the book's split trains on only the first 10,000 characters, which limits how low validation goes. Embeddings: ` +
      `${embeddings.slice(1).map((o) => `size ${o.config.embedding} gives ${fmt(valPpl(o))}`).join(', ')}, against ${fmt(valPpl(book))} for one-hot. ` +
      'An embedding followed by W_xh is still one linear map of the one-hot vector (section 3), so it adds no expressive power; what changes is ' +
      'the optimisation: the embedding starts at N(0, 1) rather than N(0, 0.01^2) and gets its own gradient, which speeds up learning at a fixed budget.',
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
      `Machine, which the model never trained on: ${Math.abs(wells.score.perplexity - same.score.perplexity) < 0.05 * same.score.perplexity
        ? 'about the same' : wells.score.perplexity > same.score.perplexity ? 'worse' : 'better'}. ` +
      'A character model this small learns English spelling and common short words more than anything particular to one book.',
    summary: `${wells.name}: ppl ${fmt(wells.score.perplexity)} (unseen Time Machine text: ${fmt(same.score.perplexity)})`,
  });
  sections.push({
    title: '6. A book by another author',
    question: 'Evaluate the perplexity of this model on books written by other authors.',
    experiment: `As in section 5, on ${other.name}.`,
    table: [['text', 'characters', 'perplexity', 'bits per character'],
      ...books.map((b) => [b.name, String(b.score.tokens), fmt(b.score.perplexity, 3), fmt(b.score.bitsPerToken, 3)])],
    answer: `${other.name} scores ${fmt(other.score.perplexity)} (${fmt(other.score.bitsPerToken, 3)} bits per character), against ` +
      `${fmt(wells.score.perplexity)} (${fmt(wells.score.bitsPerToken, 3)}) for Wells: ${(100 * (other.score.perplexity / wells.score.perplexity - 1)).toFixed(1)}% ` +
      `${other.score.perplexity > wells.score.perplexity ? 'higher' : 'lower'}. At the level of characters, English of the same period differs ` +
      'little from author to author.',
    summary: `${other.name}: ppl ${fmt(other.score.perplexity)} vs ${fmt(wells.score.perplexity)} for Wells`,
  });

  // ---- 7: sampling -----------------------------------------------------------------------------------------------
  const prefix = 'the time traveller ';
  const decoders: [string, Parameters<typeof makePicker>[0]][] = [
    ['greedy (argmax, the book)', {}], ['sample, alpha 1 (the model\'s distribution)', { sample: true, seed: 1 }],
    ['sample, alpha 2 (temperature 1/2)', { sample: true, alpha: 2, seed: 1 }], ['sample, alpha 4', { sample: true, alpha: 4, seed: 1 }],
  ];
  const samples = decoders.map(([name, options]) => {
    const text = model.predict(prefix, 200, vocab, makePicker(options));
    const generated = text.slice(prefix.length);
    const words = generated.split(' ').filter((w) => w !== '');
    return { name, text, distinct: new Set(words).size / Math.max(1, words.length), nats: -scoreText(model, vocab, text).logProb / text.length };
  });
  sections.push({
    title: '7. Sampling instead of the most likely character',
    question: 'Sample rather than pick the most likely next character: what happens? Bias towards likely outputs by sampling from q ∝ P^alpha for alpha > 1.',
    experiment: `200 characters after '${prefix.trim()}' (rnnlm generate --sample [--alpha A] --seed 1). Sharpening by alpha is sampling at ` +
      'temperature 1/alpha. Columns: distinct words / words (repetition), and the model\'s own mean negative log-probability per character.',
    table: [['decoding', 'distinct words', 'nats per character', 'text'],
      ...samples.map((s) => [s.name, fmt(s.distinct), fmt(s.nats, 3), '`' + s.text.replace(/\|/g, ' ') + '`'])],
    answer: `Greedy decoding keeps ${fmt(samples[0]!.distinct)} distinct words per word (${samples[0]!.distinct < 0.3 ? 'it falls into a loop' : 'little repetition'}). ` +
      `Sampling from the model's distribution keeps ${fmt(samples[1]!.distinct)} but its text is what the model itself finds unlikely ` +
      `(${fmt(samples[1]!.nats, 2)} nats per character against ${fmt(samples[0]!.nats, 2)} for greedy): many non-words. Sharpening with alpha > 1 ` +
      `moves between the two: alpha 2 gives ${fmt(samples[2]!.distinct)} distinct words at ${fmt(samples[2]!.nats, 2)} nats per character, ` +
      `alpha 4 gives ${fmt(samples[3]!.distinct)} at ${fmt(samples[3]!.nats, 2)}.`,
    summary: `greedy repeats (distinct words ${fmt(samples[0]!.distinct)}), sampling varies but misspells (${fmt(samples[1]!.distinct)}, ${fmt(samples[1]!.nats, 2)} nats/char), alpha 2 in between (${fmt(samples[2]!.distinct)}, ${fmt(samples[2]!.nats, 2)})`,
  });

  // ---- 8 and 9: clipping and ReLU --------------------------------------------------------------------------------
  const noClip = await train({ clip: 0 }, 'tanh, no clipping');
  const relu = await train({ activation: 'relu' }, 'relu, clip 1');
  const reluNoClip = await train({ activation: 'relu', clip: 0 }, 'relu, no clipping');
  const maxNorm = (o: Outcome): number => Math.max(...o.history.map((s) => s.gradNormMax));
  /** Share of all training steps whose gradient norm exceeded 1 (the book's threshold), clipped or not. */
  const overOne = (o: Outcome): number => (o.history.length ? o.history.reduce((a, s) => a + s.clippedFraction, 0) / o.history.length : NaN);
  const normRow = (name: string, o: Outcome): string[] => [name, o.diverged ? `diverged: ${o.diverged.replace(/^training diverged /, '')}` : fmt(valPpl(o)),
    o.history.length ? fmt(maxNorm(o)) : '', o.config.clip > 0 && o.history.length ? `${(100 * overOne(o)).toFixed(1)}%` : 'n/a (no clipping)'];
  const clipEffect = (clipped: Outcome, free: Outcome, what: string): string => {
    if (free.diverged) return `Without clipping the ${what} run diverged (${free.diverged}); with clipping it reached ${fmt(valPpl(clipped))}.`;
    const m = maxNorm(free);
    return `Without clipping the ${what} run reached validation perplexity ${fmt(valPpl(free))} (with clipping ${fmt(valPpl(clipped))}). ` +
      (maxNorm(clipped) <= clipped.config.clip
        ? `Its gradient norm never exceeded the threshold ${clipped.config.clip} (largest ${fmt(m)}), so clipping never acted and the two runs are the same.`
        : `The gradient norm exceeded ${clipped.config.clip} in ${(100 * overOne(clipped)).toFixed(1)}% of the clipped run's steps (largest ` +
          `${fmt(maxNorm(clipped))}); without clipping it reached ${fmt(m)}.`);
  };
  sections.push({
    title: '8. Training without gradient clipping',
    question: 'Run the code without clipping the gradient. What happens?',
    experiment: 'The book model with clip 1 and with clip 0 (rnnlm train --clip 0); training reports the global gradient norm before clipping ' +
      '(per epoch: median, largest, share of steps clipped).',
    table: [['run', 'val ppl', 'largest gradient norm', 'steps clipped'], normRow('tanh, clip 1 (book)', book), normRow('tanh, no clipping', noClip)],
    answer: clipEffect(book, noClip, 'tanh') + ' tanh bounds the hidden state in (-1, 1), so at lr 1 and sigma 0.01 gradients stay moderate; ' +
      'clipping is a safeguard against the rare large step (try rnnlm train --clip 0 --lr 4 to see training stop on a blow-up).',
    summary: noClip.diverged ? 'diverges without clipping' : `val ppl ${fmt(valPpl(noClip))} without clipping vs ${fmt(valPpl(book))} with; largest norm ${fmt(maxNorm(noClip))}`,
  });
  sections.push({
    title: '9. ReLU instead of tanh',
    question: 'Replace the activation with ReLU and repeat the experiments. Do we still need gradient clipping? Why?',
    experiment: 'rnnlm train --activation relu, with clip 1 and with clip 0.',
    table: [['run', 'val ppl', 'largest gradient norm', 'steps clipped'], normRow('tanh, clip 1', book), normRow('tanh, no clipping', noClip),
      normRow('ReLU, clip 1', relu), normRow('ReLU, no clipping', reluNoClip)],
    answer: clipEffect(relu, reluNoClip, 'ReLU') + ` ReLU does not bound the hidden state, so activations and gradients can grow through W_hh step ` +
      `after step: the largest gradient norm with ReLU is ${fmt(Math.max(maxNorm(relu), reluNoClip.history.length ? maxNorm(reluNoClip) : 0))} against ` +
      `${fmt(maxNorm(book))} with tanh. Clipping is the safeguard against that growth, more needed with ReLU than with tanh.`,
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
