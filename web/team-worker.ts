// A kernel thread of the page (web/parallel.ts starts it): it instantiates the shared build of the kernels over the
// training thread's memory, answers that it is ready, then runs its part of every kernel the training thread splits
// (src/backend/wasm-team.ts) until told to leave.
// (from its own file, not the whole library: this thread needs the protocol alone)
import { instantiateShared, serveTeam, type TeamJoin } from '../src/backend/wasm-team.js';

self.onmessage = (e: MessageEvent<TeamJoin>): void => {
  const join = e.data;
  void instantiateShared(join.wasm, join.memory).then(
    (exports) => {
      (self as unknown as Worker).postMessage('ready');
      serveTeam(exports, join.memory, join.ctrl, join.part);
      self.close();
    },
    (err: unknown) => (self as unknown as Worker).postMessage({ error: (err as Error).message ?? String(err) }),
  );
};
