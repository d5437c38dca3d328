// rnnlm exercises: runs the experiments behind D2L 9.5's exercises and writes DIR/report.md.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { selectBackend } from '../node/select-backend.js';
import { writeFileAtomic } from '../node/durable-write.js';
import { checkFilePlan, type PlannedFile } from '../node/file-plan.js';
import { dataFilePath, loadTextFile, loadTimeMachineText } from '../node/load.js';
import { runExercises } from '../exercises/report.js';
import { nodeParallel } from '../node/train-run.js';
import { UsageError } from './args.js';
import { notice } from './terminal.js';
import { commandHelp, parseCommand, type CommandSpec } from './command.js';
import { DEFAULT_THREADS, REPLICA_THREADS } from './common-options.js';
import type { Schema } from '../util/schema.js';

/** The two other books of the exercises, as in rnnlm's data mirror (Project Gutenberg #36 and #84). */
export const OTHER_BOOKS = {
  sameAuthor: { name: 'The War of the Worlds (H. G. Wells)', file: 'war-of-the-worlds.txt', sha1: 'fdf575eff02987ac9da1ca5623679883b38cdfdd' },
  otherAuthor: { name: 'Frankenstein (Mary Shelley)', file: 'frankenstein.txt', sha1: '5e8a5f8edfab20feccfd99aee42ccab03b0513bb' },
} as const;

export const EXERCISES_COMMAND = {
  usage: 'rnnlm exercises --out DIR [--full] [--same-author FILE] [--other-author FILE] [--threads N]',
  description: `Runs the experiments behind each exercise of D2L section 9.5 and writes DIR/report.md: per exercise the question,
the experiment, the measured numbers and a plain answer, with a summary table first.`,
  options: {
    out: { kind: 'string', meta: 'DIR', nonEmpty: true, help: 'where report.md goes (created if missing); required' },
    full: { kind: 'boolean', default: false, help: "the book's 100 epochs per run (default: 60 epochs, about 2 minutes on 2 cores)" },
    sameAuthor: { kind: 'string', meta: 'FILE', nonEmpty: true, help: 'another book by H. G. Wells (default: war-of-the-worlds.txt from $RNNLM_DATA_URL)' },
    otherAuthor: { kind: 'string', meta: 'FILE', nonEmpty: true, help: 'a book by another author (default: frankenstein.txt from $RNNLM_DATA_URL)' },
    ...REPLICA_THREADS,
  },
} as const satisfies CommandSpec<Schema>;

export const EXERCISES_HELP = commandHelp(EXERCISES_COMMAND);

async function book(path: string | undefined, which: (typeof OTHER_BOOKS)[keyof typeof OTHER_BOOKS], flag: string): Promise<{ name: string; text: string }> {
  if (path !== undefined) return { name: path, text: await loadTextFile(path) };
  try {
    return { name: which.name, text: await loadTextFile(await dataFilePath(which)) };
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split(';')[0]}; pass ${flag} FILE (a Project Gutenberg text)`);
  }
}

export async function exercisesCommand(argv: string[], print: (line: string) => void): Promise<void> {
  const { values: flags, help } = parseCommand(EXERCISES_COMMAND, argv);
  if (help) return print(EXERCISES_HELP);
  const out = flags.out;
  if (out === undefined) throw new UsageError('exercises needs --out DIR');
  const threads = flags.threads ?? DEFAULT_THREADS;
  const path = join(out, 'report.md');
  // checked before an hour of runs, not after: the report's folder can be made and written, the report is no input
  await checkFilePlan({
    inputs: [{ flag: '--same-author', path: flags.sameAuthor }, { flag: '--other-author', path: flags.otherAuthor }].filter((f): f is PlannedFile => f.path !== undefined),
    outputs: [{ flag: '--out', path, createsFolder: true }],
  });
  const backend = await selectBackend('auto', notice);
  const [timeMachine, sameAuthor, otherAuthor] = await Promise.all([loadTimeMachineText(),
    book(flags.sameAuthor, OTHER_BOOKS.sameAuthor, '--same-author'), book(flags.otherAuthor, OTHER_BOOKS.otherAuthor, '--other-author')]);
  const t0 = performance.now();
  print(`rnnlm exercises: ${flags['full'] ? 'full' : 'quick'} budget, ${backend.name} backend, ${threads} thread(s)`);
  const report = await runExercises({ timeMachine, sameAuthor, otherAuthor, budget: flags['full'] ? 'full' : 'quick', threads, parallel: nodeParallel(), progress: print });
  await mkdir(out, { recursive: true });
  await writeFileAtomic(path, report);
  print(`wrote ${path} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
