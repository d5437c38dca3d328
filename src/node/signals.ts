// Stopping a command cleanly: Ctrl-C (SIGINT), a service manager's SIGTERM and a closed terminal's SIGHUP all ask the
// running command to stop at its next safe point (a training run between batches, so that --out keeps the last
// completed epoch and the lock is released; generation between tokens). The exit code is the shell's: 128 + the
// signal's number (130, 143, 129).
import { constants } from 'node:os';

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** The exit code of a command stopped by a signal. */
export function signalExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}

/** Calls onStop (once) when a stop signal arrives; the returned function stops listening. */
export function onStopSignal(onStop: (signal: StopSignal) => void): () => void {
  const handlers = STOP_SIGNALS.map((signal) => [signal, (): void => onStop(signal)] as const);
  for (const [signal, handler] of handlers) process.once(signal, handler);
  return () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
}
