// The training configuration's words for people: one help sentence per field, for --help and the page's tooltips.
// Kept apart from the schema (config-schema.ts: what a value may be), which everything that reads checkpoints needs,
// the inference bundle included, while only the CLI and the page show these sentences: so the bundle carries the
// rules without the prose. The Record type makes a field without its sentence (or a sentence without its field) a
// compile error, so the two tables cannot drift.
import { TRAIN_SCHEMA, type TrainField, type TrainSchema } from './config-schema.js';

export const TRAIN_FIELD_HELP: Readonly<Record<TrainField, string>> = {
  epochs: "passes over the training windows",
  batchSize: "windows per minibatch",
  numSteps: "time steps (tokens) per window",
  numHiddens: "hidden units per layer",
  lr: "the step size (the book's 1 is for SGD; Adam and RMSprop want about 0.01)",
  clip: "clip the global gradient norm to this; 0 trains without clipping",
  sigma: "initial weights ~ N(0,1) * sigma (scratch models)",
  numTrain: "training windows, the first ones of the text (book split)",
  numVal: "validation windows, right after them (book split); 0 trains without validation",
  activation: "the RNN cell's nonlinearity; GRU and LSTM cells have their own gates",
  cell: "the recurrent cell: rnn (9.5), gru (10.2) or lstm (10.1)",
  numLayers: "stacked recurrent layers (10.3)",
  dropout: "concise models: dropout between layers while training; 0 is off",
  concise: "the section's concise code (9.6): PyTorch-layout layers (RNN, GRU, LSTM) and an nn.Linear output, instead of the book's scratch classes",
  embedding: "a learnable embedding of size N instead of one-hot inputs; 0 = one-hot (the book's)",
  split: "book: the first num-train overlapping windows train, the next num-val validate, and only those characters are read; full: the whole text in non-overlapping windows, the last val-fraction of it validating (D2L 9.3's random sampling)",
  valFraction: "with the full split, the share of the text (at its end) kept for validation",
  partition: "random (shuffled windows, zero state per batch) or sequential (state carried across batches, truncated backprop through time)",
  seed: "drives the initial weights and the shuffling",
  text: "book (D2L 9.2: letters only, lower case) or raw (every character: case, punctuation, digits, newlines, any script; Unicode NFC, CRLF as LF)",
  tokens: "char or word (D2L 9.2's words; raw text keeps punctuation and spaces as tokens)",
  minFreq: "tokens seen fewer times become <unk>; 0 keeps all",
  maxTokens: "at most this many vocabulary entries, the most frequent tokens; 0 = no cap",
  optimizer: "sgd (the book's), momentum, adam or rmsprop (char-rnn's), with PyTorch's formulas",
  momentum: "momentum's coefficient mu",
  betas: "Adam's coefficients",
  rmsDecay: "RMSprop's decay of the squared-gradient average (PyTorch's alpha; char-rnn 0.95)",
  weightDecay: "L2 coefficient added to every gradient (0: none)",
  lrSchedule: "constant (the book's), step (times lr-gamma every lr-every epochs after epoch lr-start: char-rnn's decay) or cosine (to 0 over the epochs)",
  lrGamma: "step schedule: the factor per decay",
  lrEvery: "step schedule: epochs between decays",
  lrStart: "step schedule: the last epoch at the full rate",
  warmup: "optimizer steps of linear warmup from 0 to the learning rate; 0 = none",
};

/** The schema with its help sentences: what the CLI's flags and the page's form are built from. */
export const DOCUMENTED_TRAIN_SCHEMA = Object.fromEntries(Object.entries(TRAIN_SCHEMA).map(([k, spec]) => [k, { ...spec, help: TRAIN_FIELD_HELP[k as TrainField] }])) as
  { [K in TrainField]: TrainSchema[K] & { help: string } };
