#!/usr/bin/env node
// The package's prebuilt native kernels (npm pack's "prepack" step): prebuilds/<platform>-<arch>/rnnlm.node, the
// layout of prebuildify and node-gyp-build, which src/node/native.ts loads when platform and arch match, so that
// installing rnnlm compiles nothing. One file serves every Node version (N-API) and, on x86-64, every CPU (the
// kernels are compiled for AVX-512, AVX2 and SSE2 and the addon picks at load time). The package promises linux-x64:
// pack it there. The local build (build/Release) is reused when it is newer than every source, else rebuilt; --rebuild
// always rebuilds. A pack without the file would break that promise, so any failure here exits 1.
// --clean ("postpack") removes prebuilds/ again, so a clone's later `npm install` and loads use its own build.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { localBuild as built, prebuilt as out, prebuiltFolder, root } from './addon-files.mjs';

if (process.argv.includes('--clean')) {
  rmSync(prebuiltFolder, { recursive: true, force: true });
  process.exit(0);
}
const tag = `${process.platform}-${process.arch}`;
const sources = [join(root, 'binding.gyp'), ...readdirSync(join(root, 'native')).map((f) => join(root, 'native', f))];
const fresh = existsSync(built) && sources.every((s) => statSync(s).mtimeMs <= statSync(built).mtimeMs);
if (process.argv.includes('--rebuild') || !fresh) {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-native.mjs')], { stdio: 'inherit', cwd: root, env: { ...process.env, RNNLM_SKIP_NATIVE: '' } });
  if (r.status !== 0) {
    console.error(`rnnlm prebuild: the native kernels did not build; the package would have no prebuilt ${tag} file`);
    process.exit(1);
  }
} else {
  console.log(`rnnlm prebuild: build/Release is newer than native/ and binding.gyp; packing it (--rebuild to compile again)`);
}
mkdirSync(dirname(out), { recursive: true });
copyFileSync(built, out);
try {
  const addon = createRequire(import.meta.url)(out);
  console.log(`rnnlm prebuild: ${relative(root, out)} (this machine runs its ${addon.isa()} variant)`);
} catch (e) {
  console.error(`rnnlm prebuild: ${relative(root, out)} does not load (${e.message.split('\n')[0]})`);
  process.exit(1);
}
if (tag !== 'linux-x64') console.warn(`rnnlm prebuild: packed on ${tag}: the package will have no prebuilt linux-x64 kernels (its users compile with npx rnnlm build-native)`);
