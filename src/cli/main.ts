#!/usr/bin/env node
// The rnnlm command: dispatches to one file per command. A thin shell over the library.
import { readFileSync } from 'node:fs';
import { CommandError } from './args.js';
import { benchCommand, BENCH_HELP } from './bench.js';
import { generateCommand, GENERATE_HELP } from './generate.js';
import { evalCommand, EVAL_HELP, scoreCommand, SCORE_HELP } from './score.js';
import { sweepCommand, SWEEP_HELP } from './sweep.js';
import { plotCommand, PLOT_HELP } from './plot.js';
import { exercisesCommand, EXERCISES_HELP } from './exercises.js';
import { trainCommand, TRAIN_HELP } from './train.js';

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
  bench       time the book's run against D2L's PyTorch code on this machine

Options:
  -h, --help     show this help (rnnlm <command> --help for a command's options)
  -v, --version  print the version

Examples:
  rnnlm train --out tm.safetensors
  rnnlm generate --model tm.safetensors --prefix "the time traveller" --len 100
`;

const COMMANDS: Record<string, { run: (argv: string[], print: (line: string) => void) => Promise<void>; help: string }> = {
  train: { run: trainCommand, help: TRAIN_HELP },
  generate: { run: generateCommand, help: GENERATE_HELP },
  score: { run: scoreCommand, help: SCORE_HELP },
  eval: { run: evalCommand, help: EVAL_HELP },
  sweep: { run: sweepCommand, help: SWEEP_HELP },
  plot: { run: plotCommand, help: PLOT_HELP },
  exercises: { run: exercisesCommand, help: EXERCISES_HELP },
  bench: { run: benchCommand, help: BENCH_HELP },
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
    process.stderr.write(`rnnlm: unknown command '${command}' (commands: ${Object.keys(COMMANDS).join(', ')}; see rnnlm --help)\n`);
    return 2;
  }
  try {
    await entry.run(rest, print);
    return 0;
  } catch (e) {
    // Every failure is one line; RNNLM_DEBUG=1 shows the stack for bug reports.
    if (process.env['RNNLM_DEBUG']) console.error(e);
    process.stderr.write(`rnnlm ${command}: ${e instanceof Error ? e.message : String(e)}\n`);
    return e instanceof CommandError ? e.exitCode : 2;
  }
}

// A closed pipe (rnnlm train | head) ends the command quietly, as Unix tools do; any other output error (a full disk,
// /dev/full) is one line and exit code 1, never a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  process.stderr.write(`rnnlm: cannot write the output: ${e.code ?? e.message}\n`);
  process.exit(1);
});
process.exitCode = await main(process.argv.slice(2));
