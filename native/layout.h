// Copies that change a matrix's layout; included into each variant's namespace by kernels.cc, as the other kernel
// sources are.

/**
 * out (cols,rows) = a^T for a (rows,cols), by tiles of 16 x 16: the reads go down 16 rows and the writes along 16,
 * so both stay within a few cache lines. The concise layers' PyTorch-layout weights are transposed once a batch
 * each way (ops.ts's transpose), 1 M floats at 2 layers of 512 LSTM units, which in TypeScript took 2.5 ms each.
 */
static void transpose(float* out, const float* a, int rows, int cols) {
  constexpr int TILE = 16;
  auto tiles = [&](int r0, int r1) {  // a's rows r0 .. r1 - 1: out's columns
    for (int i0 = r0; i0 < r1; i0 += TILE) {
      const int i1 = r1 - i0 < TILE ? r1 : i0 + TILE;
      for (int j0 = 0; j0 < cols; j0 += TILE) {
        const int j1 = cols - j0 < TILE ? cols : j0 + TILE;
        for (int j = j0; j < j1; j++) {
          float* d = out + (idx)j * rows;
          for (int i = i0; i < i1; i++) d[i] = a[(idx)i * cols + j];
        }
      }
    }
  };
  // split over the kernel threads by a's row tiles (a copy: each element written once, by one part), from about
  // 128 K elements a part (an element's strided move weighs ~16 multiply-adds of PART_WORK): on the calling thread
  // alone it had been 2.7% of char-rnn's 512 configuration on 2 threads, while the other waited
  const int parts = parts_for((double)rows * cols * 16, (rows + TILE - 1) / TILE);
  if (parts == 1) return tiles(0, rows);
  auto part = [&](const Team& team) {
    const Share r = share(rows, TILE, team);
    if (r.lo < r.hi) tiles(r.lo, r.hi);
  };
  parallel(parts, part);
}
