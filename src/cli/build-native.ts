// rnnlm build-native: compiles the native kernels on this machine (scripts/build-native.mjs, node-gyp) into the
// package's build/Release, for platforms without a prebuilt file (the package ships linux-x64's) or where that file
// does not load; --check only says which kernels load. Installing rnnlm compiles nothing: this is the explicit step.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadNativeBackend, nativeAddonPath } from '../node/native.js';
import type { Schema } from '../util/schema.js';
import { CommandError } from './args.js';
import { commandHelp, parseCommand, type CommandSpec } from './command.js';

export const BUILD_NATIVE_COMMAND = {
  usage: 'rnnlm build-native [--check]',
  description: `Compiles rnnlm's native kernels (C++, native/) for this machine with node-gyp, into the package's
build/Release; they are used from then on, before any prebuilt file. Installing rnnlm compiles nothing: the package
ships the kernels prebuilt for linux-x64; elsewhere (macOS, Windows, arm64, a musl libc), or where that file does not
load, this command builds them, and without them rnnlm runs on the WebAssembly kernels. Needs a C++17 compiler, make
and Python (node-gyp's own needs) and takes 35 to 60 seconds on 2 cores. The compiler's output goes to stderr.`,
  options: {
    check: { kind: 'boolean', default: false, help: 'compile nothing: say which native kernels load (the local build or the prebuilt file) and their vector width, or why none do' },
  },
  notes: `Exit codes: 0 built (or, with --check, native kernels load); 1 the build failed (or, with --check, none load); 2 bad usage.`,
} as const satisfies CommandSpec<Schema>;

export const BUILD_NATIVE_HELP = commandHelp(BUILD_NATIVE_COMMAND);

export async function buildNativeCommand(argv: string[], print: (line: string) => void): Promise<void> {
  const { values: flags, help } = parseCommand(BUILD_NATIVE_COMMAND, argv);
  if (help) return print(BUILD_NATIVE_HELP);
  if (flags.check !== true) {
    const script = fileURLToPath(new URL('../../../scripts/build-native.mjs', import.meta.url));
    // node-gyp's progress is not the command's result: it goes to stderr, the one line that says what loads to stdout
    const r = spawnSync(process.execPath, [script], { stdio: ['ignore', process.stderr, process.stderr], env: { ...process.env, RNNLM_SKIP_NATIVE: '' } });
    if (r.status !== 0) throw new CommandError('the native kernels did not build (the reason is above); rnnlm keeps using the prebuilt kernels, if any, or the WebAssembly ones', 1);
  }
  const native = await loadNativeBackend();
  if (typeof native === 'string') throw new CommandError(`no native kernels load: ${native}`, 1);
  print(`native kernels: ${nativeAddonPath()} (this machine runs their ${native.isa} variant)`);
}
