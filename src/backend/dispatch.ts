// The one float64 dispatch: gradient checks compute in float64, which only the reference kernels do, so a fast
// backend (wasm, native) is wrapped once, where it is made, to send any call that holds a float64 array to the
// reference. No kernel and no op repeats the rule.
import type { Backend } from './backend.js';
import { referenceBackend } from './reference.js';

/** True when an argument, or a field of an argument struct, is a float64 array. */
function holdsFloat64(args: readonly unknown[]): boolean {
  return args.some((a) => a instanceof Float64Array ||
    (typeof a === 'object' && a !== null && !ArrayBuffer.isView(a) && Object.values(a).some((v) => v instanceof Float64Array)));
}

/** The backend with every kernel sending float64 calls to the reference kernels. */
export function float64ToReference<B extends Backend>(fast: B): B {
  const wrapped = { ...fast } as unknown as Record<string, unknown>;
  for (const [name, reference] of Object.entries(referenceBackend)) {
    if (typeof reference !== 'function') continue;
    const own = (fast as unknown as Record<string, (...args: unknown[]) => unknown>)[name]!.bind(fast);
    wrapped[name] = (...args: unknown[]): unknown => (holdsFloat64(args) ? (reference as (...a: unknown[]) => unknown)(...args) : own(...args));
  }
  return wrapped as B;
}
