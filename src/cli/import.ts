// rnnlm import: a language model trained in PyTorch (torch.nn.RNN, GRU or LSTM, an optional nn.Embedding, an
// nn.Linear output), saved with safetensors, as an rnnlm checkpoint that generate, score, eval, --init-from and
// rnnlm/inference read: the way from a cluster (DDP or any setup) to a page. The other direction of
// bench/load_in_torch.py. The model's shape is read from the tensors' shapes, the vocabulary and the way its text was
// read from a small JSON file; then the whole file goes through the checkpoint reader's own checks (names, shapes,
// finite values, the vocabulary's rules), so an import is exactly as strict as reading a checkpoint.
import { MAX_CHECKPOINT_BYTES, saveCheckpoint } from '../node/checkpoint-file.js';
import { checkFilePlan } from '../node/file-plan.js';
import { readBounded } from '../node/files.js';
import { describeOnDisk } from '../node/out-file.js';
import { checkpointFromContents } from '../train/checkpoint/checkpoint.js';
import { parameterLayout } from '../models/layout.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, describeModel, readCheckpoint } from '../train/checkpoint/read.js';
import { decodeSafetensors, encodeSafetensors, type NamedArray } from '../train/checkpoint/safetensors.js';
import { BOOK_CONFIG, canonical, validateConfig, type TrainConfig } from '../train/config/config.js';
import type { Schema } from '../util/schema.js';
import { UsageError } from './args.js';
import { commandHelp, parseCommand, type CommandSpec } from './command.js';

export const IMPORT_COMMAND = {
  usage: 'rnnlm import --weights MODEL.safetensors --vocab VOCAB.json --out FILE [--activation tanh|relu]',
  description: `Turns a PyTorch language model into an rnnlm checkpoint. MODEL.safetensors holds the state_dict of
torch.nn.RNN, GRU or LSTM under the prefix rnn. (rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0,
... for each layer), the output layer as linear.weight (V, H) and linear.bias (V), and optionally an nn.Embedding as
embedding.weight (V, E) (without one, the inputs are one-hot, the book's). VOCAB.json is {"vocab": [the tokens, in
index order, with "<unk>"], "text": "book" or "raw", "tokens": "char" or "word"} (text and tokens: how the model's
text is read; default book and char). The cell, layers, hidden and embedding sizes come from the tensors' shapes; a
file that does not fit one of them is refused, naming the tensor.`,
  options: {
    weights: { kind: 'string', meta: 'FILE', nonEmpty: true, help: 'the PyTorch model, saved with safetensors (save_file(state_dict))' },
    vocab: { kind: 'string', meta: 'FILE', nonEmpty: true, help: 'the vocabulary and how text is read, as JSON' },
    out: { kind: 'string', meta: 'FILE', nonEmpty: true, help: 'the rnnlm checkpoint to write' },
    activation: { kind: 'choice', choices: ['tanh', 'relu'], default: 'tanh', help: "an RNN cell's nonlinearity (torch.nn.RNN's nonlinearity), which the weights do not tell" },
  },
} as const satisfies CommandSpec<Schema>;

export const IMPORT_HELP = commandHelp(IMPORT_COMMAND);

/** The most bytes of a vocabulary file (10,000,000 tokens of a few bytes each, with room). */
export const MAX_VOCAB_BYTES = 256 * 1024 * 1024;

/** The cell of a torch.nn layer with G gate blocks (its weight_hh has G * H rows). */
const CELL_OF_GATES: Record<number, TrainConfig['cell']> = { 1: 'rnn', 3: 'gru', 4: 'lstm' };

/** The configuration a PyTorch state_dict's shapes imply, with the vocabulary file's settings. */
export function configOfTorch(tensors: readonly NamedArray[], reading: { text: TrainConfig['text']; tokens: TrainConfig['tokens'] }, activation: TrainConfig['activation']): TrainConfig {
  const shape = (name: string): number[] => {
    const t = tensors.find((x) => x.name === name);
    if (!t) throw new UsageError(`the weights have no tensor ${name} (expected torch.nn.RNN/GRU/LSTM under rnn., nn.Linear under linear.)`);
    return t.shape;
  };
  const hh = shape('rnn.weight_hh_l0');
  if (hh.length !== 2) throw new UsageError(`rnn.weight_hh_l0 has shape [${hh.join(', ')}], expected [gates x hidden, hidden]`);
  const H = hh[1]!;
  const cell = CELL_OF_GATES[hh[0]! / H];
  if (!Number.isInteger(hh[0]! / H) || cell === undefined) throw new UsageError(`rnn.weight_hh_l0 has shape [${hh.join(', ')}]: ${hh[0]} rows are not 1, 3 or 4 gate blocks of ${H} (RNN, GRU, LSTM)`);
  let numLayers = 0;
  while (tensors.some((t) => t.name === `rnn.weight_hh_l${numLayers}`)) numLayers++;
  const embedding = tensors.find((t) => t.name === 'embedding.weight' || t.name === 'embedding');
  if (embedding && embedding.shape.length !== 2) throw new UsageError(`${embedding.name} has shape [${embedding.shape.join(', ')}], expected [vocabulary, size]`);
  return validateConfig(canonical({ ...BOOK_CONFIG, concise: true, cell, numLayers, numHiddens: H, embedding: embedding ? embedding.shape[1]! : 0,
    activation: cell === 'rnn' ? activation : 'tanh', text: reading.text, tokens: reading.tokens }));
}

/** A vocabulary file's tokens and reading settings, checked for their types (the tokens' rules are the reader's). */
function parseVocabFile(text: string, path: string): { vocab: string[]; text: TrainConfig['text']; tokens: TrainConfig['tokens'] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path} is not JSON (${(e as Error).message})`);
  }
  const r = raw as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UsageError(`${path} is not a JSON object {"vocab": [...], "text": ..., "tokens": ...}`);
  const unknown = Object.keys(r).filter((k) => !['vocab', 'text', 'tokens'].includes(k));
  if (unknown.length > 0) throw new UsageError(`${path}: ${unknown.join(', ')} is not a field (fields: vocab, text, tokens)`);
  if (!Array.isArray(r['vocab']) || !r['vocab'].every((t) => typeof t === 'string')) throw new UsageError(`${path}: vocab is not a list of strings`);
  const textMode = r['text'] ?? 'book';
  const tokens = r['tokens'] ?? 'char';
  if (textMode !== 'book' && textMode !== 'raw') throw new UsageError(`${path}: text must be book or raw, got ${JSON.stringify(textMode)}`);
  if (tokens !== 'char' && tokens !== 'word') throw new UsageError(`${path}: tokens must be char or word, got ${JSON.stringify(tokens)}`);
  return { vocab: r['vocab'] as string[], text: textMode, tokens };
}

export async function importCommand(argv: string[], print: (line: string) => void): Promise<void> {
  const { values: flags, help } = parseCommand(IMPORT_COMMAND, argv);
  if (help) return print(IMPORT_HELP);
  const [weights, vocabFile, out] = [flags.weights, flags.vocab, flags.out];
  if (weights === undefined || vocabFile === undefined || out === undefined) throw new UsageError('import needs --weights FILE, --vocab FILE and --out FILE');
  await checkFilePlan({ inputs: [{ flag: '--weights', path: weights }, { flag: '--vocab', path: vocabFile }], outputs: [{ flag: '--out', path: out }] });
  if ((await describeOnDisk(out)) === 'an unreadable file') throw new UsageError(`--out ${out} exists and is not an rnnlm checkpoint: refusing to overwrite it`);
  const file = decodeSafetensors(await readBounded(weights, { what: 'weights file', maxBytes: MAX_CHECKPOINT_BYTES, limitName: ' for a model file' }), weights);
  const v = parseVocabFile(new TextDecoder().decode(await readBounded(vocabFile, { what: 'vocabulary file', maxBytes: MAX_VOCAB_BYTES })), vocabFile);
  const config = configOfTorch(file.tensors, v, flags.activation ?? 'tanh');
  // torch's nn.Embedding is embedding.weight; rnnlm's layout names it embedding
  const tensors = file.tensors.map((t) => (t.name === 'embedding.weight' ? { ...t, name: 'embedding' } : t));
  // the names first, for a message that says which tensor (the reader would count the floats first)
  const layout = parameterLayout(config, v.vocab.length).map(([name]) => name);
  const missing = layout.filter((name) => !tensors.some((t) => t.name === name));
  const extra = tensors.filter((t) => !layout.includes(t.name)).map((t) => t.name);
  if (missing.length > 0) throw new UsageError(`the weights have no tensor ${missing.join(', ')} (a ${config.numLayers}-layer ${config.cell} needs ${layout.join(', ')})`);
  if (extra.length > 0) throw new UsageError(`the weights hold tensors a ${config.numLayers}-layer ${config.cell} has not: ${extra.join(', ')}`);
  const bytes = encodeSafetensors({ tensors, metadata: { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, config: JSON.stringify(config),
    model: JSON.stringify(describeModel(config)), vocab: JSON.stringify(v.vocab), seed: String(config.seed) } });
  let checkpoint;
  try {
    checkpoint = checkpointFromContents(readCheckpoint(bytes, weights));
  } catch (e) {
    throw new UsageError((e as Error).message.replace(`${weights} is not an rnnlm checkpoint: `, `${weights} does not fit the model its shapes describe: `));
  }
  await saveCheckpoint(out, checkpoint);
  print(`wrote ${out}: a ${config.numLayers}-layer ${config.cell.toUpperCase()} of ${config.numHiddens} units, vocabulary ${v.vocab.length}` +
    `${config.embedding ? `, embedding ${config.embedding}` : ''} (${config.text} text, ${config.tokens} tokens)`);
}
