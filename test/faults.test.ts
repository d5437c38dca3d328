// Fault injection: a full disk (ENOSPC) under the files rnnlm writes, and stop signals (SIGINT, SIGTERM, SIGHUP)
// that arrive while a checkpoint or a sweep result is being written. Whatever happens, every file is whole (the old
// one or the new one, loadable), no lock and no temp file is left, and the exit code says what happened (1 for a write
// the disk refused, 128 + the signal for a stop).
//
// The full disk is real: a small tmpfs mounted in a private mount namespace (`unshare -rm`: a user namespace maps the
// caller to root inside, so no privilege is needed outside), with the commands run inside it and the disk's files
// copied out for the checks. Where the kernel allows no namespaces, those tests are skipped and say so.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, tempDir } from './helpers.js';
import { loadCheckpoint } from '../src/node/checkpoint-file.js';

const SIZES = ['--batch-size', '32', '--num-steps', '8', '--num-train', '100', '--num-val', '20'];
const SMALL = [...SIZES, '--quiet'];

/** Whether this machine lets an unprivileged process mount a tmpfs in its own namespace. */
const CAN_MOUNT = ((): boolean => {
  const dir = tempDir();
  return spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs "$0"', dir]).status === 0;
})();
const NO_MOUNT = CAN_MOUNT ? false : 'this kernel lets no process mount a tmpfs in a private namespace (unshare -rm)';

interface Step {
  code: number;
  stderr: string;
}

/**
 * Runs a bash script inside a fresh tmpfs of sizeKiB, with `rnnlm` a function running this build and `step NAME cmd`
 * recording a command's exit code and stderr. Returns the steps and the folder the disk's files were copied to.
 */
function onTinyDisk(sizeKiB: number, script: string): { steps: Record<string, Step>; after: string } {
  const root = tempDir();
  const [disk, after, log] = ['disk', 'after', 'log'].map((n) => join(root, n)) as [string, string, string];
  for (const d of [disk, after, log]) mkdirSync(d);
  const full = `set -u
mount -t tmpfs -o size=${sizeKiB}k tmpfs "$DISK" || exit 99
cd "$DISK"
rnnlm() { "$NODE" "$BIN" "$@"; }
step() { local name=$1; shift; "$@" >"$LOG/$name.out" 2>"$LOG/$name.err"; echo $? >"$LOG/$name.code"; }
# fills the disk to its last page, then frees pages (each file takes whole 4 KiB pages)
fill() { dd if=/dev/zero of=filler bs=4k 2>/dev/null; truncate -s "-$(( $1 * 4 ))k" filler; }
${script}
cp -a "$DISK/." "$AFTER/"
`;
  const r = spawnSync('unshare', ['-rm', 'bash', '-c', full], {
    env: { ...process.env, DISK: disk, AFTER: after, LOG: log, NODE: process.execPath, BIN }, encoding: 'utf8', timeout: 60_000,
  });
  assert.equal(r.status, 0, `the script failed (${r.status}): ${r.stderr}`);
  const steps: Record<string, Step> = {};
  for (const name of readdirSync(log).filter((n) => n.endsWith('.code')).map((n) => n.slice(0, -5))) {
    steps[name] = { code: Number(readFileSync(join(log, `${name}.code`), 'utf8')), stderr: readFileSync(join(log, `${name}.err`), 'utf8') };
  }
  return { steps, after };
}

/** Nothing of a write in progress is left: no temp file, no lock. */
function noLeftovers(dir: string): void {
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp') || n.endsWith('.lock')), []);
}

/** The one line a failed step printed (the data-download notice aside: the tests read the local mirror). */
function oneLine(step: Step): string {
  const lines = step.stderr.split('\n').filter((l) => l !== '' && !l.includes('cannot download'));
  assert.equal(lines.length, 1, step.stderr);
  return lines[0]!;
}

describe('a full disk (ENOSPC)', { skip: NO_MOUNT }, () => {
  it('train: the checkpoint of the last good epoch stays whole and loadable; exit code 1, no temp or lock left', async () => {
    // a 200-unit model's checkpoint is 203 KB: the first save fits on 400 KiB, the next needs the old file and its
    // replacement side by side (406 KB) and does not
    const { steps, after } = onTinyDisk(400, `
step first rnnlm train --epochs 1 --num-hiddens 200 ${SMALL.join(' ')} --out m.safetensors
sha1sum m.safetensors > "$LOG/before.sha1"
step resume rnnlm train --resume m.safetensors --epochs 3 --quiet
sha1sum m.safetensors > "$LOG/after.sha1"
cp "$LOG/before.sha1" "$AFTER/../before.sha1"; cp "$LOG/after.sha1" "$AFTER/../after.sha1"`);
    assert.equal(steps['first']!.code, 0, steps['first']!.stderr);
    assert.equal(steps['resume']!.code, 1, steps['resume']!.stderr);
    assert.equal(oneLine(steps['resume']!), 'rnnlm train: cannot save the model to m.safetensors (ENOSPC: the disk is full); m.safetensors holds the checkpoint of epoch 1');
    assert.equal(readFileSync(join(after, '..', 'after.sha1'), 'utf8'), readFileSync(join(after, '..', 'before.sha1'), 'utf8'), 'the checkpoint did not change');
    assert.equal((await loadCheckpoint(join(after, 'm.safetensors'))).training?.epoch, 1);
    noLeftovers(after);
  });

  it('plot: the existing plot stays as it was; exit code 1, no temp left', () => {
    const { steps, after } = onTinyDisk(256, `
rnnlm train --epochs 2 --num-hiddens 8 ${SIZES.join(' ')} --json > run.jsonl
step first rnnlm plot --out p.svg run.jsonl
cp p.svg "$AFTER/../p.before.svg"
fill 0
step full rnnlm plot --out p.svg --title again run.jsonl
rm filler`);
    assert.equal(steps['first']!.code, 0, steps['first']!.stderr);
    assert.equal(steps['full']!.code, 1, steps['full']!.stderr);
    assert.equal(oneLine(steps['full']!), 'rnnlm plot: cannot write p.svg (ENOSPC: the disk is full)');
    assert.deepEqual(readFileSync(join(after, 'p.svg')), readFileSync(join(after, '..', 'p.before.svg')));
    noLeftovers(after);
  });

  it('sweep: an append the disk refuses part way is cut back, so the results file has no torn line; exit code 1', () => {
    // the results file is padded (blank lines, which a reader skips) to 5 bytes short of a page, and the disk keeps
    // one free page, which the sweep's lock takes: the next result's first 5 bytes fit, the rest does not
    const { steps, after } = onTinyDisk(256, `
step first rnnlm sweep --epochs 1 --num-hiddens 8 ${SIZES.join(' ')} --results r.jsonl
size=$(stat -c %s r.jsonl); head -c $(( 4096 - 5 - size % 4096 )) /dev/zero | tr '\\0' '\\n' >> r.jsonl
cp r.jsonl "$AFTER/../r.before.jsonl"
fill 1
step full rnnlm sweep --epochs 1 --num-hiddens 8,9 ${SIZES.join(' ')} --results r.jsonl
rm filler`);
    assert.equal(steps['first']!.code, 0, steps['first']!.stderr);
    assert.equal(steps['full']!.code, 1, steps['full']!.stderr);
    assert.match(oneLine(steps['full']!), /^rnnlm sweep: cannot write .*r\.jsonl \(ENOSPC: the disk is full\)$/);
    const before = readFileSync(join(after, '..', 'r.before.jsonl'));
    assert.equal(before.length % 4096, 4091);
    assert.deepEqual(readFileSync(join(after, 'r.jsonl')), before, 'the results file is byte for byte what it was');
    noLeftovers(after);
  });
});

/** Runs rnnlm; sends `signal` the first time onEvent says so; resolves with the exit code and stderr. */
function runUntil(args: string[], cwd: string, signal: NodeJS.Signals, arm: (send: () => boolean) => () => void): Promise<Step & { sentDuringWrite: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: process.env });
    let stderr = '';
    let sent = false;
    let sentDuringWrite = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const disarm = arm(() => {
      if (sent) return false;
      sent = child.kill(signal);
      // the write was still under way when the signal left: its temp file (or the changed file) was there
      sentDuringWrite = readdirSync(cwd).some((n) => n.endsWith('.tmp'));
      return sent;
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      disarm();
      resolve({ code: code ?? -1, stderr, sentDuringWrite });
    });
  });
}

const SIGNALS = [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const;

describe('stop signals during writes', { timeout: 180_000 }, () => {
  for (const [signal, code] of SIGNALS) {
    it(`${signal} while a checkpoint is written: exit ${code}, the file loads and holds the epoch the message names, no lock or temp`, async () => {
      const dir = tempDir();
      // 600 hidden units: a 1.5 MB checkpoint, written (and fsynced) after every epoch
      const args = ['train', '--epochs', '1000', '--num-hiddens', '600', '--threads', '1', ...SMALL, '--out', 'm.safetensors'];
      // the signal leaves the moment the writer's temp file appears beside the checkpoint, on the second save (the
      // lock's own temp, m.safetensors.lock.rnnlm-*.tmp, is not one)
      const temps = new Set<string>();
      const run = await runUntil(args, dir, signal, (send) => {
        const watcher = watch(dir, (_event, name) => {
          if (name?.startsWith('m.safetensors.rnnlm-') && name.endsWith('.tmp') && existsSync(join(dir, name)) && temps.add(name).size >= 2) send();
        });
        return () => watcher.close();
      });
      assert.equal(run.code, code, run.stderr);
      const m = new RegExp(`^rnnlm train: interrupted \\(${signal}\\) during epoch (\\d+); m\\.safetensors holds the checkpoint of epoch (\\d+)\\n$`).exec(run.stderr);
      assert.ok(m, run.stderr);
      const checkpoint = await loadCheckpoint(join(dir, 'm.safetensors'));
      assert.equal(checkpoint.training?.epoch, Number(m[2]), 'the file holds the epoch the message names');
      assert.ok(Number(m[2]) >= 1);
      noLeftovers(dir);
      if (!run.sentDuringWrite) console.log(`# ${signal}: the write had finished when the signal was sent (a fast disk); the run still stopped cleanly`);
    });
  }

  for (const [signal, code] of SIGNALS) {
    it(`${signal} while a sweep appends a result: exit ${code}, every line of the results file is a whole result, no lock`, async () => {
      const dir = tempDir();
      const results = join(dir, 'r.jsonl');
      writeFileSync(results, '');
      const args = ['sweep', '--epochs', '1', '--num-hiddens', '4,5,6,7,8,9,10,11', ...SIZES, '--results', 'r.jsonl'];
      // the signal leaves when the results file changes: the append of a run's result is under way or just done
      const run = await runUntil(args, dir, signal, (send) => {
        const watcher = watch(results, () => send());
        return () => watcher.close();
      });
      assert.equal(run.code, code, run.stderr);
      const m = new RegExp(`^rnnlm sweep: interrupted \\(${signal}\\) (during|after) run (\\d+) of 8; r\\.jsonl holds the runs finished (before it|so far)\\n$`).exec(run.stderr);
      assert.ok(m, run.stderr);
      const lines = readFileSync(results, 'utf8').split('\n').filter((l) => l !== '');
      for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), line);
      assert.equal(lines.length, m[1] === 'after' ? Number(m[2]) : Number(m[2]) - 1, 'the file holds exactly the runs the message names');
      assert.ok(lines.length >= 1 && lines.length < 8, `stopped part way (${lines.length} results)`);
      noLeftovers(dir);
    });
  }
});
