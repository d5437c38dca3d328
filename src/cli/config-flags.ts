// The training configuration as command-line flags, shared by train and sweep. Each flag is named after the book's
// argument; sweep accepts comma-separated lists for the grid.
import { BOOK_CONFIG, validateConfig, type TrainConfig } from '../train/config.js';
import { CELL_KINDS } from '../models/cell-factory.js';
import { TEXT_MODES, TOKEN_MODES } from '../data/tokenizer.js';
import { OPTIMIZERS } from '../train/optimizer.js';
import { LR_SCHEDULES } from '../train/schedule.js';
import { BOOK_PRESETS, bookPreset } from '../train/presets.js';
import { choiceFlag, numberFlag, positiveInt, stringFlag, UsageError, type Flags } from './args.js';

export const CONFIG_OPTIONS = {
  epochs: { type: 'string' }, 'batch-size': { type: 'string' }, 'num-steps': { type: 'string' },
  'num-hiddens': { type: 'string' }, lr: { type: 'string' }, clip: { type: 'string' }, sigma: { type: 'string' },
  'num-train': { type: 'string' }, 'num-val': { type: 'string' }, activation: { type: 'string' }, seed: { type: 'string' },
  embedding: { type: 'string' }, split: { type: 'string' }, 'val-fraction': { type: 'string' }, partition: { type: 'string' },
  cell: { type: 'string' }, 'num-layers': { type: 'string' }, dropout: { type: 'string' }, concise: { type: 'boolean' },
  book: { type: 'string' }, bidirectional: { type: 'boolean' },
  text: { type: 'string' }, tokens: { type: 'string' }, 'min-freq': { type: 'string' }, 'max-tokens': { type: 'string' },
  optimizer: { type: 'string' }, momentum: { type: 'string' }, betas: { type: 'string' }, 'rms-decay': { type: 'string' },
  'weight-decay': { type: 'string' }, 'lr-schedule': { type: 'string' }, 'lr-gamma': { type: 'string' },
  'lr-every': { type: 'string' }, 'lr-start': { type: 'string' }, warmup: { type: 'string' },
} as const;

export const CONFIG_HELP = `The book's runs (other flags override what a run sets):
  --book SECTION    ${Object.entries(BOOK_PRESETS).map(([k, p]) => `${k.padEnd(5)} ${p.title}`).join('\n                    ')}
                    all with batch 1024, 32 steps, 32 hidden units, clip 1 (default: 9.5)
  --concise         the section's concise code: PyTorch-layout layers (RNN, GRU, LSTM) and an nn.Linear output

Text (saved with the model; generate, score and eval read text the same way):
  --text T          book (D2L 9.2: letters only, lower case; default) or raw (every character: case,
                    punctuation, digits, newlines, any script, emoji; Unicode NFC, CRLF as LF)
  --tokens K        char (default) or word (D2L 9.2's words; raw text keeps punctuation and spaces as tokens)
  --min-freq N      tokens seen fewer than N times become <unk> [min_freq] (default 0: keep all)
  --max-tokens N    at most N vocabulary entries, the most frequent tokens (default 0: no cap)

Model and training (book names in brackets; defaults are the book's run):
  --cell C          rnn (9.5), gru (10.2) or lstm (10.1) (default ${BOOK_CONFIG.cell})
  --num-layers N    stacked recurrent layers (10.3) (default ${BOOK_CONFIG.numLayers})
  --dropout P       concise models: dropout between layers while training, 0 <= P < 1 (default 0)
  --epochs N        passes over the training windows [max_epochs] (default ${BOOK_CONFIG.epochs})
  --batch-size N    windows per minibatch [batch_size] (default ${BOOK_CONFIG.batchSize})
  --num-steps N     characters per window [num_steps] (default ${BOOK_CONFIG.numSteps})
  --num-hiddens N   hidden units [num_hiddens] (default ${BOOK_CONFIG.numHiddens})
  --lr X            learning rate [lr] (default ${BOOK_CONFIG.lr})
  --clip X          clip the global gradient norm to X, 0 = no clipping [gradient_clip_val] (default ${BOOK_CONFIG.clip})
  --sigma X         initial weights ~ N(0,1) * X [sigma] (default ${BOOK_CONFIG.sigma})
  --num-train N     training windows, book split [num_train] (default ${BOOK_CONFIG.numTrain})
  --num-val N       validation windows, book split [num_val] (default ${BOOK_CONFIG.numVal})
  --activation F    tanh or relu, for rnn cells (default ${BOOK_CONFIG.activation})
  --embedding N     a learnable embedding of size N instead of one-hot inputs; 0 = one-hot (default 0)
  --split S         book: the first num-train overlapping windows (one per character) train, the next num-val
                    validate, and only those characters are read (the book's run); full: the whole text, 90%
                    train, 10% validate, in non-overlapping windows: one epoch is one pass over the training text
                    from a random offset (D2L 9.3's random sampling)
  --val-fraction X  with --split full, the share of the text kept for validation (default ${BOOK_CONFIG.valFraction})
  --partition P     random (shuffled windows, zero state per batch; default) or sequential (state carried
                    across batches, truncated backprop through time)
  --seed N          seed for initialisation and shuffling, 0 <= N < 2^32 (default ${BOOK_CONFIG.seed})

Optimizer and learning rate (PyTorch's formulas; defaults: the book's plain SGD at a constant rate):
  --optimizer O     sgd (default), momentum, adam or rmsprop (char-rnn's)
  --momentum M      momentum's coefficient (default ${BOOK_CONFIG.momentum})
  --betas B1,B2     Adam's coefficients (default ${BOOK_CONFIG.betas.join(',')})
  --rms-decay A     RMSprop's decay of the squared-gradient average (default ${BOOK_CONFIG.rmsDecay}; char-rnn 0.95)
  --weight-decay W  L2 coefficient added to every gradient (default 0)
  --lr-schedule S   constant (default), step (times --lr-gamma every --lr-every epochs after epoch --lr-start;
                    the defaults ${BOOK_CONFIG.lrGamma}, ${BOOK_CONFIG.lrEvery} and ${BOOK_CONFIG.lrStart} are char-rnn's decay) or cosine (to 0 over --epochs)
  --warmup N        optimizer steps of linear warmup from 0 to --lr (default 0)`;

/** A seed: a whole number in [0, 2^32), so that no two seeds give the same generator (they are taken mod 2^32). */
function seedFlag(flags: Flags, fallback: number): number {
  const seed = numberFlag(flags, 'seed', fallback, { integer: true, min: 0 });
  if (seed >= 2 ** 32) throw new UsageError(`--seed must be below 2^32 = 4294967296, got ${stringFlag(flags, 'seed')}`);
  return seed;
}

/** --betas B1,B2: two numbers. */
function betasFlag(flags: Flags, fallback: [number, number]): [number, number] {
  const s = stringFlag(flags, 'betas');
  if (s === undefined) return fallback;
  const parts = s.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 2 || parts.some((p, i) => !Number.isFinite(p) || s.split(',')[i]!.trim() === '')) {
    throw new UsageError(`--betas must be two numbers separated by a comma (such as 0.9,0.999), got '${s}'`);
  }
  return [parts[0]!, parts[1]!];
}

/** The configuration named by the flags (the book's where a flag is absent); readable errors for bad values. */
export function configFromFlags(flags: Flags, given: TrainConfig = BOOK_CONFIG): TrainConfig {
  if (flags['bidirectional']) {
    throw new UsageError('--bidirectional: a next-character language model must not see the characters it predicts, and a backward layer reads them; ' +
      'bidirectional layers (BiRNNScratch, bidirectional: true) are in the library for tagging and encoding');
  }
  const section = stringFlag(flags, 'book');
  let base = given;
  try {
    if (section !== undefined || flags['concise']) base = bookPreset(section ?? '9.5', flags['concise'] === true);
  } catch (e) {
    throw new UsageError(`--book: ${(e as Error).message}`);
  }
  const c: TrainConfig = {
    epochs: numberFlag(flags, 'epochs', base.epochs, { integer: true, min: 0 }),
    batchSize: positiveInt(flags, 'batch-size', base.batchSize),
    numSteps: positiveInt(flags, 'num-steps', base.numSteps),
    numHiddens: positiveInt(flags, 'num-hiddens', base.numHiddens),
    lr: numberFlag(flags, 'lr', base.lr, { min: 0, exclusiveMin: true }),
    clip: numberFlag(flags, 'clip', base.clip, { min: 0 }),
    sigma: numberFlag(flags, 'sigma', base.sigma, { min: 0, exclusiveMin: true }),
    numTrain: positiveInt(flags, 'num-train', base.numTrain),
    numVal: numberFlag(flags, 'num-val', base.numVal, { integer: true, min: 0 }),
    activation: choiceFlag(flags, 'activation', ['tanh', 'relu'], base.activation),
    cell: choiceFlag(flags, 'cell', CELL_KINDS, base.cell),
    numLayers: positiveInt(flags, 'num-layers', base.numLayers),
    dropout: numberFlag(flags, 'dropout', base.dropout, { min: 0 }),
    concise: base.concise,
    embedding: numberFlag(flags, 'embedding', base.embedding, { integer: true, min: 0 }),
    split: choiceFlag(flags, 'split', ['book', 'full'], base.split),
    valFraction: numberFlag(flags, 'val-fraction', base.valFraction, { min: 0 }),
    partition: choiceFlag(flags, 'partition', ['random', 'sequential'], base.partition),
    seed: seedFlag(flags, base.seed),
    text: choiceFlag(flags, 'text', TEXT_MODES, base.text),
    tokens: choiceFlag(flags, 'tokens', TOKEN_MODES, base.tokens),
    minFreq: numberFlag(flags, 'min-freq', base.minFreq, { integer: true, min: 0 }),
    maxTokens: numberFlag(flags, 'max-tokens', base.maxTokens, { integer: true, min: 0 }),
    optimizer: choiceFlag(flags, 'optimizer', OPTIMIZERS, base.optimizer),
    momentum: numberFlag(flags, 'momentum', base.momentum, { min: 0 }),
    betas: betasFlag(flags, base.betas),
    rmsDecay: numberFlag(flags, 'rms-decay', base.rmsDecay, { min: 0 }),
    weightDecay: numberFlag(flags, 'weight-decay', base.weightDecay, { min: 0 }),
    lrSchedule: choiceFlag(flags, 'lr-schedule', LR_SCHEDULES, base.lrSchedule),
    lrGamma: numberFlag(flags, 'lr-gamma', base.lrGamma, { min: 0, exclusiveMin: true }),
    lrEvery: positiveInt(flags, 'lr-every', base.lrEvery),
    lrStart: numberFlag(flags, 'lr-start', base.lrStart, { integer: true, min: 0 }),
    warmup: numberFlag(flags, 'warmup', base.warmup, { integer: true, min: 0 }),
  };
  return validateFlagsConfig(c);
}

/** validateConfig, its message a usage error (the flags named a bad configuration). */
export function validateFlagsConfig(c: TrainConfig): TrainConfig {
  try {
    return validateConfig(c);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
