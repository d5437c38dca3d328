// rnnlm plot: the perplexity figure from the JSON lines of earlier `rnnlm train --json` runs, several runs on one chart.
import { basename } from 'node:path';
import { writeFileAtomic } from '../node/durable-write.js';
import { checkFilePlan } from '../node/file-plan.js';
import { readLines } from '../node/files.js';
import { addEpoch, MAX_CURVE_POINTS, perplexityChart, runSeries, type ChartOptions, type RunCurve, type RunSeries } from '../plot/chart.js';
import type { EpochStats } from '../train/run/trainer.js';
import { UsageError } from './args.js';
import { commandHelp, parseCommand, type CommandSpec } from './command.js';
import type { Schema } from '../util/schema.js';

export const PLOT_COMMAND = {
  usage: 'rnnlm plot RUN.jsonl... --out FILE.svg [--log] [--title TEXT]',
  description: `Draws training perplexity (twice per epoch) and validation perplexity (per epoch) against epochs from the output of
rnnlm train --json (saved to a file), one colour per run when several files are given. Each curve is drawn with at most
${MAX_CURVE_POINTS} points: a longer one keeps its first and last points and, of each stretch between, its lowest and highest.`,
  positionals: true,
  options: {
    out: { kind: 'string', meta: 'FILE.svg', nonEmpty: true, help: 'where the SVG goes; required' },
    log: { kind: 'boolean', default: false, help: 'a logarithmic perplexity axis' },
    title: { kind: 'string', default: 'Perplexity', meta: 'TEXT', maxLength: 200, help: "the chart's title" },
  },
} as const satisfies CommandSpec<Schema>;

export const PLOT_HELP = commandHelp(PLOT_COMMAND);

/** The most bytes of one run log plot reads (a JSON line per epoch: millions of epochs). */
export const MAX_RUN_LOG_BYTES = 256 * 1024 * 1024;

/** Writes the figure for these runs as an SVG file. */
export async function writePlot(path: string, runs: readonly (RunCurve | RunSeries)[], options: ChartOptions = {}): Promise<void> {
  if (!path.toLowerCase().endsWith('.svg')) throw new UsageError(`the plot is written as SVG: give a file ending in .svg, not ${path}`);
  // Vega is loaded only when a plot is drawn: it would add a quarter of a second to every command's start-up
  const { renderSvg } = await import('../plot/render.js');
  await writeFileAtomic(path, await renderSvg(perplexityChart(runs, options)));
}

/**
 * A run log's curves, read line by line as it streams in (the log itself is never held: a million epochs are a few
 * hundred megabytes of JSON, their points a few tens of megabytes of numbers).
 */
async function readRunLog(file: string): Promise<RunSeries> {
  const series = runSeries(basename(file).replace(/\.jsonl?$/, ''));
  let epochs = 0;
  for await (const [line, lineNo] of readLines(file, { what: 'file', maxBytes: MAX_RUN_LOG_BYTES, limitName: ' for a run log' })) {
    if (line.trim() === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new UsageError(`${file} line ${lineNo} is not JSON (expected the output of rnnlm train --json)`);
    }
    if (typeof row === 'object' && row !== null && 'epoch' in row) {
      addEpoch(series, row as Partial<EpochStats>);
      epochs++;
    }
  }
  if (epochs === 0) throw new UsageError(`${file} has no epoch lines (expected the output of rnnlm train --json)`);
  return series;
}

export async function plotCommand(argv: string[], print: (line: string) => void): Promise<void> {
  const { values: flags, rest, help } = parseCommand(PLOT_COMMAND, argv);
  if (help) return print(PLOT_HELP);
  const out = flags.out;
  if (out === undefined) throw new UsageError('plot needs --out FILE.svg');
  if (rest.length === 0) throw new UsageError('plot needs at least one RUN.jsonl (the output of rnnlm train --json)');
  if (!out.toLowerCase().endsWith('.svg')) throw new UsageError(`the plot is written as SVG: give a file ending in .svg, not ${out}`);
  await checkFilePlan({ inputs: rest.map((path) => ({ flag: 'RUN.jsonl', path })), outputs: [{ flag: '--out', path: out }] });
  const runs: RunSeries[] = [];
  for (const file of rest) runs.push(await readRunLog(file));
  const title = flags.title;
  await writePlot(out, runs, { logScale: flags.log === true, ...(title !== undefined ? { title } : {}) });
  print(`wrote ${out} (${runs.length} run${runs.length > 1 ? 's' : ''})`);
}
