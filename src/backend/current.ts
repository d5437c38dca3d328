// The backend in use: the reference kernels until setBackend picks another (select.ts picks at start-up).
import type { Backend } from './backend.js';
import { referenceBackend } from './reference.js';

let current: Backend = referenceBackend;

/** The backend float32 ops dispatch to; the reference until setBackend picks another. */
export function getBackend(): Backend {
  return current;
}

export function setBackend(backend: Backend): void {
  current = backend;
}
