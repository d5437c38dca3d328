// Stopping a command cleanly: Ctrl-C (SIGINT), a service manager's SIGTERM and a closed terminal's SIGHUP all ask the
// running command to stop at its next safe point (a training run between batches, so that --out keeps the last
// completed epoch and the lock is released; a sweep after the run it is in; generation between tokens). The exit
// code is the shell's: 128 + the signal's number (130, 143, 129).
//
// One handler per signal serves the whole process: the innermost stop request listening gets the signal; with none
// listening (between two phases of a command), or at a second signal (a user pressing Ctrl-C again), the process
// exits at once through process.exit, so the exit hooks still run: temp files removed, locks released. A file being
// replaced is the old one or the new one either way (durable-write.ts), never a part.
import { constants } from 'node:os';

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** The exit code of a command stopped by a signal. */
export function signalExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}

interface Listener {
  onStop: (signal: StopSignal) => void;
  fired: boolean;
}

const listeners: Listener[] = [];
let installed = false;
let label = 'rnnlm';

/**
 * Handles stop signals from now on (the CLI calls it first thing, so that a signal before any stop request listens,
 * while a lock is taken or a file read, also exits through the exit hooks); name starts the immediate exit's message.
 */
export function handleStopSignals(name: string): void {
  label = name;
  install();
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of STOP_SIGNALS) process.on(signal, () => handle(signal));
}

function handle(signal: StopSignal): void {
  const top = listeners[listeners.length - 1];
  if (top && !top.fired) {
    top.fired = true;
    top.onStop(signal);
    return;
  }
  process.stderr.write(`${label}: interrupted (${signal})${top ? ' again: stopping at once' : ''}\n`);
  process.exit(signalExitCode(signal));
}

/** Calls onStop (once) when a stop signal arrives; the returned function stops listening. */
export function onStopSignal(onStop: (signal: StopSignal) => void): () => void {
  install();
  const listener: Listener = { onStop, fired: false };
  listeners.push(listener);
  return () => {
    const i = listeners.lastIndexOf(listener);
    if (i >= 0) listeners.splice(i, 1);
  };
}
