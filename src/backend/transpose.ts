// A matrix transpose in TypeScript by tiles: the wasm backend's transpose (copying a weight into WebAssembly memory
// and back would cost more than the transpose itself). Its plain twin is reference.ts's transpose.
import type { FloatArray } from './arrays.js';

/** out (cols,rows) = a^T for a (rows,cols), by 32 x 32 tiles so that reads and writes both stay within a few cache lines. */
export function transposeByTiles(out: FloatArray, a: FloatArray, rows: number, cols: number): void {
  const TILE = 32;
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const i1 = Math.min(i0 + TILE, rows);
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const j1 = Math.min(j0 + TILE, cols);
      for (let j = j0; j < j1; j++) {
        for (let i = i0, src = i0 * cols + j, dst = j * rows + i0; i < i1; i++, src += cols, dst++) out[dst] = a[src]!;
      }
    }
  }
}
