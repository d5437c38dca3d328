// The package as a user installs it: npm pack, installed (offline: it has no dependencies) into a fresh project.
// Every name the README's library section shows must import from the entry it says ('rnnlm' in Node, 'rnnlm' under
// the browser condition and 'rnnlm/browser', 'rnnlm/inference'), and TypeScript with the old `moduleResolution: node`
// must find the types (top-level "types").
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ROOT, tempDir } from './helpers.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/**
 * What each TypeScript or JavaScript code block of the README and of every docs/*.md page imports from rnnlm, one
 * entry per import statement: where the block is, the entry it names ('rnnlm', 'rnnlm/browser', 'rnnlm/inference'),
 * the values it imports and its type-only names.
 */
function importedNames(): { where: string; entry: string; values: string[]; types: string[] }[] {
  const pages: [string, string][] = [['README.md', README], ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort()
    .map((f): [string, string] => [`docs/${f}`, readFileSync(join(ROOT, 'docs', f), 'utf8')])];
  const found: { where: string; entry: string; values: string[]; types: string[] }[] = [];
  for (const [file, text] of pages) {
    for (const block of text.matchAll(/```(?:ts|js|typescript|javascript|mjs)\n([^]*?)```/g)) {
      const where = `${file}:${text.slice(0, block.index).split('\n').length}`;
      for (const m of block[1]!.matchAll(/import\s*(type\s+)?\{([^}]+)\}\s*from\s*'(rnnlm(?:\/[a-z]+)?)'/g)) {
        const imported = { where, entry: m[3]!, values: [] as string[], types: [] as string[] };
        for (const part of m[2]!.split(',')) {
          const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]!;
          if (!/^[A-Za-z_$][\w$]*$/.test(name)) continue; // the '...' of an elided list
          (m[1] !== undefined || /^\s*type\s/.test(part) ? imported.types : imported.values).push(name);
        }
        found.push(imported);
      }
    }
  }
  return found;
}

/** Functions and classes the library page (docs/library.md) calls by name: `name(` and `new Name(` in backticks or code. */
function calledNames(): Set<string> {
  const library = readFileSync(join(ROOT, 'docs', 'library.md'), 'utf8')
    .replace(/```(?:python|py|sh)\n[^]*?```/g, '') // Python and shell snippets call their own functions
    .replace(/\(1\/L\^alpha\)|sqrt\(/g, ''); // formulas
  const names = new Set<string>();
  for (const m of library.matchAll(/(?<![.\w])(?:new\s+)?([A-Za-z_]\w*)\(/g)) names.add(m[1]!);
  for (const skip of ['import', 'if', 'for', 'await', 'log', 'forward', 'backward', 'matmul', 'add', 'tanh', 'relu', 'exp', 'sigmoid', 'mul', 'sub', 'concat', 'narrow', 'flip', 'stack', 'unstack', 'reshape', 'transpose', 'gather', 'oneHot', 'crossEntropy', 'noGrad', 'checkShape', 'checkLen', 'addScalar', 'mulScalar', 'rsub', 'predict', 'encode', 'decode', 'step', 'write']) names.delete(skip);
  return names;
}

describe('the installed package', () => {
  const project = tempDir();
  before(() => {
    const pack = tempDir();
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', pack], { cwd: ROOT, stdio: 'pipe' });
    const tarball = join(pack, readdirSync(pack).find((f) => f.endsWith('.tgz'))!);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
    execFileSync('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', tarball], { cwd: project, stdio: 'pipe' });
  });
  /** Runs a module in the project; returns the names it could not import. */
  const missing = (entry: string, names: string[], conditions: string[] = []): string[] => {
    writeFileSync(join(project, 'check.mjs'), `import * as m from '${entry}';\nconst want = ${JSON.stringify(names)};\n` +
      'console.log(JSON.stringify(want.filter((n) => !(n in m))));\n');
    const r = spawnSync(process.execPath, [...conditions.map((c) => `--conditions=${c}`), 'check.mjs'], { cwd: project, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as string[];
  };
  it('installs with no other package: rnnlm alone', () => {
    assert.deepEqual(readdirSync(join(project, 'node_modules')).filter((d) => !d.startsWith('.')), ['rnnlm']);
  });
  it('every name the README imports comes from the entry it names (each code block of README.md and docs/*.md)', () => {
    const imports = importedNames();
    assert.ok(imports.some((i) => i.where.startsWith('README.md:') && i.entry === 'rnnlm'), 'the README imports from rnnlm');
    assert.ok(imports.filter((i) => i.entry === 'rnnlm').flatMap((i) => i.values).length >= 8, imports.map((i) => i.where).join());
    // values at run time: 'rnnlm' as Node resolves it (the blocks that import it run in Node or under a bundler,
    // whose browser entry the next tests check), the other entries under the browser condition
    for (const { where, entry, values } of imports) {
      assert.deepEqual(missing(entry, values, entry === 'rnnlm' ? [] : ['browser']), [], `${where}: from '${entry}'`);
    }
    // type-only names are erased at run time: TypeScript checks that the entry exports each
    const typed = imports.filter((i) => i.types.length > 0);
    if (typed.length === 0) return;
    writeFileSync(join(project, 'doc-types.mts'), typed.map((i, k) => `import type { ${i.types.map((t) => `${t} as T${k}_${t}`).join(', ')} } from '${i.entry}'; // ${i.where}\n`).join(''));
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '--moduleResolution', 'nodenext', '--module', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node',
      '--typeRoots', join(ROOT, 'node_modules', '@types'), 'doc-types.mts'], { cwd: project, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
  it('every function and class the library page calls imports from rnnlm (Node)', () => {
    const names = [...calledNames()];
    assert.ok(names.includes('trainRun') && names.includes('scoreText') && names.includes('createModel') && names.includes('validateFields'), names.join());
    assert.deepEqual(missing('rnnlm', names), []);
  });
  it('the browser condition and rnnlm/browser give the browser entry, without Node built-ins', () => {
    assert.deepEqual(missing('rnnlm', ['TimeMachine', 'Trainer', 'loadWasmBackend', 'generateText', 'decodeCheckpoint', 'TrainingDiverged'], ['browser']), []);
    assert.deepEqual(missing('rnnlm', ['loadCorpus', 'saveCheckpoint', 'openTextFile'], ['browser']).sort(), ['loadCorpus', 'openTextFile', 'saveCheckpoint']);
    assert.deepEqual(missing('rnnlm/browser', ['TimeMachine']), []);
    const wasm = spawnSync(process.execPath, ['-e', "import('rnnlm/kernels.wasm').catch(e => console.log(e.code))"], { cwd: project, encoding: 'utf8' });
    assert.doesNotMatch(wasm.stdout, /ERR_PACKAGE_PATH_NOT_EXPORTED/); // exported (it is not a JS module, so the import itself fails otherwise)
  });
  it('exports the packaged texts: rnnlm/data/timemachine.txt (the book\'s bytes) and every other text in data/', () => {
    const texts = readdirSync(join(ROOT, 'data')).filter((f) => f.endsWith('.txt'));
    assert.ok(texts.includes('timemachine.txt'));
    for (const name of texts) {
      // ES modules (import.meta.resolve) and CommonJS (require.resolve) alike, as the docs show
      writeFileSync(join(project, 'text.mjs'), `import { readFileSync } from 'node:fs';\nimport { createHash } from 'node:crypto';\nimport { fileURLToPath } from 'node:url';\n` +
        `const bytes = readFileSync(fileURLToPath(import.meta.resolve('rnnlm/data/${name}')));\nconsole.log(createHash('sha1').update(bytes).digest('hex'));\n`);
      const esm = spawnSync(process.execPath, ['text.mjs'], { cwd: project, encoding: 'utf8' });
      assert.equal(esm.status, 0, esm.stderr);
      const cjs = spawnSync(process.execPath, ['-e', `console.log(require('fs').readFileSync(require.resolve('rnnlm/data/${name}')).length)`], { cwd: project, encoding: 'utf8' });
      assert.equal(cjs.status, 0, cjs.stderr);
      assert.equal(Number(cjs.stdout), readFileSync(join(ROOT, 'data', name)).length, name);
      if (name === 'timemachine.txt') assert.equal(esm.stdout.trim(), '090b5e7e70c295757f55df93cb0a180b9691891a', 'the file the book downloads');
    }
    const hidden = spawnSync(process.execPath, ['-e', "require.resolve('rnnlm/data/missing.bin')"], { cwd: project, encoding: 'utf8' });
    assert.match(hidden.stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED/, 'only texts are exported from data/');
  });
  it('TypeScript with moduleResolution node finds the types', () => {
    writeFileSync(join(project, 'use.ts'), "import { TimeMachine, trainRun, scoreText, TrainingDiverged, type TrainConfig } from 'rnnlm';\n" +
      'const c: Partial<TrainConfig> = { epochs: 1 };\nexport const used = [TimeMachine, trainRun, scoreText, TrainingDiverged, c];\n');
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '--moduleResolution', 'node', '--module', 'esnext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', '--typeRoots', join(ROOT, 'node_modules', '@types'), 'use.ts'],
      { cwd: project, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
  it("TypeScript: a bundler's project gets the browser entry's types (the default condition), a Node project the Node entry's", () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const check = (file: string, source: string, resolution: 'bundler' | 'nodenext'): ReturnType<typeof spawnSync> => {
      writeFileSync(join(project, file), source);
      return spawnSync(process.execPath, [tsc, '--noEmit', '--moduleResolution', resolution, '--module', resolution === 'bundler' ? 'esnext' : 'nodenext', '--target', 'es2022',
        '--skipLibCheck', '--types', 'node', '--typeRoots', join(ROOT, 'node_modules', '@types'), file], { cwd: project, encoding: 'utf8' });
    };
    const page = check('page.ts', "import { TimeMachine, Trainer, TRAIN_SCHEMA } from 'rnnlm';\nexport const used = [TimeMachine, Trainer, TRAIN_SCHEMA];\n", 'bundler');
    assert.equal(page.status, 0, `${page.stdout}${page.stderr}`);
    const nodeOnly = "import { saveCheckpoint, loadCorpus } from 'rnnlm';\nexport const used = [saveCheckpoint, loadCorpus];\n";
    const inPage = check('page-node.ts', nodeOnly, 'bundler');
    assert.notEqual(inPage.status, 0, 'a page cannot import the Node names: its bundler would fail on them');
    assert.match(String(inPage.stdout), /has no exported member '(saveCheckpoint|loadCorpus)'/);
    const inNode = check('node.mts', nodeOnly, 'nodenext');
    assert.equal(inNode.status, 0, `${inNode.stdout}${inNode.stderr}`);
  });
  it('the installed CLI trains offline without RNNLM_DATA_URL (the packaged Time Machine), and says plots need vega', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, RNNLM_CACHE_DIR: tempDir() };
    delete env['RNNLM_DATA_URL'];
    const bin = join(project, 'node_modules', 'rnnlm', 'dist', 'src', 'cli', 'main.js');
    // the book's URL first (the book's behaviour); with no network here, the packaged copy, said in one line
    const r = spawnSync(process.execPath, [bin, 'train', '--epochs', '1', '--num-train', '1000', '--num-val', '200', '--quiet'], { cwd: project, env, encoding: 'utf8', timeout: 90_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /done in/);
    if (r.stderr !== '') assert.match(r.stderr, /using the copy packaged with rnnlm \(same sha1\)/);
    const plot = spawnSync(process.execPath, [bin, 'train', '--epochs', '0', '--plot', join(project, 'p.svg')], { cwd: project, env, encoding: 'utf8' });
    assert.equal(plot.status, 2);
    assert.equal(plot.stderr, 'rnnlm train: plots need the optional packages vega and vega-lite: npm install vega vega-lite\n');
  });
});
