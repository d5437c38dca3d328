#!/usr/bin/env node
// Builds the optional native backend (native/*.cc) with node-gyp at npm install. A failure is not an error:
// rnnlm then runs on the WebAssembly backend, and this script says so. RNNLM_SKIP_NATIVE=1 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

if (process.env.RNNLM_SKIP_NATIVE) {
  console.log('rnnlm: RNNLM_SKIP_NATIVE is set; not building the native backend');
  process.exit(0);
}
// npm's own node-gyp: named by npm_config_node_gyp in install scripts, or found beside npm-cli.js
const candidates = [
  process.env.npm_config_node_gyp,
  process.env.npm_execpath && join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter((p) => p && existsSync(p));
// headers: npm's nodedir setting, else the ones installed beside this node (never a download: we may be offline)
const prefix = join(dirname(process.execPath), '..');
const nodedir = process.env.npm_config_nodedir || (existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null);
const gypArgs = ['rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const [cmd, args] = candidates.length > 0 ? [process.execPath, [candidates[0], ...gypArgs]] : ['node-gyp', gypArgs];
const r = spawnSync(cmd, args, { stdio: 'inherit' });
if (r.status !== 0) {
  console.warn('rnnlm: the native backend did not build (no C++ compiler or Node headers?); the WebAssembly backend will be used');
}
