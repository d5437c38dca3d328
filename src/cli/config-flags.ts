// The training configuration as command-line flags, shared by train and sweep. Each flag is named after the book's
// argument; sweep accepts comma-separated lists for the grid.
import { BOOK_CONFIG, validateConfig, type TrainConfig } from '../train/config.js';
import { choiceFlag, numberFlag, positiveInt, UsageError, type Flags } from './args.js';

export const CONFIG_OPTIONS = {
  epochs: { type: 'string' }, 'batch-size': { type: 'string' }, 'num-steps': { type: 'string' },
  'num-hiddens': { type: 'string' }, lr: { type: 'string' }, clip: { type: 'string' }, sigma: { type: 'string' },
  'num-train': { type: 'string' }, 'num-val': { type: 'string' }, activation: { type: 'string' }, seed: { type: 'string' },
  embedding: { type: 'string' }, split: { type: 'string' }, 'val-fraction': { type: 'string' }, partition: { type: 'string' },
} as const;

export const CONFIG_HELP = `Model and training (book names in brackets; defaults are the book's run):
  --epochs N        passes over the training windows [max_epochs] (default ${BOOK_CONFIG.epochs})
  --batch-size N    windows per minibatch [batch_size] (default ${BOOK_CONFIG.batchSize})
  --num-steps N     characters per window [num_steps] (default ${BOOK_CONFIG.numSteps})
  --num-hiddens N   hidden units [num_hiddens] (default ${BOOK_CONFIG.numHiddens})
  --lr X            SGD learning rate [lr] (default ${BOOK_CONFIG.lr})
  --clip X          clip the global gradient norm to X, 0 = no clipping [gradient_clip_val] (default ${BOOK_CONFIG.clip})
  --sigma X         initial weights ~ N(0,1) * X [sigma] (default ${BOOK_CONFIG.sigma})
  --num-train N     training windows, book split [num_train] (default ${BOOK_CONFIG.numTrain})
  --num-val N       validation windows, book split [num_val] (default ${BOOK_CONFIG.numVal})
  --activation F    tanh or relu (default ${BOOK_CONFIG.activation})
  --embedding N     a learnable embedding of size N instead of one-hot inputs; 0 = one-hot (default 0)
  --split S         book (the first num-train windows train, the next num-val validate) or full (whole text)
  --val-fraction X  with --split full, the share of the text kept for validation (default ${BOOK_CONFIG.valFraction})
  --partition P     random (shuffled windows, zero state per batch; default) or sequential (state carried
                    across batches, truncated backprop through time)
  --seed N          seed for initialisation and shuffling (default ${BOOK_CONFIG.seed})`;

/** The configuration named by the flags (the book's where a flag is absent); readable errors for bad values. */
export function configFromFlags(flags: Flags, base: TrainConfig = BOOK_CONFIG): TrainConfig {
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
    embedding: numberFlag(flags, 'embedding', base.embedding, { integer: true, min: 0 }),
    split: choiceFlag(flags, 'split', ['book', 'full'], base.split),
    valFraction: numberFlag(flags, 'val-fraction', base.valFraction, { min: 0 }),
    partition: choiceFlag(flags, 'partition', ['random', 'sequential'], base.partition),
    seed: numberFlag(flags, 'seed', base.seed, { integer: true, min: 0 }),
  };
  try {
    return validateConfig(c);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
