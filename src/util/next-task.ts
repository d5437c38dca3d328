// Yielding to the event loop from long synchronous work (training steps, generation), so that a signal handler, a
// message or a click gets its turn.

/** Resolvers waiting for a MessageChannel task, in order, and the channel (made on first use, in browsers only). */
const waiting: (() => void)[] = [];
let channel: MessageChannel | undefined;

/**
 * Resolves in a new task, after the events already queued: setImmediate in Node (no delay); elsewhere a
 * MessageChannel message, because browsers clamp chained zero timeouts to 4 ms (40 ms of a 10-batch epoch).
 */
export function nextTask(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate;
  if (immediate) return new Promise((resolve) => immediate(resolve));
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  if (!channel) {
    const c = new MessageChannel();
    c.port1.onmessage = () => {
      waiting.shift()?.();
      if (waiting.length === 0) hold(c, false);
    };
    channel = c;
  }
  const c = channel;
  return new Promise((resolve) => {
    waiting.push(resolve);
    hold(c, true);
    c.port2.postMessage(null);
  });
}

/** Where ports keep a process alive (Node's do): only while a task is awaited, never an idle channel. */
function hold(c: MessageChannel, on: boolean): void {
  const port = c.port1 as { ref?: () => void; unref?: () => void };
  if (on) port.ref?.();
  else port.unref?.();
}
