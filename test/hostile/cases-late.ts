// Family 7, late checks: a fault in an output's path, or in an input read late, found only after the work (hours of
// training) would lose it. Each case asks for a long run (--epochs 1000, a grid, the exercises) with a fault, and must
// be refused at once: maxSeconds 5.
import { chmodSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type Case, dir, file, folder, GOOD, isRoot, LOG, RUN, TEXT } from './fixtures.js';

const l = 'late-';
const LONG = ['--epochs', '1000', '--batch-size', '16', '--num-steps', '8', '--num-hiddens', '8', '--num-train', '100', '--num-val', '20'];
const notFolder = file(`${l}file.txt`, 'a file, not a folder');
const other = file(`${l}other.txt`, 'the war of the worlds by h g wells '.repeat(2000)); // not the run's text
// an interpreter that never answers: bench must refuse a bad flag before it asks it whether it imports torch
const slowPython = file(`${l}slow-python`, '#!/bin/sh\nexec sleep 30\n');
chmodSync(slowPython, 0o755);
// 2 MB of text, scored 20 times (seconds) unless a bad file after them is refused first
const twoMB = file(`${l}two-mb.txt`, 'the time machine by h g wells '.repeat(70_000));
const twenty = Array.from({ length: 20 }, () => twoMB);
// a folder that cannot be written (meaningless for root, who writes anywhere: that case is left out there)
const locked = folder(`${l}locked`);
if (!isRoot) chmodSync(locked, 0o555);

export const LATE_CHECKS: Case[] = [
  { name: 'exercises --out under a regular file', args: ['exercises', '--out', join(notFolder, 'sub')], stderr: /--out .*late-file\.txt\/sub\/report\.md: .*late-file\.txt is not a folder/ },
  { name: 'exercises --out a regular file', args: ['exercises', '--out', notFolder], stderr: /--out .*late-file\.txt\/report\.md: .*late-file\.txt is not a folder/ },
  { name: 'exercises --out a missing folder --same-author a missing file', args: ['exercises', '--out', join(dir, `${l}ex`), '--same-author', join(dir, 'none.txt')], stderr: /no such file: .*none\.txt/ },
  { name: 'sweep --results in a missing folder (a grid of 4 runs of 1000 epochs)', args: ['sweep', ...LONG, '--lr', '1,2', '--clip', '1,2', '--data', TEXT, '--results', join(dir, 'none', 'r.jsonl')],
    stderr: /--results .*none\/r\.jsonl: the folder .*none does not exist/ },
  { name: 'sweep --results under a regular file', args: ['sweep', ...LONG, '--lr', '1,2', '--data', TEXT, '--results', join(notFolder, 'r.jsonl')], stderr: /--results .*late-file\.txt\/r\.jsonl: .*late-file\.txt is not a folder/ },
  { name: 'sweep --out in a missing folder (a grid of 2 runs of 1000 epochs)', args: ['sweep', ...LONG, '--lr', '1,2', '--data', TEXT, '--results', join(dir, `${l}out-r.jsonl`), '--out', join(dir, 'none', 'm.safetensors')],
    stderr: /--out .*none\/m\.safetensors: the folder .*none does not exist/ },
  { name: 'sweep --out under a regular file', args: ['sweep', ...LONG, '--lr', '1,2', '--data', TEXT, '--results', join(dir, `${l}out-r2.jsonl`), '--out', join(notFolder, 'm.safetensors')],
    stderr: /--out .*: .*late-file\.txt is not a folder/ },
  { name: 'sweep --data a missing file with a grid', args: ['sweep', ...LONG, '--lr', '1,2', '--data', join(dir, 'none.txt'), '--results', join(dir, `${l}r.jsonl`)], stderr: /no such file: .*none\.txt/ },
  { name: 'train --plot in a missing folder --epochs 1000', args: ['train', ...LONG, '--data', TEXT, '--plot', join(dir, 'none', 'p.svg')], stderr: /--plot .*none\/p\.svg: the folder .*none does not exist/ },
  { name: 'train --plot under a regular file --epochs 1000', args: ['train', ...LONG, '--data', TEXT, '--plot', join(notFolder, 'p.svg')], stderr: /--plot .*: .*late-file\.txt is not a folder/ },
  { name: 'train --plot not SVG --epochs 1000', args: ['train', ...LONG, '--data', TEXT, '--plot', join(dir, `${l}p.png`)], stderr: /--plot writes SVG: give a file ending in \.svg/ },
  { name: 'train --out in a missing folder --epochs 1000', args: ['train', ...LONG, '--data', TEXT, '--out', join(dir, 'none', 'm.safetensors')], stderr: /--out .*none\/m\.safetensors: the folder .*none does not exist/ },
  { name: 'train --out under a regular file --epochs 1000', args: ['train', ...LONG, '--data', TEXT, '--out', join(notFolder, 'm.safetensors')], stderr: /--out .*: .*late-file\.txt is not a folder/ },
  { name: 'train --out an existing non-checkpoint --epochs 1000', args: ['train', ...LONG, '--data', TEXT, '--out', notFolder], stderr: /exists and is not an rnnlm checkpoint: refusing to overwrite it/ },
  { name: 'train --resume RUN --epochs 1000 --data another text', args: ['train', '--resume', RUN, '--epochs', '1000', '--data', other], stderr: /late-other\.txt is not the text this run read \(its sha1 differs\)/ },
  { name: 'train --resume RUN --epochs 1000 --plot in a missing folder', args: ['train', '--resume', RUN, '--epochs', '1000', '--plot', join(dir, 'none', 'p.svg')], stderr: /--plot .*: the folder .*none does not exist/ },
  { name: 'train --init-from GOOD --epochs 1000 --text raw', args: ['train', '--init-from', GOOD, ...LONG, '--data', TEXT, '--text', 'raw'], stderr: /--init-from starts from .*good\.safetensors's model: its .*text cannot change/ },
  { name: 'plot --out equal to its input', args: ['plot', LOG, '--out', LOG], stderr: /the plot is written as SVG: give a file ending in \.svg, not .*run\.jsonl/ },
  { name: 'plot --out in a missing folder', args: ['plot', LOG, '--out', join(dir, 'none', 'p.svg')], stderr: /--out .*none\/p\.svg: the folder .*none does not exist/ },
  // every flag value checked before any probing: PyTorch's interpreter is not started for a value that is refused
  { name: 'bench --engines foo (before PyTorch is probed)', args: ['bench', '--python', slowPython, '--engines', 'foo'], stderr: /--engines must be one of rnnlm, rnnlm-concise, torch, torch-concise, got 'foo'/ },
  { name: 'bench --engines rnnlm,torch,foo (before PyTorch is probed)', args: ['bench', '--python', slowPython, '--engines', 'rnnlm,torch,foo'], stderr: /--engines must be one of .*, got 'foo'/ },
  // bench's text and windows, given to both engines: every value, and the text itself, checked before PyTorch is probed
  ...([
    [['--batch-size', '0'], /--batch-size must be at least 1, got '0'/], [['--num-steps', '1e6'], /--num-steps must be at most 100000, got '1e6'/],
    [['--num-train', '0'], /--num-train must be at least 1, got '0'/], [['--num-val', '-1'], /--num-val must be at least 0, got '-1'/],
    [['--lr', '0'], /--lr must be greater than 0, got '0'/], [['--text', 'words'], /--text must be one of book, raw, got 'words'/],
    [['--data', TEXT, '--vocabs', '28,5000'], /--vocabs 5000 trains on a synthetic text and --data names the text: give one of them/],
    [['--data', join(dir, 'none.txt')], /no such file: .*none\.txt/], [['--data', notFolder, '--text', 'raw'], /late-file\.txt is too short: its 20 characters \(raw text\) give 0 windows of 33, but --num-train \+ --num-val = 15000/],
    [['--data', TEXT, '--num-train', '1e6', '--num-val', '0'], /text\.txt is too short: its 60000 characters \(book text\) give 59968 windows of 33, but --num-train \+ --num-val = 1000000/],
    [['--data', '/usr/bin/ls'], /looks like a binary file/],
    [['--threads', '1,0'], /--threads must be at least 1, got '0'/], [['--threads', '2,1e9'], /--threads must be at most \d+, got '1e9'/],
  ] as [string[], RegExp][]).map(([flags, stderr]): Case => ({ family: 7, code: 2, name: `bench ${flags.map((f) => (f.startsWith(dir) ? basename(f) : f)).join(' ')} (before PyTorch is probed)`,
    args: ['bench', '--python', slowPython, '--epochs', '1000', ...flags], stderr, noStdout: true })),
  // every input file of eval checked before any is scored (nothing printed, no time spent on the files before it)
  { name: 'eval twenty 2 MB files then a missing one', args: ['eval', '--model', RUN, ...twenty, join(dir, 'none.txt')], stderr: /no such file: .*none\.txt/, noStdout: true },
  { name: 'eval twenty 2 MB files then a folder', args: ['eval', '--model', RUN, ...twenty, folder(`${l}eval-folder`)], stderr: /late-eval-folder is not a regular file \(a folder\)/, noStdout: true },
  { name: 'eval twenty 2 MB files then a binary file', args: ['eval', '--model', RUN, ...twenty, '/usr/bin/ls'], stderr: /looks like a binary file/, noStdout: true },
  { name: 'eval --json twenty 2 MB files then a missing one', args: ['eval', '--json', '--model', RUN, ...twenty, join(dir, 'none.txt')], stderr: /no such file: .*none\.txt/, noStdout: true },
  ...(isRoot ? [] : [
    { name: 'train --out in a folder that is not writable --epochs 1000', args: ['train', ...LONG, '--data', TEXT, '--out', join(locked, 'm.safetensors')], stderr: /--out .*: the folder .*late-locked is not writable/ },
    { name: 'sweep --results in a folder that is not writable', args: ['sweep', ...LONG, '--lr', '1,2', '--data', TEXT, '--results', join(locked, 'r.jsonl')], stderr: /--results .*: the folder .*late-locked is not writable/ },
  ]),
].map((c): Case => ({ family: 7, code: 2, maxSeconds: 5, ...c }));
