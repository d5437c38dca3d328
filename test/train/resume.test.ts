// Exact resume: a run stopped after epoch k and continued from its checkpoint gives the numbers of the uninterrupted
// run, bit for bit (every perplexity and gradient norm, every weight), for the book's SGD, for Adam with a step
// schedule and warmup, and for a concise 2-layer GRU with dropout on 2 threads (replica masks seeded by step).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, rnnlm, tempDir } from '../helpers.js';
import { selectBackend } from '../../src/node/select-backend.js';
import { loadTimeMachineText } from '../../src/node/load.js';
import { decodeCheckpoint, encodeRun, runOf } from '../../src/train/checkpoint/checkpoint.js';
import { BOOK_CONFIG, type TrainConfig } from '../../src/train/config/config.js';
import { trainRun } from '../../src/node/train-run.js';
import { MAX_STATE_HISTORY, type RunState } from '../../src/train/run/run-state.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/train/checkpoint/safetensors.js';
import type { EpochStats } from '../../src/train/run/trainer.js';


/** An epoch's numbers without its timing. */
const numbers = ({ seconds: _s, tokensPerSecond: _t, ...rest }: EpochStats): object => rest;

describe('exact resume', () => {
  const cases: [string, Partial<TrainConfig>, number][] = [
    ['the book\'s SGD', {}, 1],
    ['Adam, a step schedule after epoch 1 and warmup', { optimizer: 'adam', lr: 0.01, lrSchedule: 'step', lrStart: 1, lrGamma: 0.5, warmup: 5 }, 1],
    ['a concise 2-layer GRU with dropout on 2 threads, momentum', { cell: 'gru', concise: true, numLayers: 2, dropout: 0.3, optimizer: 'momentum', lr: 0.5 }, 2],
  ];
  for (const [name, overrides, threads] of cases) {
    it(`${name}: 2 epochs, then resumed from the checkpoint to 4, equals 4 epochs in one go`, async () => {
      await selectBackend('auto');
      const text = (await loadTimeMachineText()).slice(0, 40_000);
      const config: TrainConfig = { ...BOOK_CONFIG, epochs: 4, batchSize: 64, numSteps: 16, numHiddens: 24, numTrain: 600, numVal: 200, ...overrides };
      const whole = await trainRun(config, text, { threads });
      // the first two epochs, saving a checkpoint after each as the CLI does
      let saved: Uint8Array | null = null;
      const first = await trainRun({ ...config, epochs: 2 }, text, {
        threads,
        onEpoch: (_s, run: RunState) => void (saved = encodeRun(run)),
      });
      assert.equal(first.history.length, 2);
      const cp = decodeCheckpoint(saved!);
      assert.equal(cp.training!.epoch, 2);
      const rest = await trainRun(config, text, { threads, from: { ...runOf(cp)!, config } });
      assert.deepEqual(rest.history.map(numbers), whole.history.map(numbers));
      assert.deepEqual(rest.model.params.values, whole.model.params.values);
    });
  }
  it('rnnlm train --epochs 4 equals --epochs 2 then --resume FILE --epochs 4: every JSON line and the checkpoint\'s tensors', () => {
    const dir = tempDir();
    const small = ['--batch-size', '64', '--num-steps', '16', '--num-hiddens', '16', '--num-train', '600', '--num-val', '200', '--json'];
    const a = rnnlm('train', ...small, '--epochs', '4', '--out', join(dir, 'a.safetensors'));
    const b1 = rnnlm('train', ...small, '--epochs', '2', '--out', join(dir, 'b.safetensors'));
    const b2 = rnnlm('train', '--resume', join(dir, 'b.safetensors'), '--epochs', '4', '--json');
    for (const r of [a, b1, b2]) assert.equal(r.code, 0, r.stderr);
    const epochs = (out: string): object[] => out.trim().split('\n').map((l) => JSON.parse(l) as EpochStats).filter((l) => 'epoch' in l).map(numbers);
    assert.deepEqual([...epochs(b1.stdout), ...epochs(b2.stdout)], epochs(a.stdout));
    const tensors = (file: string): Buffer => {
      const bytes = readFileSync(join(dir, file));
      return bytes.subarray(8 + Number(bytes.readBigUInt64LE(0)));
    };
    assert.ok(tensors('a.safetensors').equals(tensors('b.safetensors')));
    // resuming with other settings is refused; a finished run needs more epochs
    assert.match(rnnlm('train', '--resume', join(dir, 'b.safetensors'), '--lr', '2').stderr, /only --epochs can change \(drop --lr\)/);
    assert.match(rnnlm('train', '--resume', join(dir, 'b.safetensors'), '--epochs', '3').stderr, /has 4 epochs done; give --epochs above that/);
    // the run's own text only: another file is refused by its sha1
    const other = rnnlm('train', '--resume', join(dir, 'b.safetensors'), '--epochs', '5', '--data', join(ROOT, '..', 'shared', 'data', 'war-of-the-worlds.txt'));
    assert.equal(other.code, 2);
    assert.match(other.stderr, /is not the text this run read \(its sha1 differs\)/);
    // the identity is the decoded text's, line ends as LF: a CRLF copy in another encoding (UTF-16 with its mark) is the same text
    const book = readFileSync(join(ROOT, 'data', 'timemachine.txt'), 'utf8');
    const copy = join(dir, 'crlf-utf16.txt');
    writeFileSync(copy, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(book.replace(/\n/g, '\r\n'), 'utf16le')]));
    const same = rnnlm('train', '--resume', join(dir, 'b.safetensors'), '--epochs', '5', '--data', copy, '--json');
    assert.equal(same.code, 0, same.stderr);
  });
  it('--init-from starts a new run from a model\'s weights and vocabulary, its shape fixed', () => {
    const dir = tempDir();
    const small = ['--batch-size', '64', '--num-steps', '16', '--num-hiddens', '16', '--num-train', '600', '--num-val', '200'];
    assert.equal(rnnlm('train', ...small, '--epochs', '2', '--out', join(dir, 'm.safetensors'), '--quiet').code, 0);
    const tuned = rnnlm('train', ...small, '--init-from', join(dir, 'm.safetensors'), '--epochs', '1', '--optimizer', 'adam', '--lr', '0.003',
      '--data', join(ROOT, '..', 'shared', 'data', 'war-of-the-worlds.txt'), '--json');
    assert.equal(tuned.code, 0, tuned.stderr);
    const fresh = rnnlm('train', ...small, '--epochs', '1', '--optimizer', 'adam', '--lr', '0.003', '--data', join(ROOT, '..', 'shared', 'data', 'war-of-the-worlds.txt'), '--json');
    const val = (out: string): number => (JSON.parse(out.trim().split('\n')[0]!) as EpochStats).valPpl;
    assert.ok(val(tuned.stdout) < val(fresh.stdout), `${val(tuned.stdout)} vs ${val(fresh.stdout)}`); // the weights carried over
    assert.match(rnnlm('train', '--init-from', join(dir, 'm.safetensors'), '--num-hiddens', '32').stderr, /its numHiddens cannot change/);
  });
  it(`keeps at most ${MAX_STATE_HISTORY} epochs of curves in a run's state, the latest, and reads them back checked`, async () => {
    await selectBackend('auto');
    const text = 'the time machine by h g wells '.repeat(20);
    const epochs = MAX_STATE_HISTORY + 5;
    const config: TrainConfig = { ...BOOK_CONFIG, epochs, batchSize: 1, numSteps: 2, numHiddens: 2, numTrain: 1, numVal: 0, seed: 3 };
    let last: RunState | null = null;
    const run = await trainRun(config, text, { onEpoch: (_s, state) => void (last = state) });
    assert.equal(run.history.length, epochs, 'the run itself reports every epoch');
    const history = last!.training.history;
    assert.equal(history.length, MAX_STATE_HISTORY);
    assert.deepEqual([history[0]!.epoch, history.at(-1)!.epoch], [6, epochs]);
    const cp = decodeCheckpoint(encodeRun(last!));
    assert.equal(cp.training!.history.length, MAX_STATE_HISTORY);
    // a history that does not end at the epoch, or is longer than the cap, is refused
    const broken = (training: object): Uint8Array => {
      const file = decodeSafetensors(encodeRun(last!));
      return encodeSafetensors({ tensors: file.tensors, metadata: { ...file.metadata, training: JSON.stringify(training) } });
    };
    const t = last!.training;
    assert.throws(() => decodeCheckpoint(broken({ ...t, history: t.history.slice(1) })), /1005 epochs done but 999 curves \(expected 1000\)/);
    assert.throws(() => decodeCheckpoint(broken({ ...t, history: [...t.history.slice(1), t.history[0]] })), /curve 1 is of epoch 7, expected 6/);
  });
  it('checks every field of a run\'s state a resumed run reads, and fills none in', async () => {
    await selectBackend('auto');
    const text = 'the time machine by h g wells '.repeat(20);
    const config: TrainConfig = { ...BOOK_CONFIG, epochs: 3, batchSize: 2, numSteps: 4, numHiddens: 3, numTrain: 4, numVal: 2, optimizer: 'adam', lr: 0.01 };
    let last: RunState | null = null;
    await trainRun({ ...config, epochs: 2 }, text, { onEpoch: (_s, state) => void (last = state) });
    const state = { ...last!, config };
    const file = decodeSafetensors(encodeRun(state));
    const t = JSON.parse(file.metadata['training']!) as Record<string, unknown> & { history: Record<string, unknown>[] };
    const with_ = (metadata: Record<string, string>, tensors = file.tensors): Uint8Array => encodeSafetensors({ tensors, metadata: { ...file.metadata, ...metadata } });
    const training = (change: Record<string, unknown>): Uint8Array => with_({ training: JSON.stringify({ ...t, ...change }) });
    const epoch = (change: Record<string, unknown>): Uint8Array => training({ history: [t.history[0], { ...t.history[1], ...change }] });
    assert.equal(decodeCheckpoint(with_({})).training!.epoch, 2, 'the file as written reads');
    for (const [bytes, message] of [
      [training({ firstLoss: null }), /first loss null is not a cross-entropy/],
      [training({ firstLoss: 1e308 }), /first loss 1e\+308 is not a cross-entropy/],
      [training({ firstLoss: -1 }), /first loss -1 is not a cross-entropy/],
      [training({ firstLoss: '2' }), /first loss "2" is not a cross-entropy/],
      [with_({ epoch: '7' }), /the file's epoch 7 disagrees with the state's 2/],
      [epoch({ gradNormMax: 'big' }), /epoch 2's gradNormMax is "big"/],
      [epoch({ clippedFraction: '0' }), /epoch 2's clippedFraction is "0"/],
      [epoch({ clippedFraction: 1.5 }), /epoch 2's clippedFraction is 1.5/],
      [epoch({ valPpl: -13 }), /epoch 2's valPpl is -13/],
      [epoch({ trainPpl: 0.5 }), /epoch 2's trainPpl is 0.5/],
      [epoch({ seconds: undefined }), /epoch 2's seconds is missing/],
      [epoch({ trainCurve: 'x' }), /epoch 2's trainCurve is not a list of \[epoch, perplexity\] pairs/],
      [epoch({ trainCurve: [[1]] }), /trainCurve is not a list/],
      [training({ history: [t.history[0], [1, 2]] }), /curve 2 is not an epoch's statistics/],
      [training({ rng: [1, 2] }), /bad random generator state/],
    ] as const) assert.throws(() => decodeCheckpoint(bytes), (e: Error) => /^checkpoint is not an rnnlm checkpoint: training state/.test(e.message) && message.test(e.message), String(message));
    // Adam's second moments are averages of squares: a negative one is refused, naming the buffer and index
    const v = file.tensors.map((x) => (x.name === 'optimizer.v' ? { ...x, data: Float32Array.from(x.data, (d, i) => (i === 5 ? -1e-3 : d)) } : x));
    assert.ok(v.some((x) => x.name === 'optimizer.v'));
    assert.throws(() => decodeCheckpoint(with_({}, v)), /training state: the optimizer buffer optimizer\.v holds -0\.0010\d* at index 5, an average of squares below 0/);
  });
});
