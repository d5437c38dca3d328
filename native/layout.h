// Copies that change a matrix's layout; included into each variant's namespace by kernels.cc, as the other kernel
// sources are.

/**
 * out (cols,rows) = a^T for a (rows,cols), by tiles of 16 x 16: the reads go down 16 rows and the writes along 16,
 * so both stay within a few cache lines. The concise layers' PyTorch-layout weights are transposed once a batch
 * each way (ops.ts's transpose), 1 M floats at 2 layers of 512 LSTM units, which in TypeScript took 2.5 ms each.
 */
static void transpose(float* out, const float* a, int rows, int cols) {
  constexpr int TILE = 16;
  for (int i0 = 0; i0 < rows; i0 += TILE) {
    const int i1 = rows - i0 < TILE ? rows : i0 + TILE;
    for (int j0 = 0; j0 < cols; j0 += TILE) {
      const int j1 = cols - j0 < TILE ? cols : j0 + TILE;
      for (int j = j0; j < j1; j++) {
        float* d = out + (idx)j * rows;
        for (int i = i0; i < i1; i++) d[i] = a[(idx)i * cols + j];
      }
    }
  }
}
