// Row gather and its gradient: the input projection of one-hot inputs (onehot(indices) @ table) without the product.
// indices are int32; rows are W floats.

import { addInto, copyInto } from './gemm';

/** out (N,W): out[i,:] = table[indices[i],:]. */
export function gatherRows(out: usize, table: usize, indices: usize, N: i32, W: i32): void {
  const row = <usize>W << 2;
  for (let i = 0; i < N; i++) {
    const src = table + <usize>load<i32>(indices + (<usize>i << 2)) * row;
    copyInto(out + <usize>i * row, src, W);
  }
}

/** dtable (V,W) += scattered g (N,W): dtable[indices[i],:] += g[i,:], in row order. */
export function scatterAddRows(dtable: usize, g: usize, indices: usize, N: i32, W: i32): void {
  const row = <usize>W << 2;
  for (let i = 0; i < N; i++) {
    addInto(dtable + <usize>load<i32>(indices + (<usize>i << 2)) * row, g + <usize>i * row, W);
  }
}
