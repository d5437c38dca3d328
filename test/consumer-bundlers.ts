// How each of four bundlers builds the consumer page (test/consumer-template/: main.ts, worker.ts, index.html) into a
// folder of its own, with the configuration a web developer would write for a TypeScript page with a module Worker.
// test/consumer.test.ts builds the same source with each and opens every site in Chromium.
//
//   Vite:    no configuration at all (it copies the .wasm and bundles the worker).
//   webpack: ts-loader for TypeScript and extensionAlias so that './worker.js' finds worker.ts; the worker and the
//            .wasm need nothing (webpack 5 handles new URL(..., import.meta.url) itself).
//   Rollup:  @rollup/plugin-node-resolve (browser condition) and @rollup/plugin-typescript, and a twenty-line plugin
//            below for new URL('./file', import.meta.url): Rollup emits neither the worker nor the .wasm by itself.
//   esbuild: main.ts and worker.ts as two entry points; esbuild leaves new URL(..., import.meta.url) as it is, so the
//            package's .wasm is not copied: the build copies rnnlm/kernels.wasm and the page passes its URL.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import type { Plugin } from 'rollup';

export interface Bundler {
  readonly name: 'vite' | 'webpack' | 'rollup' | 'esbuild';
  /** The folder (inside the project) the site is built into. */
  readonly out: string;
  /** The URL of the kernels the page must pass as loadModel's wasm option, relative to the page (none: the bundler copies them). */
  readonly wasm?: string;
  /** Builds the project at app into app/out; resolves to the bundler's warnings (none expected). */
  build(app: string): Promise<string[]>;
}

const require = createRequire(import.meta.url);

/** The project's index.html with the script the bundle wrote (Vite alone rewrites main.ts itself). */
function writeIndex(app: string, out: string, script: string): void {
  writeFileSync(join(app, out, 'index.html'), readFileSync(join(app, 'index.html'), 'utf8').replace('./main.ts', script));
}

/**
 * new URL('./relative', import.meta.url) for Rollup: a script becomes a chunk of its own (a Worker's module), any other
 * file an asset (the .wasm); the expression is rewritten to the emitted file's URL.
 */
function importMetaUrl(): Plugin {
  const pattern = /new URL\((['"])(\.{1,2}\/[^'"]+)\1,\s*import\.meta\.url\)/g;
  return {
    name: 'import-meta-url',
    async transform(code, id) {
      let out = code;
      for (const m of code.matchAll(pattern)) {
        const resolved = await this.resolve(m[2]!, id);
        if (!resolved) continue;
        const ref = /\.[cm]?[jt]s$/.test(resolved.id)
          ? this.emitFile({ type: 'chunk', id: resolved.id })
          : this.emitFile({ type: 'asset', name: basename(resolved.id), source: readFileSync(resolved.id) });
        out = out.replace(m[0], `new URL(import.meta.ROLLUP_FILE_URL_${ref})`);
      }
      return out === code ? null : { code: out, map: null };
    },
  };
}

export const BUNDLERS: readonly Bundler[] = [
  {
    name: 'vite',
    out: 'dist',
    async build(app) {
      const { build, createLogger } = await import('vite');
      const warnings: string[] = [];
      const logger = createLogger('warn');
      const customLogger = { ...logger, warn: (msg: string) => void warnings.push(msg), warnOnce: (msg: string) => void warnings.push(msg) };
      // the same call as `vite build` in the project (its root, its own configuration lookup: there is none)
      await build({ root: app, logLevel: 'warn', customLogger });
      return warnings;
    },
  },
  {
    name: 'webpack',
    out: 'dist-webpack',
    async build(app) {
      const { default: webpack } = await import('webpack');
      const compiler = webpack({
        mode: 'production', context: app, entry: './main.ts', target: 'web',
        output: { path: join(app, 'dist-webpack'), clean: true },
        resolve: { extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } },
        // the loader by path: the project here has only rnnlm installed (a real one lists ts-loader as its own)
        module: { rules: [{ test: /\.ts$/, loader: require.resolve('ts-loader'), options: { transpileOnly: true } }] },
      });
      const stats = await new Promise<import('webpack').Stats>((done, fail) => compiler.run((e, s) => (e || !s ? fail(e ?? new Error('no stats')) : done(s))));
      await new Promise<void>((done) => compiler.close(() => done()));
      const info = stats.toJson({ all: false, errors: true, warnings: true });
      if (stats.hasErrors()) throw new Error(`webpack: ${info.errors?.map((e) => e.message).join('; ')}`);
      writeIndex(app, 'dist-webpack', './main.js');
      return (info.warnings ?? []).map((w) => w.message);
    },
  },
  {
    name: 'rollup',
    out: 'dist-rollup',
    async build(app) {
      const { rollup } = await import('rollup');
      const { nodeResolve } = await import('@rollup/plugin-node-resolve');
      // its types read as CommonJS under NodeNext (no "type": "module"); at run time the default export is the plugin
      const typescript = (await import('@rollup/plugin-typescript')).default as unknown as (options: object) => Plugin;
      const warnings: string[] = [];
      const out = join(app, 'dist-rollup');
      const bundle = await rollup({
        input: join(app, 'main.ts'),
        plugins: [
          importMetaUrl(),
          nodeResolve({ browser: true, extensions: ['.ts', '.js'] }),
          // the project's tsconfig (noEmit: it only type-checks) with emitting turned on for the bundle
          typescript({ tsconfig: join(app, 'tsconfig.json'), compilerOptions: { noEmit: false, outDir: out }, include: [join(app, '*.ts')] }),
        ],
        onwarn: (w) => void warnings.push(w.message),
      });
      await bundle.write({ dir: out, format: 'es' });
      await bundle.close();
      writeIndex(app, 'dist-rollup', './main.js');
      return warnings;
    },
  },
  {
    name: 'esbuild',
    out: 'dist-esbuild',
    wasm: 'kernels.wasm',
    async build(app) {
      const { build } = await import('esbuild');
      const result = await build({
        absWorkingDir: app, entryPoints: ['main.ts', 'worker.ts'], outdir: 'dist-esbuild',
        bundle: true, format: 'esm', platform: 'browser', minify: true, logLevel: 'silent',
      });
      // the documented step: the package exports its kernels; serve them beside the page, whose wasm option names them
      copyFileSync(createRequire(join(app, 'package.json')).resolve('rnnlm/kernels.wasm'), join(app, 'dist-esbuild', 'kernels.wasm'));
      writeIndex(app, 'dist-esbuild', './main.js');
      return result.warnings.map((w) => w.text);
    },
  },
];
