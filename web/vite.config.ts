// Vite builds the page from web/ into web/dist (relative paths, so the static site works from any folder).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  // Vega is most of the page's 870 kB (300 kB gzipped); one chunk is fine for a single page
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1000 },
  worker: { format: 'es' },
});
