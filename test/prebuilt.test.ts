// The prebuilt native kernels, as a user of the package gets them: the package packed with its prepack step's file
// (prebuilds/linux-x64/rnnlm.node, made by scripts/prebuild.mjs), installed offline into a fresh project with a PATH
// that has node and npm and nothing else (no node-gyp, make, g++ or python), with scripts allowed. Installing must
// compile nothing and run no script; the installed package must load the native kernels, and the kernels must still
// pick their vector width at load time. Without the prebuilt file, rnnlm says how to build them and falls back.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ROOT, rnnlm, tempDir } from './helpers.js';
import { loadNativeBackend } from '../src/node/native.js';

const native = await loadNativeBackend();
/** The vector width this CPU runs (when the native kernels load here). */
const ISA = typeof native === 'string' ? '' : native.isa;
const TAG = `${process.platform}-${process.arch}`;
/** The addon files' layout, written once (native/addon-files.json) for the loader and the build scripts. */
const FILES = JSON.parse(readFileSync(join(ROOT, 'native', 'addon-files.json'), 'utf8')) as { localBuild: string; prebuilt: string };
const LOCAL_BUILD = join(ROOT, FILES.localBuild);
const skip = TAG !== 'linux-x64' ? `the package prebuilds linux-x64 only, this is ${TAG}`
  : !existsSync(LOCAL_BUILD) || typeof native === 'string' ? `no native build to pack here: ${typeof native === 'string' ? native : 'build/Release is missing'}` : false;

describe('the addon files\' layout', () => {
  it("is node-gyp's output for binding.gyp's target, and the prebuildify layout", () => {
    const target = /"target_name":\s*"([^"]+)"/.exec(readFileSync(join(ROOT, 'binding.gyp'), 'utf8'))?.[1];
    assert.equal(FILES.localBuild, `build/Release/${target}.node`);
    assert.equal(FILES.prebuilt, 'prebuilds/{platform}-{arch}/rnnlm.node');
  });
});

/** A folder with node and npm only: what runs from it cannot find a compiler, make, python or node-gyp. */
function bareBin(): string {
  const bin = tempDir();
  symlinkSync(process.execPath, join(bin, 'node'));
  const npm = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
  symlinkSync(realpathSync(npm), join(bin, 'npm'));
  return bin;
}

describe('the prebuilt native kernels in the installed package', { skip }, () => {
  const project = tempDir();
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: '' };
  delete env['RNNLM_SKIP_NATIVE'];
  delete env['RNNLM_NATIVE_ISA'];
  let install: ReturnType<typeof spawnSync>;
  const installed = join(project, 'node_modules', 'rnnlm');
  /** `rnnlm build-native ...` in the project, as its users run it (the bare PATH). */
  const buildNative = (args: string[], extra: NodeJS.ProcessEnv = {}): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, [join(installed, 'dist', 'src', 'cli', 'main.js'), 'build-native', ...args], { cwd: project, env: { ...env, ...extra }, encoding: 'utf8', timeout: 60_000 });
  before(() => {
    env['PATH'] = bareBin();
    // the prepack step, on a copy of the package (it writes prebuilds/, and the repository is shared by the other
    // tests): the packed files plus this repository's local build, which prebuild.mjs packs when newer than its sources
    const pack = tempDir();
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', pack], { cwd: ROOT, stdio: 'pipe' });
    execFileSync('tar', ['xzf', readdirSync(pack).find((f) => f.endsWith('.tgz'))!], { cwd: pack });
    const staged = join(pack, 'package');
    assert.ok(!existsSync(join(staged, 'prebuilds')), 'a pack without its prepack step has no prebuilt file');
    mkdirSync(join(staged, 'build', 'Release'), { recursive: true });
    cpSync(LOCAL_BUILD, join(staged, 'build', 'Release', 'rnnlm_native.node'));
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(staged, 'build', 'Release', 'rnnlm_native.node'), later, later);
    const prebuild = spawnSync(process.execPath, [join(staged, 'scripts', 'prebuild.mjs')], { cwd: staged, env, encoding: 'utf8' });
    assert.equal(prebuild.status, 0, prebuild.stdout + prebuild.stderr);
    assert.match(prebuild.stdout, new RegExp(`prebuilds/${TAG}/rnnlm.node \\(this machine runs its ${ISA} variant\\)`));
    rmSync(join(staged, 'build'), { recursive: true });
    const out = tempDir();
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', out], { cwd: staged, stdio: 'pipe' });
    const tarball = join(out, readdirSync(out).find((f) => f.endsWith('.tgz'))!);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
    // scripts allowed: whatever the package would run at install runs here, and finds no compiler
    install = spawnSync('npm', ['install', '--offline', '--foreground-scripts', '--no-audit', '--no-fund', tarball], { cwd: project, env, encoding: 'utf8', timeout: 120_000 });
  });
  it('installs offline with no compiler on the PATH, compiling nothing and running no script', () => {
    assert.equal(install.status, 0, `${install.stdout}${install.stderr}`);
    assert.ok(existsSync(join(installed, 'prebuilds', TAG, 'rnnlm.node')), 'the prebuilt file is in the package');
    assert.ok(!existsSync(join(installed, 'build')), 'nothing was compiled into build/');
    // npm runs no script of a dependency's but these (and node-gyp by default when binding.gyp is present, which
    // "gypfile": false turns off); newer npm warns about each one
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { scripts: Record<string, string>; gypfile: boolean };
    assert.deepEqual(['preinstall', 'install', 'postinstall', 'prepare'].filter((s) => s in manifest.scripts), []);
    assert.equal(manifest.gypfile, false);
    assert.doesNotMatch(String(install.stderr), /install.scripts|gyp/i);
  });
  it("the installed package's backend selection gives the native kernels, from the prebuilt file", () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e',
      "import { selectBackend } from 'rnnlm'; const b = await selectBackend('auto', (m) => console.error(m)); console.log(b.name);"], { cwd: project, env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'native\n');
    assert.equal(r.stderr, '');
    const check = buildNative(['--check']);
    assert.equal(check.status, 0, String(check.stderr));
    assert.equal(check.stdout, `native kernels: ${join(installed, 'prebuilds', TAG, 'rnnlm.node')} (this machine runs their ${ISA} variant)\n`);
  });
  it('the installed CLI trains on the prebuilt kernels, in its worker threads too (replicas; --backend native: a thread that cannot load them fails the run)', () => {
    const r = spawnSync(process.execPath, [join(installed, 'dist', 'src', 'cli', 'main.js'), 'train', '--data', join(installed, 'data', 'timemachine.txt'),
      '--epochs', '1', '--batch-size', '32', '--num-steps', '8', '--num-hiddens', '8', '--num-train', '200', '--num-val', '50',
      '--threads', '2', '--parallelism', 'replicas', '--backend', 'native', '--json'], { cwd: project, env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const done = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { backend: string; threads: number };
    assert.deepEqual([done.backend, done.threads], ['native', 2]);
  });
  it('the prebuilt file still picks its vector width at load time (every width this CPU runs)', () => {
    const widths = ['avx512', 'avx2', 'sse2'];
    for (const width of ISA === 'generic' ? [] : widths.slice(widths.indexOf(ISA))) {
      const r = buildNative(['--check'], { RNNLM_NATIVE_ISA: width });
      assert.equal(r.status, 0, String(r.stderr));
      assert.match(String(r.stdout), new RegExp(`prebuilds/${TAG}/rnnlm\\.node \\(this machine runs their ${width} variant\\)\\n$`));
    }
  });
  it('a prebuilt file that does not load (another libc, a broken copy): the reason names it and the command', () => {
    writeFileSync(join(installed, 'prebuilds', TAG, 'rnnlm.node'), 'not a shared object');
    const check = buildNative(['--check']);
    assert.equal(check.status, 1);
    assert.match(String(check.stderr), new RegExp(`^rnnlm build-native: no native kernels load: the prebuilt ${TAG} kernels do not load \\([^\n]+\\); build them with \`npx rnnlm build-native\` \\(needs a C\\+\\+ compiler\\)\n$`));
  });
  it('without a prebuilt file: the fallback names the command, which fails in one line without a compiler; --at-install only warns', () => {
    rmSync(join(installed, 'prebuilds'), { recursive: true });
    const check = buildNative(['--check']);
    assert.equal(check.status, 1);
    assert.equal(check.stdout, '');
    assert.equal(check.stderr, `rnnlm build-native: no native kernels load: the native kernels are not built (none prebuilt for ${TAG}); build them with \`npx rnnlm build-native\` (needs a C++ compiler)\n`);
    const build = buildNative([]);
    assert.equal(build.status, 1);
    assert.equal(build.stdout, '');
    assert.match(String(build.stderr), /\nrnnlm build-native: the native kernels did not build \(the reason is above\); [^\n]*\n$/);
    // a clone's npm install (postprepare): a failed build is a warning, not a failed install
    const atInstall = spawnSync(process.execPath, [join(installed, 'scripts', 'build-native.mjs'), '--at-install'], { cwd: installed, env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(atInstall.status, 0, atInstall.stderr);
    assert.match(atInstall.stderr, /rnnlm: the native backend did not build \([^)]*\); the WebAssembly backend will be used\n$/);
  });
});

describe('rnnlm build-native (any platform)', () => {
  it('has --help from its option table, and refuses unknown flags and arguments with exit code 2', () => {
    const help = rnnlm('build-native', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: rnnlm build-native \[--check\]\n/);
    assert.match(help.stdout, /\n  --check {11}compile nothing: say which native kernels load/);
    assert.match(rnnlm('--help').stdout, /\n  build-native compile the native kernels on this machine/);
    const typo = rnnlm('build-native', '--chek');
    assert.equal(typo.code, 2);
    assert.equal(typo.stderr, "rnnlm build-native: unknown option '--chek' (did you mean --check?); see --help\n");
    assert.equal(rnnlm('build-native', 'now').code, 2);
  });
  it('--check in this repository names the kernels loadNativeBackend loads, or its reason with exit code 1', () => {
    const r = rnnlm('build-native', '--check');
    if (typeof native === 'string') {
      assert.equal(r.code, 1);
      assert.equal(r.stderr, `rnnlm build-native: no native kernels load: ${native}\n`);
    } else {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `native kernels: ${LOCAL_BUILD} (this machine runs their ${ISA} variant)\n`);
    }
  });
});
