// A kernel thread of the WebAssembly backend in Node (wasm-team.ts starts it): it instantiates the shared build over
// the team's memory, answers that it is ready, then serves the team's jobs until told to leave.
import { parentPort } from 'node:worker_threads';
import { instantiateShared, serveTeam, type TeamJoin } from '../backend/wasm-team.js';

parentPort!.once('message', (join: TeamJoin) => {
  void instantiateShared(join.wasm, join.memory).then((exports) => {
    parentPort!.postMessage('ready');
    serveTeam(exports, join.memory, join.ctrl, join.part);
    parentPort!.close();
  });
});
