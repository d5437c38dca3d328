// The guards around --out: the lock (one writer, stale locks taken over), the path checks, and what a failed
// save leaves on disk.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, linkSync, mkdirSync, openSync, closeSync, ftruncateSync, readFileSync, readdirSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, tempDir } from '../helpers.js';
import { Vocab } from '../../src/data/vocab.js';
import { Rng } from '../../src/tensor/random.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/node/checkpoint-file.js';
import { BOOK_CONFIG, createModel } from '../../src/train/config/config.js';
import { startTimeOf } from '../../src/node/process-identity.js';
import { acquireOutLock, describeOnDisk } from '../../src/node/out-file.js';
import { checkFilePlan, type FilePlan, type PlannedFile, type PlannedOutput } from '../../src/node/file-plan.js';
import { encodeSafetensors } from '../../src/train/checkpoint/safetensors.js';

const OUT_FILE = join(ROOT, 'dist', 'src', 'node', 'out-file.js');

/** The pid of a process that has exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;

/** A child that takes the lock on out, prints "won" or its error, holds the lock holdMs, then exits without release(). */
function locker(out: string, holdMs: number): Promise<{ pid: number; said: string; code: number | null }> {
  const script = `import { acquireOutLock } from ${JSON.stringify(OUT_FILE)};
    try { await acquireOutLock(${JSON.stringify(out)}); console.log('won'); setTimeout(() => {}, ${holdMs}); }
    catch (e) { console.log(e.message); }`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let said = '';
    child.stdout.on('data', (d: Buffer) => (said += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ pid: child.pid!, said: said.trim(), code }));
  });
}

describe('acquireOutLock', () => {
  it('creates out.lock with our pid; release() removes it; a second lock in the same process is refused', async () => {
    const out = join(tempDir(), 'm.safetensors');
    const lock = await acquireOutLock(out);
    assert.equal(readFileSync(out + '.lock', 'utf8').trim().split(' ')[0], String(process.pid));
    await assert.rejects(acquireOutLock(out), /m\.safetensors is already being written by this process/);
    await lock.release();
    assert.equal(existsSync(out + '.lock'), false);
    await lock.release(); // idempotent
    const again = await acquireOutLock(out);
    await again.release();
  });
  it('leaves a file at the lock\'s path that rnnlm did not write (a user\'s text, a folder, a FIFO) and refuses; an empty one is taken', async () => {
    const dir = tempDir();
    const out = join(dir, 'm.safetensors');
    writeFileSync(out + '.lock', 'mine: do not delete\n');
    await assert.rejects(acquireOutLock(out), (e: Error) => e.message === `${out}.lock exists and is not an rnnlm lock (it begins "mine: do not delete\\n"): refusing to remove it; move it away or choose another --out`);
    assert.equal(readFileSync(out + '.lock', 'utf8'), 'mine: do not delete\n', 'the user\'s file is intact');
    const folder = join(dir, 'f.safetensors');
    mkdirSync(folder + '.lock');
    await assert.rejects(acquireOutLock(folder), /f\.safetensors\.lock is not a regular file \(a folder\)/);
    const fifo = join(dir, 'p.safetensors');
    spawnSync('mkfifo', [fifo + '.lock']);
    await assert.rejects(acquireOutLock(fifo), /p\.safetensors\.lock is not a regular file/);
    const empty = join(dir, 'e.safetensors');
    writeFileSync(empty + '.lock', '');
    const lock = await acquireOutLock(empty);
    await lock.release();
    assert.equal(existsSync(empty + '.lock'), false);
  });
  it('refuses while a live process holds it, in one line naming the pid', async () => {
    const out = join(tempDir(), 'm.safetensors');
    writeFileSync(out + '.lock', '1\n'); // pid 1 always runs
    await assert.rejects(acquireOutLock(out), (e: Error) => {
      assert.equal(e.message, `${out} is being written by another rnnlm (pid 1); wait for it or choose another --out`);
      return true;
    });
    assert.equal(readFileSync(out + '.lock', 'utf8'), '1\n', 'the holder\'s lock is untouched');
  });
  it('takes over a lock whose pid now belongs to another process (its start time differs: the pid was reused)', async (t) => {
    if (startTimeOf(1) === null) return t.skip('this system does not report start times');
    const out = join(tempDir(), 'm.safetensors');
    writeFileSync(out + '.lock', `1 ${Number(startTimeOf(1)) + 1}\n`); // pid 1 runs, but it is not the run that took the lock
    const lock = await acquireOutLock(out);
    assert.equal(readFileSync(out + '.lock', 'utf8').trim().split(' ')[0], String(process.pid));
    await lock.release();
  });
  it('takes over the lock of a dead process, an empty lock and a lock holding our own (reused) pid', async () => {
    for (const content of [`${deadPid()}\n`, '', `${process.pid}\n`]) { // (other text is a user's file, refused: see above)
      const dir = tempDir();
      const out = join(dir, 'm.safetensors');
      writeFileSync(out + '.lock', content);
      const lock = await acquireOutLock(out);
      assert.equal(readFileSync(out + '.lock', 'utf8').trim().split(' ')[0], String(process.pid), JSON.stringify(content));
      await lock.release();
      assert.deepEqual(readdirSync(dir), [], 'no temp or moved-aside file left');
    }
  });
  it('release() leaves a lock that another run has taken since', async () => {
    const out = join(tempDir(), 'm.safetensors');
    const lock = await acquireOutLock(out);
    writeFileSync(out + '.lock', '1\n');
    await lock.release();
    assert.equal(readFileSync(out + '.lock', 'utf8'), '1\n');
  });
  it('is removed when its process exits without release(), and refuses others while it runs', async () => {
    const out = join(tempDir(), 'm.safetensors');
    const holder = locker(out, 1500);
    for (let i = 0; i < 100 && !existsSync(out + '.lock'); i++) await new Promise((r) => setTimeout(r, 20));
    const owner = Number(readFileSync(out + '.lock', 'utf8').trim().split(' ')[0]);
    await assert.rejects(acquireOutLock(out), new RegExp(`being written by another rnnlm \\(pid ${owner}\\)`));
    const h = await holder;
    assert.equal(h.said, 'won');
    assert.equal(h.pid, owner);
    assert.equal(existsSync(out + '.lock'), false);
  });
  it('of runs racing to take over a stale lock, exactly one wins and the others name it', async () => {
    const dir = tempDir();
    const out = join(dir, 'm.safetensors');
    writeFileSync(out + '.lock', `${deadPid()}\n`);
    const runs = await Promise.all(Array.from({ length: 5 }, () => locker(out, 1500)));
    const winners = runs.filter((r) => r.said === 'won');
    assert.equal(winners.length, 1, JSON.stringify(runs));
    for (const r of runs.filter((x) => x.said !== 'won')) assert.match(r.said, new RegExp(`being written by another rnnlm \\(pid ${winners[0]!.pid}\\)`));
    assert.deepEqual(readdirSync(dir), []);
  });
});

describe('checkFilePlan', () => {
  const out = (path: string, flag = '--out'): { inputs: PlannedFile[]; outputs: PlannedOutput[] } => ({ inputs: [], outputs: [{ flag, path }] });
  const against = (o: string, inputs: string[], flag = '--out'): { inputs: PlannedFile[]; outputs: PlannedOutput[] } =>
    ({ inputs: inputs.map((path) => ({ flag: '--data', path })), outputs: [{ flag, path: o }] });
  it('accepts a new or existing file in a writable folder', async () => {
    const dir = tempDir();
    await checkFilePlan(against(join(dir, 'new.safetensors'), [join(dir, 'data.txt')]));
    writeFileSync(join(dir, 'old.safetensors'), 'x');
    await checkFilePlan(out(join(dir, 'old.safetensors')));
  });
  it('refuses an input file as an output, however it is spelled (relative, symlink, hard link), naming both flags', async () => {
    const dir = tempDir();
    const data = join(dir, 'data.txt');
    writeFileSync(data, 'the time machine');
    symlinkSync(data, join(dir, 'alias.txt'));
    linkSync(data, join(dir, 'hard.txt'));
    await assert.rejects(checkFilePlan(against(data, [data])), (e: Error) => {
      assert.equal(e.message, `--out ${data} and --data ${data} are the same file: refusing to overwrite an input`);
      return true;
    });
    await assert.rejects(checkFilePlan(against(`${dir}/./data.txt`, [data])), /are the same file: refusing to overwrite an input/);
    await assert.rejects(checkFilePlan(against(join(dir, 'alias.txt'), [data])), /alias\.txt and --data .*data\.txt are the same file/);
    await assert.rejects(checkFilePlan(against(data, [join(dir, 'alias.txt')])), /are the same file/);
    await assert.rejects(checkFilePlan(against(join(dir, 'hard.txt'), ['x.txt', data])), /hard\.txt and --data .*data\.txt are the same file/);
    await assert.rejects(checkFilePlan(against(join(dir, 'p.svg'), [join(dir, 'p.svg')], '--plot')), /^Error: --plot .*p\.svg and --data .*p\.svg are the same file/);
  });
  it('refuses two outputs that are one file (same name, symlink, hard link); a missing file named twice too', async () => {
    const dir = tempDir();
    const m = join(dir, 'm.svg');
    const plan = (a: string, b: string): FilePlan => ({ inputs: [], outputs: [{ flag: '--out', path: a }, { flag: '--plot', path: b }] });
    await assert.rejects(checkFilePlan(plan(m, m)), new RegExp(`^Error: --out ${m} and --plot ${m} are the same file: give each output its own file$`));
    writeFileSync(m, 'x');
    symlinkSync(m, join(dir, 'link.svg'));
    linkSync(m, join(dir, 'hard.svg'));
    await assert.rejects(checkFilePlan(plan(m, join(dir, 'link.svg'))), /are the same file/);
    await assert.rejects(checkFilePlan(plan(join(dir, 'hard.svg'), m)), /are the same file/);
    await checkFilePlan(plan(m, join(dir, 'other.svg')));
  });
  it('lets an output update the input it names (read-modify-write), and no other input', async () => {
    const dir = tempDir();
    const m = join(dir, 'm.safetensors');
    writeFileSync(m, 'x');
    const plan = (inputs: PlannedFile[]): FilePlan => ({ inputs, outputs: [{ flag: '--out', path: m, updates: '--resume' }] });
    await checkFilePlan(plan([{ flag: '--resume', path: m }]));
    await assert.rejects(checkFilePlan(plan([{ flag: '--resume', path: m }, { flag: '--data', path: m }])), /--out .* and --data .* are the same file/);
  });
  it('refuses a missing folder, a folder as out, a special file and (not as root) a read-only folder', async () => {
    const dir = tempDir();
    await assert.rejects(checkFilePlan(out(join(dir, 'nope', 'm.safetensors'))), /--out .*nope\/m\.safetensors: the folder .*nope does not exist/);
    writeFileSync(join(dir, 'file'), 'x');
    await assert.rejects(checkFilePlan(out(join(dir, 'file', 'm.safetensors'))), /file is not a folder/);
    await assert.rejects(checkFilePlan(out(dir)), /--out .* is a folder; give a file name/);
    await assert.rejects(checkFilePlan(out('/dev/null')), /--out \/dev\/null is not a regular file/);
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    if (process.getuid?.() !== 0) await assert.rejects(checkFilePlan(out(join(ro, 'm.safetensors'))), /the folder .*ro is not writable/);
  });
  it('an output whose folder is created later: the nearest existing folder must be a writable folder', async () => {
    const dir = tempDir();
    const deep = { inputs: [], outputs: [{ flag: '--out', path: join(dir, 'a', 'b', 'report.md'), createsFolder: true }] };
    await checkFilePlan(deep);
    assert.equal(existsSync(join(dir, 'a')), false, 'checking creates nothing');
    writeFileSync(join(dir, 'f'), 'x');
    await assert.rejects(checkFilePlan({ inputs: [], outputs: [{ flag: '--out', path: join(dir, 'f', 'b', 'report.md'), createsFolder: true }] }), /is not a folder/);
  });
  it('the lock follows symlinks: two names of one file take one lock beside the real file', async () => {
    const dir = tempDir();
    const real = join(dir, 'm.safetensors');
    writeFileSync(real, 'x');
    symlinkSync(real, join(dir, 'link.safetensors'));
    const lock = await acquireOutLock(join(dir, 'link.safetensors'));
    assert.ok(existsSync(real + '.lock'));
    await assert.rejects(acquireOutLock(real), /already being written by this process/);
    await lock.release();
    assert.equal(existsSync(real + '.lock'), false);
  });
});

describe('describeOnDisk', () => {
  const file = (metadata: Record<string, string>): Uint8Array =>
    encodeSafetensors({ tensors: [{ name: 'w', shape: [2], data: Float32Array.of(1, 2) }], metadata });
  it('says what a failed save left: no file, a checkpoint and its epoch, or an unreadable file', async () => {
    const dir = tempDir();
    const out = join(dir, 'm.safetensors');
    assert.equal(await describeOnDisk(out), 'nothing (no file)');
    writeFileSync(out, file({ format: 'rnnlm-checkpoint', epoch: '7' }));
    assert.equal(await describeOnDisk(out), 'the checkpoint of epoch 7');
    writeFileSync(out, file({ format: 'rnnlm-checkpoint' }));
    assert.equal(await describeOnDisk(out), 'an earlier checkpoint');
    writeFileSync(out, file({ epoch: 'seven' }));
    assert.equal(await describeOnDisk(out), 'an earlier checkpoint');
    const bytes = file({ epoch: '7' });
    writeFileSync(out, bytes.subarray(0, bytes.length - 1)); // torn
    assert.equal(await describeOnDisk(out), 'an unreadable file');
    writeFileSync(out, 'The Time Traveller (for so it will be convenient to speak of him)');
    assert.equal(await describeOnDisk(out), 'an unreadable file');
    writeFileSync(out, '');
    assert.equal(await describeOnDisk(out), 'an unreadable file');
    assert.equal(await describeOnDisk(dir), 'an unreadable file');
  });
  it('reads the header only: a 1 GiB (sparse) checkpoint is described at once', async () => {
    const out = join(tempDir(), 'big.safetensors');
    const n = 2 ** 28; // floats: 1 GiB of data
    const json = new TextEncoder().encode(JSON.stringify({ __metadata__: { epoch: '12' }, w: { dtype: 'F32', shape: [n], data_offsets: [0, 4 * n] } }));
    const head = new Uint8Array(8 + json.length);
    new DataView(head.buffer).setBigUint64(0, BigInt(json.length), true);
    head.set(json, 8);
    const fd = openSync(out, 'w');
    writeSync(fd, head);
    ftruncateSync(fd, head.length + 4 * n);
    closeSync(fd);
    const t0 = Date.now();
    assert.equal(await describeOnDisk(out), 'the checkpoint of epoch 12');
    assert.ok(Date.now() - t0 < 500, `${Date.now() - t0} ms`);
  });
});

describe('checkpoint files at the edge', () => {
  const checkpoint = () => {
    const vocab = new Vocab([...'the time machine']);
    const config = { ...BOOK_CONFIG, numHiddens: 4, seed: 1 };
    return { model: createModel(config, vocab.length, new Rng(1)), vocab, config };
  };
  it('a failed save says why and what the file on disk still holds, in one line', async () => {
    const dir = tempDir();
    const missing = join(dir, 'nope', 'm.safetensors');
    await assert.rejects(saveCheckpoint(missing, checkpoint()), (e: Error) => {
      assert.match(e.message, /^cannot save the model to .*nope\/m\.safetensors \(ENOENT: .*\); .*m\.safetensors holds nothing \(no file\)$/);
      assert.ok(!e.message.includes('\n'));
      return true;
    });
    mkdirSync(join(dir, 'taken')); // a folder where the file should go: the rename fails
    await assert.rejects(saveCheckpoint(join(dir, 'taken'), checkpoint()), /^Error: cannot save the model to .*taken \(.*\); .*taken holds an unreadable file$/);
    assert.deepEqual(readdirSync(dir).sort(), ['taken'], 'no temp file left');
  });
  it('loading refuses a device, a FIFO and a folder at once, and a file above the size limit before reading it', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'model.fifo');
    spawnSync('mkfifo', [fifo]);
    const t0 = Date.now();
    await assert.rejects(loadCheckpoint('/dev/zero'), /^Error: \/dev\/zero is not a regular file \(a device, pipe or socket\); give a model file$/);
    if (existsSync(fifo)) await assert.rejects(loadCheckpoint(fifo), /model\.fifo is not a regular file \(a device, pipe or socket\)/);
    await assert.rejects(loadCheckpoint(dir), /is not a regular file \(a folder\)/);
    assert.ok(Date.now() - t0 < 1000, `${Date.now() - t0} ms`);
    const out = join(dir, 'm.safetensors');
    await saveCheckpoint(out, checkpoint());
    await assert.rejects(loadCheckpoint(out, { maxBytes: 100 }), /m\.safetensors is \d+ bytes, above the limit of 100 for a model file/);
    assert.equal((await loadCheckpoint(out)).config.numHiddens, 4);
    await assert.rejects(loadCheckpoint(join(dir, 'none')), /^Error: no such model file: /);
  });
});
