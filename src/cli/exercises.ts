// rnnlm exercises: runs the experiments behind D2L 9.5's exercises and writes DIR/report.md.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { selectBackend } from '../backend/select.js';
import { writeFileAtomic } from '../data/download.js';
import { dataFilePath, loadTextFile, loadTimeMachineText } from '../data/load.js';
import { runExercises } from '../exercises/report.js';
import { parseFlags, positiveInt, stringFlag, UsageError } from './args.js';
import { DEFAULT_THREADS } from './train.js';

/** The two other books of the exercises, as in rnnlm's data mirror (Project Gutenberg #36 and #84). */
export const OTHER_BOOKS = {
  sameAuthor: { name: 'The War of the Worlds (H. G. Wells)', file: 'war-of-the-worlds.txt', sha1: 'fdf575eff02987ac9da1ca5623679883b38cdfdd' },
  otherAuthor: { name: 'Frankenstein (Mary Shelley)', file: 'frankenstein.txt', sha1: '5e8a5f8edfab20feccfd99aee42ccab03b0513bb' },
} as const;

export const EXERCISES_HELP = `Usage: rnnlm exercises --out DIR [--full] [--same-author FILE] [--other-author FILE] [--threads N]

Runs the experiments behind each exercise of D2L section 9.5 and writes DIR/report.md: per exercise the question,
the experiment, the measured numbers and a plain answer, with a summary table first.

Options:
  --out DIR            where report.md goes (created if missing)
  --full               the book's 100 epochs per run (default: 60 epochs, about 2 minutes on 2 cores)
  --same-author FILE   another book by H. G. Wells (default: war-of-the-worlds.txt from ${'$'}RNNLM_DATA_URL)
  --other-author FILE  a book by another author (default: frankenstein.txt from ${'$'}RNNLM_DATA_URL)
  --threads N          threads per training run (default ${DEFAULT_THREADS})
  -h, --help           show this help
`;

const OPTIONS = {
  out: { type: 'string' }, full: { type: 'boolean' }, 'same-author': { type: 'string' }, 'other-author': { type: 'string' },
  threads: { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

async function book(path: string | undefined, which: (typeof OTHER_BOOKS)[keyof typeof OTHER_BOOKS], flag: string): Promise<{ name: string; text: string }> {
  if (path !== undefined) return { name: path, text: await loadTextFile(path) };
  try {
    return { name: which.name, text: await loadTextFile(await dataFilePath(which)) };
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split(';')[0]}; pass ${flag} FILE (a Project Gutenberg text)`);
  }
}

export async function exercisesCommand(argv: string[], print: (line: string) => void): Promise<void> {
  const { flags } = parseFlags(argv, OPTIONS);
  if (flags['help']) return print(EXERCISES_HELP.trimEnd());
  const out = stringFlag(flags, 'out');
  if (out === undefined) throw new UsageError('exercises needs --out DIR');
  const threads = positiveInt(flags, 'threads', DEFAULT_THREADS);
  const backend = await selectBackend('auto', (m) => process.stderr.write(`rnnlm: ${m}\n`));
  const [timeMachine, sameAuthor, otherAuthor] = await Promise.all([loadTimeMachineText(),
    book(stringFlag(flags, 'same-author'), OTHER_BOOKS.sameAuthor, '--same-author'), book(stringFlag(flags, 'other-author'), OTHER_BOOKS.otherAuthor, '--other-author')]);
  const t0 = performance.now();
  print(`rnnlm exercises: ${flags['full'] ? 'full' : 'quick'} budget, ${backend.name} backend, ${threads} thread(s)`);
  const report = await runExercises({ timeMachine, sameAuthor, otherAuthor, budget: flags['full'] ? 'full' : 'quick', threads, progress: print });
  await mkdir(out, { recursive: true });
  const path = join(out, 'report.md');
  await writeFileAtomic(path, report);
  print(`wrote ${path} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
