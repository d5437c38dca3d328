#!/usr/bin/env node
// Builds the optional native backend (native/*.cc) with node-gyp into build/Release: `npx rnnlm build-native` runs
// it where no prebuilt file fits (the package ships one for linux-x64), and a clone's `npm install` runs it through
// the "prepare" script. A failed build exits 1, except with --at-install (a clone's npm install), where it is not an
// error: rnnlm then runs on the WebAssembly backend, and this script says so. --at-install also skips the build when
// the prebuilt file for this platform is present (during npm pack, whose prepack step just made it).
// RNNLM_SKIP_NATIVE=1 skips the build.
// The build is portable (no -march=native): on x86-64 the kernels are compiled for AVX-512, AVX2 and SSE2 and the
// addon picks the widest the CPU runs when it loads, so a build copied to another x86-64 machine runs there too.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { localBuild, prebuilt, root } from './addon-files.mjs';

const atInstall = process.argv.includes('--at-install');
if (process.env.RNNLM_SKIP_NATIVE) {
  console.log('rnnlm: RNNLM_SKIP_NATIVE is set; not building the native backend');
  process.exit(0);
}
if (atInstall && existsSync(prebuilt)) {
  console.log(`rnnlm: ${process.platform}-${process.arch} has prebuilt native kernels; not compiling them`);
  process.exit(0);
}
// npm's own node-gyp: named by npm_config_node_gyp in npm's scripts, or found beside npm-cli.js
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
const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root });
const fallback = atInstall ? 'the WebAssembly backend will be used' : 'rnnlm keeps using the prebuilt kernels, if any, or the WebAssembly backend';
if (r.status !== 0) {
  const why = r.error ? `${cmd}: ${r.error.code ?? r.error.message}` : 'no C++ compiler, make or Node headers?';
  console.warn(`rnnlm: the native backend did not build (${why}); ${fallback}`);
  process.exit(atInstall ? 0 : 1);
}
try {
  const addon = createRequire(import.meta.url)(localBuild);
  console.log(`rnnlm: native kernels built in ${localBuild}; this machine runs their ${addon.isa()} variant`);
} catch (e) {
  console.warn(`rnnlm: the native kernels built but do not load (${e.message.split('\n')[0]}); ${fallback}`);
  process.exit(atInstall ? 0 : 1);
}
