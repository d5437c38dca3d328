// The native addon's files (native/addon-files.json, the one place their layout is written) as absolute paths, for
// the scripts that make them; src/node/native.ts reads the same file to load them.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const files = JSON.parse(readFileSync(join(root, 'native', 'addon-files.json'), 'utf8'));

/** The addon node-gyp builds on this machine. */
export const localBuild = join(root, files.localBuild);

/** The addon prebuilt for this platform and architecture (the package's copy, made when it is packed). */
export const prebuilt = join(root, files.prebuilt.replace('{platform}', process.platform).replace('{arch}', process.arch));

/** The folder of every platform's prebuilt addon (prebuilds/), which the pack's cleanup removes. */
export const prebuiltFolder = join(root, files.prebuilt.split('/')[0]);
