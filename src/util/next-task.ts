// Yielding to the event loop from long synchronous work (training steps, generation), so that a signal handler, a
// message or a click gets its turn.

/** Resolves after pending events have run: setImmediate in Node (no delay), a zero timeout elsewhere. */
export function nextTask(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}
