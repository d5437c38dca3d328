// What the page's scripts are made of: Vite builds the page with source maps into a temporary folder, and each
// script's bytes are attributed to the sources its map names (the generated columns each mapping covers), summed by
// npm package (vega-*, d3-* together) or by folder of this repository, raw and gzipped (each source's own text
// compressed alone, so the gzipped column is an estimate; the whole script's gzipped size is exact).
// This is how the page's chart library was found to be 290 kB of its 317 kB of gzipped script (docs/browser.md).
// Usage: node bench/bundle-sources.mjs   (not a test)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** A mapping segment's numbers (base64 VLQ): generated column, source, line, column, name, each relative. */
function decodeSegment(segment) {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = BASE64.indexOf(ch);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      values.push(value & 1 ? -(value >> 1) : value >> 1);
      [value, shift] = [0, 0];
    }
  }
  return values;
}

/** The group a source belongs to: its npm package (vega-* and d3-* together), or its folder in this repository. */
function groupOf(source) {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  if (pkg) return `npm:${pkg[1].replace(/^(vega|d3)-.*/, '$1-*')}`;
  return source.replace(/^(\.\.\/)+/, '').replace(/^.*?\/(src|web)\//, '$1/').split('/').slice(0, 2).join('/');
}

/** Bytes of a script by group: [group, raw bytes, gzipped bytes of that group's text alone]. */
function attribute(script, map) {
  const lines = script.split('\n');
  const text = new Map();
  let source = 0;
  map.mappings.split(';').forEach((line, i) => {
    const segments = [];
    let column = 0;
    for (const s of line ? line.split(',') : []) {
      const v = decodeSegment(s);
      column += v[0];
      if (v.length > 1) source += v[1];
      segments.push([column, v.length > 1 ? source : -1]);
    }
    const generated = lines[i] ?? '';
    segments.forEach(([start, s], j) => {
      const end = j + 1 < segments.length ? segments[j + 1][0] : generated.length;
      const group = s < 0 ? '(unmapped: bundler glue)' : groupOf(map.sources[s]);
      text.set(group, (text.get(group) ?? '') + generated.slice(start, end));
    });
  });
  return [...text].map(([group, t]) => [group, Buffer.byteLength(t), gzipSync(t).length]).sort((a, b) => b[1] - a[1]);
}

const out = mkdtempSync(join(tmpdir(), 'rnnlm-bundle-'));
const build = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(ROOT, 'web', 'vite.config.ts'),
  '--outDir', out, '--emptyOutDir', '--sourcemap', '--logLevel', 'error'], { cwd: ROOT, encoding: 'utf8' });
if (build.status !== 0) {
  console.error(`bundle-sources: the page did not build: ${build.stderr.trim().split('\n')[0]}`);
  process.exit(1);
}
for (const name of readdirSync(join(out, 'assets')).filter((n) => n.endsWith('.js'))) {
  const script = readFileSync(join(out, 'assets', name), 'utf8');
  const map = JSON.parse(readFileSync(join(out, 'assets', `${name}.map`), 'utf8'));
  console.log(`\n${name}: ${Buffer.byteLength(script)} bytes, ${gzipSync(script).length} gzipped`);
  for (const [group, raw, gz] of attribute(script, map).slice(0, 15)) console.log(`${String(raw).padStart(9)} ${String(gz).padStart(8)}  ${group}`);
}
