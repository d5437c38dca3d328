// Family 4, silent accepts: input that a lenient reader would take and go on with wrong. A run's training state
// with a field missing, of the wrong type or out of its range; sweep results lines that are not results; a text
// that mixes encodings; runs whose final perplexity is not finite; a flag given twice; numbers in notations other
// than decimal and exponent, for every command's numeric flags. Each is refused with one line naming the fault.
import { join } from 'node:path';
import { over } from '../helpers.js';
import { type Case, dir, file, GOOD, LOG, RESULT_LINE, run, SMALL, TEXT, training, withTraining } from './fixtures.js';

const s = 'sa-';
const h0 = training.history[0]!;
/** train --resume a copy of the run whose training state is changed (the run did 1 epoch of 1: --epochs 2 continues it). */
const resume = (name: string, state: unknown, tensors = run.tensors, meta: Record<string, string> = {}): string[] =>
  ['train', '--resume', withTraining(`${s}${name}.safetensors`, state, tensors, meta), '--epochs', '2'];
const buffers = (change: (name: string, data: Float32Array) => { shape: number[]; data: Float32Array } | null) =>
  run.tensors.flatMap((t) => {
    if (!t.name.startsWith('optimizer.')) return [t];
    const c = change(t.name, Float32Array.from(t.data));
    return c ? [{ ...t, ...c }] : [];
  });
const NOT_CHECKPOINT = /is not an rnnlm checkpoint: /;
const state = (what: string): RegExp => new RegExp(NOT_CHECKPOINT.source + 'training state' + what);

/** A results file with these lines, for sweep --results. */
const results = (name: string, text: string): string => file(`${s}${name}.jsonl`, text);
const result = JSON.parse(RESULT_LINE) as { config: Record<string, unknown> };
const sweep = (path: string): string[] => ['sweep', ...SMALL, '--data', TEXT, '--results', path];
const NOT_RESULT = (line: number): RegExp => new RegExp(`line ${line} is not a sweep result \\(JSON\\); use another --results file`);

// UTF-8 'naïve ' then a cp1252 curly quote (0x93): two encodings in one file
const mixed = file(`${s}mixed.txt`, Uint8Array.from([...Buffer.from('naïve '), 0x93, ...Buffer.from('quoted'), 0x94, ...Buffer.from(' the time machine '.repeat(100))]));
const MIXED = /mixes encodings: .* byte at offset 7 is not UTF-8/;
const short = file(`${s}short.txt`, 'the time machine by h g wells '.repeat(10));

export const SILENT_ACCEPTS: Case[] = [
  // rnnlm import of what is not a PyTorch model and its vocabulary
  { name: 'import --vocab a text file', args: ['import', '--weights', GOOD, '--vocab', TEXT, '--out', join(dir, `${s}import.safetensors`)], stderr: /text\.txt is not JSON/ },
  { name: 'import --weights an rnnlm scratch checkpoint', args: ['import', '--weights', GOOD, '--vocab', file(`${s}vocab.json`, JSON.stringify({ vocab: ['<unk>', ' ', 'a'] })), '--out', join(dir, `${s}import.safetensors`)],
    stderr: /the weights have no tensor rnn\.weight_hh_l0/ },
  // numbers checked in float32, as the kernels compute with them
  { name: 'train --lr 1e-50 (0 in float32)', args: ['train', ...SMALL, '--data', TEXT, '--lr', '1e-50'], stderr: /--lr must be greater than 0 \(it is 0 in float32, the precision rnnlm computes in\), got '1e-50'/ },
  { name: 'train --sigma 1e-46 (0 in float32)', args: ['train', ...SMALL, '--data', TEXT, '--sigma', '1e-46'], stderr: /--sigma must be greater than 0 \(it is 0 in float32/ },
  { name: 'sweep --lr 1,1e-50', args: ['sweep', '--lr', '1,1e-50'], stderr: /--lr must be greater than 0 \(it is 0 in float32/ },
  { name: 'generate --temperature 1e-46 (0 in float32)', args: ['generate', '--model', GOOD, '--sample', '--temperature', '1e-46'], stderr: /--temperature must be greater than 0 \(it is 0 in float32/ },
  // validation asked for, none possible: refused before training, not a run that ends with "val ppl NaN"
  { name: 'train --split full --val-fraction 0.001 on 300 characters', args: ['train', '--epochs', '1', '--batch-size', '16', '--num-steps', '8', '--num-hiddens', '8', '--data', short, '--split', 'full', '--val-fraction', '0.001'],
    stderr: /the text is too short: its last 0\.1% \(0 characters\) holds no validation window of 9/ },
  // a run's state that training could not have written
  { name: 'train --resume: first loss 1e308', args: resume('first-loss-huge', { ...training, firstLoss: 1e308 }), stderr: state(': first loss 1e\\+308 is not a cross-entropy') },
  { name: 'train --resume: first loss -1', args: resume('first-loss-negative', { ...training, firstLoss: -1 }), stderr: state(': first loss -1 is not a cross-entropy') },
  { name: 'train --resume: first loss null after steps', args: resume('first-loss-null', { ...training, firstLoss: null }), stderr: state(': first loss null is not a cross-entropy') },
  { name: 'train --resume: the file\'s epoch 7, the state\'s 1', args: resume('epoch-disagrees', training, run.tensors, { epoch: '7' }), stderr: state(": the file's epoch 7 disagrees with the state's 1") },
  { name: 'train --resume: gradNormMax "big"', args: resume('grad-norm-text', { ...training, history: [{ ...h0, gradNormMax: 'big' }] }), stderr: state(": epoch 1's gradNormMax is \"big\"") },
  { name: 'train --resume: clippedFraction "0"', args: resume('clipped-text', { ...training, history: [{ ...h0, clippedFraction: '0' }] }), stderr: state(": epoch 1's clippedFraction is \"0\"") },
  { name: 'train --resume: trainCurve "x"', args: resume('curve-text', { ...training, history: [{ ...h0, trainCurve: 'x' }] }), stderr: state(": epoch 1's trainCurve is not a list") },
  { name: 'train --resume: valPpl -13', args: resume('val-negative', { ...training, history: [{ ...h0, valPpl: -13 }] }), stderr: state(": epoch 1's valPpl is -13") },
  // a run's training state, checked field by field before --resume goes on from it
  { name: 'train --resume: firstLoss a string', args: resume('first-loss-string', { ...training, firstLoss: 'NaN' }), stderr: state(': first loss "NaN" is not a cross-entropy') },
  { name: 'train --resume: epoch a string', args: resume('epoch-string', { ...training, epoch: '1' }), stderr: state(': epoch 1 is not a whole number') },
  { name: 'train --resume: steps negative', args: resume('steps-negative', { ...training, steps: -1 }), stderr: state(': bad step counts') },
  { name: 'train --resume: more optimizer steps than steps', args: resume('optimizer-steps', { ...training, optimizerSteps: 99 }), stderr: state(': bad step counts') },
  { name: 'train --resume: a curve of a later epoch (not consecutive)', args: resume('history-epoch', { ...training, history: [{ ...h0, epoch: 2 }] }), stderr: state(': curve 1 is of epoch 2, expected 1') },
  { name: 'train --resume: more curves than epochs', args: resume('history-long', { ...training, history: [h0, { ...h0, epoch: 2 }] }), stderr: state(': 1 epochs done but 2 curves \\(expected 1\\)') },
  { name: 'train --resume: history missing', args: resume('history-missing', { ...training, history: undefined }), stderr: state(': 1 epochs done but no curves') },
  { name: 'train --resume: a curve whose valPpl is a string', args: resume('val-ppl-string', { ...training, history: [{ ...h0, valPpl: '13' }] }), stderr: state(': epoch 1\'s valPpl is "13"') },
  { name: 'train --resume: the data path a number', args: resume('data-number', { ...training, data: 5 }), stderr: state(': the data path is not a string') },
  { name: 'train --resume: textSha1 not a sha1', args: resume('text-sha1', { ...training, textSha1: 'xyz' }), stderr: state(': bad textSha1') },
  { name: 'train --resume: the training state a number', args: resume('state-number', 5), stderr: state(' is not an object') },
  { name: 'train --resume: random generator state of 3 words', args: resume('rng-short', { ...training, rng: { s: [1, 2, 3], spare: null } }), stderr: /random generator state must be four 32-bit words, not all zero/ },
  { name: 'train --resume: random generator state all zero', args: resume('rng-zero', { ...training, rng: { s: [0, 0, 0, 0], spare: null } }), stderr: /random generator state must be four 32-bit words, not all zero/ },
  { name: 'train --resume: random generator state a fraction', args: resume('rng-fraction', { ...training, rng: { s: [1.5, 2, 3, 4], spare: null } }), stderr: /random generator state must be four 32-bit words/ },
  { name: 'train --resume: random generator spare normal a string', args: resume('rng-spare', { ...training, rng: { ...(training['rng'] as object), spare: 'x' } }), stderr: /random generator state has a non-finite spare normal/ },
  { name: 'train --resume: an optimizer buffer missing', args: resume('optimizer-missing', training, buffers((n, d) => (n === 'optimizer.v' ? null : { shape: [d.length], data: d }))),
    stderr: /its configuration needs \d+ parameters and 2 optimizer buffers of that size but the file holds \d+ values/ },
  { name: 'train --resume: an optimizer buffer of the wrong size', args: resume('optimizer-short', training, buffers((n, d) => (n === 'optimizer.v' ? { shape: [10], data: d.subarray(0, 10) } : { shape: [d.length], data: d }))),
    stderr: /needs \d+ parameters and 2 optimizer buffers of that size but the file holds \d+ values/ },
  { name: 'train --resume: a NaN in an optimizer buffer', args: resume('optimizer-nan', training, buffers((n, d) => ({ shape: [d.length], data: n === 'optimizer.v' ? d.map((x, i) => (i === 3 ? NaN : x)) : d }))),
    stderr: /tensor optimizer\.v holds a non-finite value \(NaN\) at index 3/ },
  { name: 'train --resume: optimizer buffers without a training state', args: ['train', '--resume', withTraining(`${s}no-state.safetensors`, training, run.tensors, { training: undefined as unknown as string }), '--epochs', '2'],
    stderr: /its configuration needs \d+ parameters but the file holds \d+ values/ },
  // sweep results: every line checked
  { name: 'sweep --results a line that is not JSON', args: sweep(results('not-json', `${RESULT_LINE}\nnot json\n`)), stderr: NOT_RESULT(2) },
  { name: 'sweep --results a truncated last line', args: sweep(results('truncated', `${RESULT_LINE}\n${RESULT_LINE.slice(0, 100)}`)), stderr: NOT_RESULT(2) },
  { name: 'sweep --results a config with lr a string', args: sweep(results('config-types', JSON.stringify({ ...result, config: { ...result.config, lr: '1' } }) + '\n')), stderr: NOT_RESULT(1) },
  { name: 'sweep --results a config out of range', args: sweep(results('config-range', JSON.stringify({ ...result, config: { ...result.config, numHiddens: 1e9 } }) + '\n')), stderr: NOT_RESULT(1) },
  { name: 'sweep --results valPpl a string', args: sweep(results('ppl-string', JSON.stringify({ ...result, valPpl: 'x' }) + '\n')), stderr: NOT_RESULT(1) },
  { name: 'sweep --results valPpl negative', args: sweep(results('ppl-negative', JSON.stringify({ ...result, valPpl: -1 }) + '\n')), stderr: NOT_RESULT(1) },
  { name: 'sweep --results a line without its config', args: sweep(results('no-config', JSON.stringify({ trainPpl: 1, valPpl: 1, seconds: 1 }) + '\n')), stderr: NOT_RESULT(1) },
  { name: 'sweep --results a NUL line', args: sweep(results('nul', `${RESULT_LINE}\n\0\n`)), stderr: NOT_RESULT(2) },
  // a config key that is not a setting: refused as a checkpoint's config refuses it (not dropped, the run redone)
  { name: 'sweep --results a config with an unknown setting', args: sweep(results('config-unknown', `${RESULT_LINE}\n${JSON.stringify({ ...result, config: { ...result.config, turbo: 1 } })}\n`)), stderr: NOT_RESULT(2) },
  // a text that mixes encodings
  { name: 'train --data UTF-8 then a cp1252 byte', args: ['train', '--data', mixed], stderr: MIXED },
  { name: 'train --text raw --data UTF-8 then a cp1252 byte', args: ['train', '--text', 'raw', '--data', mixed], stderr: MIXED },
  { name: 'eval UTF-8 then a cp1252 byte', args: ['eval', '--model', GOOD, mixed], stderr: MIXED },
  { name: 'exercises --same-author UTF-8 then a cp1252 byte', args: ['exercises', '--out', join(dir, `${s}ex`), '--same-author', mixed], stderr: MIXED },
  // final perplexities that are not finite: a run that diverges ends with code 1, a text too short for its split with 2
  { name: 'train --sigma 1e5 (validation perplexity Infinity)', args: ['train', ...SMALL, '--data', TEXT, '--sigma', '1e5'], stderr: /training diverged at epoch 1, step \d+: the validation perplexity is Infinity/, code: 1 },
  { name: 'train --lr 3e38 (a NaN gradient)', args: ['train', ...SMALL, '--data', TEXT, '--lr', '3e38'], stderr: /training diverged at epoch 1, step \d+: the gradient norm is NaN/, code: 1 },
  { name: 'train --split full --val-fraction 0.99 on a short text', args: ['train', ...SMALL, '--data', short, '--split', 'full', '--val-fraction', '0.99'], stderr: /the text is too short: 300 characters leave no training window of 9/ },
  { name: 'train --num-val 2000 on a short text', args: ['train', ...over(SMALL, '--num-val', '2000'), '--data', short], stderr: /the text is too short: .* but numTrain \+ numVal = 2100/ },
  { name: 'train --sigma 1e39 (beyond float32)', args: ['train', ...SMALL, '--data', TEXT, '--sigma', '1e39'], stderr: /--sigma must be at most 3\.4e\+38, got '1e39'/ },
  // a flag given twice, for every command
  ...([
    ['generate', '--len', '2', '--len', '3'], ['generate', '--model', GOOD, '--model', GOOD], ['score', '--json', '--json', 'the time'],
    ['eval', '--model', GOOD, '--model', GOOD, TEXT], ['plot', LOG, '--out', join(dir, `${s}a.svg`), '--title', 'a', '--title', 'b'],
    ['bench', '--cells', 'rnn', '--cells', 'gru'], ['bench', '--no-torch', '--no-torch'], ['bench', '--data', TEXT, '--data', TEXT], ['sweep', '--data', TEXT, '--data', TEXT],
    ['exercises', '--out', join(dir, `${s}ex`), '--out', join(dir, `${s}ex2`)], ['exercises', '--out', join(dir, `${s}ex`), '--full', '--full'],
  ] as string[][]).map(([command, ...rest]): Case => {
    const args = ['generate', 'score', 'eval'].includes(command!) && rest[0] !== '--model' ? ['--model', GOOD, ...rest] : rest;
    const flag = rest.find((a, i) => a.startsWith('--') && rest.indexOf(a) !== i)!;
    return { family: 4, name: `${command} ${flag} twice`, args: [command!, ...args], stderr: new RegExp(`${flag} is given 2 times; give it once`), code: 2 };
  }),
  // numbers: decimal or exponent notation only, for every command
  ...([
    ['generate', '--len', '0x10'], ['generate', '--len', ' 5'], ['generate', '--beam', 'Infinity'], ['generate', '--sample', '--top-k', '0b11'],
    ['generate', '--sample', '--temperature', '1_0'], ['generate', '--beam', '2', '--length-penalty', ' 1'],
    ['bench', '--runs', '0x2'], ['bench', '--epochs', 'Infinity'], ['bench', '--hiddens', '1_000'],
    ['bench', '--batch-size', '0x10'], ['bench', '--num-steps', ' 50'], ['bench', '--num-train', '4_000'], ['bench', '--num-val', '1e'], ['bench', '--lr', 'Infinity'],
    ['sweep', '--lr', '0x10'], ['sweep', '--epochs', '1, 5'], ['exercises', '--out', join(dir, `${s}ex`), '--threads', '1_0'],
    // bench's lists, element by element as strictly as any flag (a space around an element is refused, not trimmed)
    ['bench', '--no-torch', '--epochs', '1', '--hiddens', ' 5'], ['bench', '--no-torch', '--epochs', '1', '--layers', ' 1'],
    ['bench', '--no-torch', '--epochs', '1', '--vocabs', ' 28'], ['bench', '--no-torch', '--epochs', '1', '--hiddens', '32, 64'],
    ['bench', '--no-torch', '--epochs', '1', '--vocabs', '28,0x1c'], ['bench', '--no-torch', '--epochs', '1', '--threads', '1, 2'],
    ['bench', '--no-torch', '--epochs', '1', '--threads', '0x2'],
  ] as string[][]).map(([command, ...rest]): Case => {
    const flag = rest[rest.length - 2]!;
    const value = rest[rest.length - 1]!;
    const args = command === 'generate' ? ['--model', GOOD, ...rest] : rest;
    const shown = value.includes(',') ? value.split(',').find((v) => !/^\d+$/.test(v))! : value;
    return { family: 4, name: `${command} ${flag} '${value}'`, args: [command!, ...args], stderr: new RegExp(`${flag} must be a number, got '${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`), code: 2 };
  }),
  { name: "bench --cells ' rnn'", args: ['bench', '--no-torch', '--epochs', '1', '--cells', ' rnn'], stderr: /--cells must be one of rnn, gru, lstm, got ' rnn'/ },
  { name: "bench --engines 'rnnlm '", args: ['bench', '--no-torch', '--epochs', '1', '--engines', 'rnnlm '], stderr: /--engines must be one of rnnlm, rnnlm-concise, torch, torch-concise, got 'rnnlm '/ },
].map((c): Case => ({ family: 4, code: 2, ...c }));
