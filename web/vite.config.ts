// Vite builds the page from web/ into web/dist (relative paths, so the static site works from any folder).
import { defineConfig } from 'vite';

/** The headers that make a page cross-origin isolated (SharedArrayBuffer). */
export const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  // this folder, from the config's own URL (a file: URL's path; no Node built-in is needed outside src/node/)
  root: decodeURIComponent(new URL('.', import.meta.url).pathname),
  base: './',
  // one chunk is fine for a single page (61 kB, 23 kB gzipped: test/page-size.test.ts holds the first load to its budget)
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  // cross-origin isolation, so that the page may share memory between its training threads (web/parallel.ts);
  // a host serving web/dist must send the same two headers, or the page trains on one thread
  server: { headers: ISOLATION },
  preview: { headers: ISOLATION },
});
