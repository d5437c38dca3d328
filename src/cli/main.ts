#!/usr/bin/env node
// The rnnlm command: dispatches to one file per command. A thin shell over the library.
import { readFileSync } from 'node:fs';
import { CommandError } from './args.js';
import { isWriteError } from '../node/durable-write.js';
import { handleStopSignals } from '../node/signals.js';
import { oneLine } from './terminal.js';
import { benchCommand, BENCH_HELP } from './bench.js';
import { generateCommand, GENERATE_HELP } from './generate.js';
import { evalCommand, EVAL_HELP, scoreCommand, SCORE_HELP } from './score.js';
import { sweepCommand, SWEEP_HELP } from './sweep.js';
import { plotCommand, PLOT_HELP } from './plot.js';
import { exercisesCommand, EXERCISES_HELP } from './exercises.js';
import { trainCommand, TRAIN_HELP } from './train.js';
import { importCommand, IMPORT_HELP } from './import.js';
import { buildNativeCommand, BUILD_NATIVE_HELP } from './build-native.js';

const HELP = `Usage: rnnlm <command> [options]

Character-level recurrent neural network language models, from scratch (D2L section 9.5).

Commands:
  train       train the book's model (defaults: The Time Machine, 100 epochs, batch 1024, 32 steps, 32 hidden)
  generate    continue a prefix with a trained model (greedy, or sampled)
  score       log-probability, perplexity and bits per character of a string
  eval        perplexity of a trained model on other texts (books)
  sweep       train a grid of hyperparameters and rank them by validation perplexity
  plot        draw the perplexity curves of earlier runs (rnnlm train --json) as SVG
  exercises   run the experiments behind D2L 9.5's exercises and write a report
  bench       time training against D2L's PyTorch code on this machine (the book's runs, or any text and sizes)
  import      turn a PyTorch language model (safetensors) into an rnnlm checkpoint
  build-native compile the native kernels on this machine (where none are prebuilt: linux-x64's ship with rnnlm)

Options:
  -h, --help     show this help (rnnlm <command> --help for a command's options)
  -v, --version  print the version

Examples:
  rnnlm train --out tm.safetensors
  rnnlm generate --model tm.safetensors --prefix "the time traveller" --len 100
`;

/**
 * Each command, and whether it is a filter: a filter's output is read for as long as its reader wants (generate |
 * head), so a closed pipe ends it quietly with 0; for the others the output is the run's record (train, sweep,
 * exercises), and a closed pipe that cut the run short is an error.
 */
const COMMANDS: Record<string, { run: (argv: string[], print: (line: string) => void) => Promise<void>; help: string; filter?: boolean }> = {
  train: { run: trainCommand, help: TRAIN_HELP },
  generate: { run: generateCommand, help: GENERATE_HELP, filter: true },
  score: { run: scoreCommand, help: SCORE_HELP, filter: true },
  eval: { run: evalCommand, help: EVAL_HELP, filter: true },
  sweep: { run: sweepCommand, help: SWEEP_HELP },
  plot: { run: plotCommand, help: PLOT_HELP },
  exercises: { run: exercisesCommand, help: EXERCISES_HELP },
  bench: { run: benchCommand, help: BENCH_HELP },
  import: { run: importCommand, help: IMPORT_HELP },
  'build-native': { run: buildNativeCommand, help: BUILD_NATIVE_HELP },
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  const print = (line: string): void => void process.stdout.write(line + '\n');
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    print(HELP.trimEnd());
    return command === undefined ? 2 : 0;
  }
  if (command === '-v' || command === '--version') {
    print(version());
    return 0;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    process.stderr.write(`rnnlm: unknown command '${oneLine(command)}' (commands: ${Object.keys(COMMANDS).join(', ')}; see rnnlm --help)\n`);
    return 2;
  }
  running = { name: command, filter: entry.filter === true };
  handleStopSignals(`rnnlm ${command}`);
  try {
    await entry.run(rest, print);
    return 0;
  } catch (e) {
    // Every failure is one line; RNNLM_DEBUG=1 shows the stack for bug reports.
    if (process.env['RNNLM_DEBUG']) console.error(e);
    // the one place errors reach the terminal: escaped to one line, whatever user text the message carries
    process.stderr.write(`rnnlm ${command}: ${oneLine(e instanceof Error ? e.message : String(e))}\n`);
    // a write the disk refused (full, quota, read-only) is not bad input: 1, as the exit codes' table says
    return e instanceof CommandError ? e.exitCode : isWriteError(e) ? 1 : 2;
  }
}

/** The command running, for the output's error handler. */
let running: { name: string; filter: boolean } | null = null;

/** The exit code of a command whose reader closed the pipe: 128 + SIGPIPE, as a shell reports it. */
const CLOSED_PIPE_EXIT = 141;

// A closed pipe ends a filter quietly, as Unix tools do (rnnlm generate | head); a command whose output is its record
// (rnnlm train | head -1) says that the run was cut short and exits 141. Any other output error (a full disk,
// /dev/full) is one line and exit code 1, never a stack trace. Exiting runs the 'exit' hooks: locks released, temps
// removed; the last completed epoch stays in --out.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') {
    if (running === null || running.filter) process.exit(0);
    process.stderr.write(`rnnlm ${running.name}: the output was closed (EPIPE): the run was cut short\n`);
    process.exit(CLOSED_PIPE_EXIT);
  }
  process.stderr.write(`rnnlm: cannot write the output: ${oneLine(e.code ?? e.message)}\n`);
  process.exit(1);
});
process.exitCode = await main(process.argv.slice(2));
