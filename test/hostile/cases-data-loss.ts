// Family 1, data loss: an output that is an input or another output (by the same name, another spelling, a
// symbolic link or a hard link), an output over a file that is not the command's own kind, and the user's files beside
// an output. Each is refused before any work with one line naming both paths; the snapshot proves nothing changed.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Case, dir, file, folder, GOOD, hardlink, LOG, RUN, SMALL, symlink, TEXT } from './fixtures.js';

const d = 'dl-'; // the prefix of this family's files
const textLink = symlink(`${d}text-link.txt`, TEXT);
const textHard = hardlink(`${d}text-hard.txt`, TEXT);
const textSvg = symlink(`${d}text.svg`, TEXT); // an SVG name for the text: --plot and plot --out accept it
const goodCopy = join(dir, `${d}copy.safetensors`); // a checkpoint --out may replace
copyFileSync(GOOD, goodCopy);
const goodLink = symlink(`${d}good-link.safetensors`, GOOD);
const goodHard = hardlink(`${d}good-hard.safetensors`, GOOD);
const goodSvg = symlink(`${d}good.svg`, GOOD);
const copySvg = symlink(`${d}copy.svg`, goodCopy);
const runSvg = symlink(`${d}run.svg`, RUN);
const logSvg = symlink(`${d}log.svg`, LOG);
const logHardSvg = hardlink(`${d}log-hard.svg`, LOG);
const plotFile = file(`${d}plot.svg`, '<svg xmlns="http://www.w3.org/2000/svg"/>');
const plotLink = symlink(`${d}plot-link.svg`, plotFile);
const notes = file(`${d}notes.txt`, 'my notes, not a checkpoint');
const notesSafetensors = file(`${d}notes.safetensors`, 'not a checkpoint either');
// exercises --out DIR writes DIR/report.md: a folder whose report.md is the text (a link, a hard link), or is the input itself
const exLink = folder(`${d}ex-link`);
symlink(`${d}ex-link/report.md`, TEXT);
const exHard = folder(`${d}ex-hard`);
hardlink(`${d}ex-hard/report.md`, TEXT);
const exOwn = folder(`${d}ex-own`);
const exOwnReport = file(`${d}ex-own/report.md`, 'the time machine by h g wells '.repeat(2000));
// the user's files beside an output: none has rnnlm's temp-file form (name.rnnlm-PID-START-8HEX.tmp), so all stay
const keep = ['keep.st.99999.ab.tmp', `${d}fresh.safetensors.99999.ab.tmp`, `${d}fresh.safetensors.rnnlm-99999.tmp`,
  `${d}fresh.safetensors.rnnlm-1-2-zz.tmp`, `${d}fresh.svg.st.1.tmp`, `${d}fresh.safetensorsX.rnnlm-99999-1-abcdef01.tmp`];
for (const name of keep) file(name, 'the user\'s file');
const keepResults = [`${d}results.jsonl.99999.ab.tmp`, `${d}results.jsonl.rnnlm-1.tmp`];
for (const name of keepResults) file(name, 'the user\'s file');

const SAME_INPUT = /are the same file: refusing to overwrite an input/;
const SAME_OUTPUT = /are the same file: give each output its own file/;
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The message naming both files (as given on the command line). */
const both = (a: string, b: string, what = SAME_INPUT): RegExp => new RegExp(`${esc(a)} and ${esc(b)} ${what.source}`);

const userLockOut = join(dir, `${d}m-user.safetensors`);
file(`${d}m-user.safetensors.lock`, 'mine');
const userLockResults = join(dir, `${d}r-user.jsonl`);
file(`${d}r-user.jsonl.lock`, 'mine');

export const DATA_LOSS: Case[] = [
  // rnnlm import: its output is neither of its inputs
  { name: 'import --out equal to --vocab', args: ['import', '--weights', GOOD, '--vocab', TEXT, '--out', TEXT], stderr: new RegExp(`--out ${TEXT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} and --vocab .* are the same file`) },
  { name: 'import --out a symlink to --weights', args: ['import', '--weights', GOOD, '--vocab', TEXT, '--out', goodLink], stderr: /--out .* and --weights .* are the same file/ },
  // a file at the lock's path that rnnlm did not write: left as it is, the run refused
  { name: 'train --out m where m.lock is a user\'s file', args: ['train', ...SMALL, '--data', TEXT, '--out', userLockOut], stderr: /m-user\.safetensors\.lock exists and is not an rnnlm lock \(it begins "mine"\): refusing to remove it/ },
  { name: 'sweep --results r where r.lock is a user\'s file', args: ['sweep', ...SMALL, '--data', TEXT, '--results', userLockResults], stderr: /r-user\.jsonl\.lock exists and is not an rnnlm lock/ },
  // two outputs, one file
  { name: 'train --out m.svg --plot m.svg', args: ['train', ...SMALL, '--data', TEXT, '--out', `${d}m.svg`, '--plot', `${d}m.svg`], stderr: both(`--out ${d}m.svg`, `--plot ${d}m.svg`, SAME_OUTPUT) },
  { name: 'train --out ./m.svg --plot m.svg (another spelling)', args: ['train', ...SMALL, '--data', TEXT, '--out', `./${d}m.svg`, '--plot', `${d}m.svg`], stderr: both(`--out ./${d}m.svg`, `--plot ${d}m.svg`, SAME_OUTPUT) },
  { name: 'train --out folder/../m.svg --plot ABSOLUTE/m.svg', args: ['train', ...SMALL, '--data', TEXT, '--out', `folder/../${d}m.svg`, '--plot', join(dir, `${d}m.svg`)], stderr: SAME_OUTPUT },
  { name: 'train --out a checkpoint --plot a symlink to it', args: ['train', ...SMALL, '--data', TEXT, '--out', goodCopy, '--plot', copySvg], stderr: both(`--out ${goodCopy}`, `--plot ${copySvg}`, SAME_OUTPUT) },
  { name: 'train --out a symlink to a plot --plot the plot', args: ['train', ...SMALL, '--data', TEXT, '--out', plotLink, '--plot', plotFile], stderr: both(`--out ${plotLink}`, `--plot ${plotFile}`, SAME_OUTPUT) },
  { name: 'train --resume RUN --plot a symlink to RUN (saving back to RUN)', args: ['train', '--resume', RUN, '--plot', runSvg], stderr: both(`--out ${RUN}`, `--plot ${runSvg}`, SAME_OUTPUT) },
  // an output that is an input
  { name: 'train --out a symlink to --data', args: ['train', ...SMALL, '--data', TEXT, '--out', textLink], stderr: both(`--out ${textLink}`, `--data ${TEXT}`) },
  { name: 'train --out a hard link of --data', args: ['train', ...SMALL, '--data', TEXT, '--out', textHard], stderr: both(`--out ${textHard}`, `--data ${TEXT}`) },
  { name: 'train --out --data named through a symlink', args: ['train', ...SMALL, '--data', textLink, '--out', TEXT], stderr: both(`--out ${TEXT}`, `--data ${textLink}`) },
  { name: 'train --plot a symlink to --data', args: ['train', ...SMALL, '--data', TEXT, '--plot', textSvg], stderr: both(`--plot ${textSvg}`, `--data ${TEXT}`) },
  { name: 'train --out equal to --init-from', args: ['train', '--init-from', GOOD, '--out', GOOD], stderr: both(`--out ${GOOD}`, `--init-from ${GOOD}`) },
  { name: 'train --out a symlink to --init-from', args: ['train', '--init-from', GOOD, '--out', goodLink], stderr: both(`--out ${goodLink}`, `--init-from ${GOOD}`) },
  { name: 'train --out a hard link of --init-from', args: ['train', '--init-from', GOOD, '--out', goodHard], stderr: both(`--out ${goodHard}`, `--init-from ${GOOD}`) },
  { name: 'train --plot a symlink to --init-from', args: ['train', '--init-from', GOOD, '--plot', goodSvg], stderr: both(`--plot ${goodSvg}`, `--init-from ${GOOD}`) },
  { name: 'train --resume RUN --out the text RUN trained on', args: ['train', '--resume', RUN, '--out', TEXT], stderr: both(`--out ${TEXT}`, `--data ${TEXT}`) },
  { name: 'train --resume RUN --out a symlink to its text', args: ['train', '--resume', RUN, '--out', textLink], stderr: both(`--out ${textLink}`, `--data ${TEXT}`) },
  { name: 'sweep --results equal to --data', args: ['sweep', ...SMALL, '--data', TEXT, '--results', TEXT], stderr: both(`--results ${TEXT}`, `--data ${TEXT}`) },
  { name: 'sweep --results a symlink to --data', args: ['sweep', ...SMALL, '--data', TEXT, '--results', textLink], stderr: both(`--results ${textLink}`, `--data ${TEXT}`) },
  { name: 'sweep --results a hard link of --data', args: ['sweep', ...SMALL, '--data', TEXT, '--results', textHard], stderr: both(`--results ${textHard}`, `--data ${TEXT}`) },
  { name: 'plot --out equal to its input', args: ['plot', logSvg, '--out', logSvg], stderr: both(`--out ${logSvg}`, `RUN.jsonl ${logSvg}`) },
  { name: 'plot --out a symlink to its second input', args: ['plot', LOG, logHardSvg, '--out', logSvg], stderr: /--out .*log\.svg and RUN\.jsonl .* are the same file: refusing to overwrite an input/ },
  { name: 'plot --out a hard link of its input', args: ['plot', LOG, '--out', logHardSvg], stderr: both(`--out ${logHardSvg}`, `RUN.jsonl ${LOG}`) },
  { name: 'exercises --out DIR whose report.md is a symlink to --same-author', args: ['exercises', '--out', exLink, '--same-author', TEXT], stderr: both(`--out ${exLink}/report.md`, `--same-author ${TEXT}`) },
  { name: 'exercises --out DIR whose report.md is a hard link of --other-author', args: ['exercises', '--out', exHard, '--other-author', TEXT], stderr: both(`--out ${exHard}/report.md`, `--other-author ${TEXT}`) },
  { name: 'exercises --out DIR --same-author DIR/report.md', args: ['exercises', '--out', exOwn, '--same-author', exOwnReport], stderr: both(`--out ${exOwn}/report.md`, `--same-author ${exOwnReport}`) },
  // an output over a file that is not the command's own
  { name: 'train --out an existing text file (no --data)', args: ['train', ...SMALL, '--out', notes], stderr: /--out .*notes\.txt exists and is not an rnnlm checkpoint: refusing to overwrite it/ },
  { name: 'train --out an existing .safetensors file that is not a checkpoint', args: ['train', ...SMALL, '--data', TEXT, '--out', notesSafetensors], stderr: /notes\.safetensors exists and is not an rnnlm checkpoint: refusing to overwrite it/ },
  { name: 'train --out the run log', args: ['train', ...SMALL, '--data', TEXT, '--out', LOG], stderr: /run\.jsonl exists and is not an rnnlm checkpoint: refusing to overwrite it/ },
  { name: 'train --out an existing SVG plot', args: ['train', ...SMALL, '--data', TEXT, '--out', plotFile], stderr: /plot\.svg exists and is not an rnnlm checkpoint: refusing to overwrite it/ },
  { name: 'sweep --results a text file that is not a results file', args: ['sweep', ...SMALL, '--data', TEXT, '--results', notes], stderr: /notes\.txt line 1 is not a sweep result \(JSON\); use another --results file/ },
  { name: 'sweep --results the run log', args: ['sweep', ...SMALL, '--data', TEXT, '--results', LOG], stderr: /run\.jsonl line 1 is not a sweep result \(JSON\); use another --results file/ },
  // the user's files beside an output survive a run that writes it
  { name: 'train --out and --plot beside the user\'s *.tmp files (all kept)', args: ['train', ...SMALL, '--data', TEXT, '--out', `${d}fresh.safetensors`, '--plot', `${d}fresh.svg`, '--quiet'],
    stderr: null, code: 0, creates: [`${d}fresh.safetensors`, `${d}fresh.svg`] },
  { name: 'sweep --results beside the user\'s *.tmp files (all kept)', args: ['sweep', ...SMALL, '--data', TEXT, '--results', `${d}results.jsonl`],
    stderr: null, code: 0, creates: [`${d}results.jsonl`] },
].map((c): Case => ({ family: 1, code: 2, ...c }));
