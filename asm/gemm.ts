// Matrix products and the small copies around them, float32, 128-bit SIMD. Pointers are byte offsets into memory.
// 128-bit SIMD has no fused multiply-add, so each product is a mul and an add; blocks of 4 rows x 8 columns
// keep 8 accumulators in registers and reuse each loaded row of B four times.

import { share } from "./team";

/**
 * out (n,m) += A (n,k) @ b (k,m), where A(i,p) = a[i*sai + p*sap] (so A may be a transposed view) and b is row-major.
 * The inner loops walk pointers (no index products) and broadcast each A value straight from memory (load32_splat).
 */
export function gemm(out: usize, a: usize, b: usize, n: i32, k: i32, m: i32, sai: i32, sap: i32): void {
  gemmLd(out, m, a, sai, sap, b, m, n, k, m);
}

/**
 * gemm with rows of out ldo floats apart and rows of b ldb floats apart, so that a block of columns of a wider matrix
 * is a product of its own (a thread's share, asm/team.ts). Each output element adds its k terms in the order of p, as
 * gemm does; so a block of columns (starting at a multiple of 8) or of rows (a multiple of 4) computes the same
 * floats alone as within the whole product.
 */
export function gemmLd(out: usize, ldo: i32, a: usize, sai: i32, sap: i32, b: usize, ldb: i32, n: i32, k: i32, m: i32): void {
  const sa = <usize>sai << 2; // bytes between rows of A
  const sp = <usize>sap << 2; // bytes between columns of A
  const ob = <usize>ldo << 2; // bytes per row of out
  const mb = <usize>ldb << 2; // bytes per row of b
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a0 = a + <usize>i * sa;
    const o0 = out + <usize>i * ob;
    let j = 0;
    for (; j + 8 <= m; j += 8) {
      const o = o0 + (<usize>j << 2);
      let c00 = v128.load(o), c01 = v128.load(o, 16);
      let c10 = v128.load(o + ob), c11 = v128.load(o + ob, 16);
      let c20 = v128.load(o + 2 * ob), c21 = v128.load(o + 2 * ob, 16);
      let c30 = v128.load(o + 3 * ob), c31 = v128.load(o + 3 * ob, 16);
      let pa = a0;
      let pb = b + (<usize>j << 2);
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(pb), b1 = v128.load(pb, 16);
        const x0 = v128.load32_splat(pa);
        c00 = f32x4.add(c00, f32x4.mul(x0, b0)); c01 = f32x4.add(c01, f32x4.mul(x0, b1));
        const x1 = v128.load32_splat(pa + sa);
        c10 = f32x4.add(c10, f32x4.mul(x1, b0)); c11 = f32x4.add(c11, f32x4.mul(x1, b1));
        const x2 = v128.load32_splat(pa + 2 * sa);
        c20 = f32x4.add(c20, f32x4.mul(x2, b0)); c21 = f32x4.add(c21, f32x4.mul(x2, b1));
        const x3 = v128.load32_splat(pa + 3 * sa);
        c30 = f32x4.add(c30, f32x4.mul(x3, b0)); c31 = f32x4.add(c31, f32x4.mul(x3, b1));
        pa += sp;
        pb += mb;
      }
      v128.store(o, c00); v128.store(o, c01, 16);
      v128.store(o + ob, c10); v128.store(o + ob, c11, 16);
      v128.store(o + 2 * ob, c20); v128.store(o + 2 * ob, c21, 16);
      v128.store(o + 3 * ob, c30); v128.store(o + 3 * ob, c31, 16);
    }
    for (; j + 4 <= m; j += 4) {
      const o = o0 + (<usize>j << 2);
      let c0 = v128.load(o), c1 = v128.load(o + ob), c2 = v128.load(o + 2 * ob), c3 = v128.load(o + 3 * ob);
      let pa = a0;
      let pb = b + (<usize>j << 2);
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(pb);
        c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(pa), b0));
        c1 = f32x4.add(c1, f32x4.mul(v128.load32_splat(pa + sa), b0));
        c2 = f32x4.add(c2, f32x4.mul(v128.load32_splat(pa + 2 * sa), b0));
        c3 = f32x4.add(c3, f32x4.mul(v128.load32_splat(pa + 3 * sa), b0));
        pa += sp;
        pb += mb;
      }
      v128.store(o, c0); v128.store(o + ob, c1); v128.store(o + 2 * ob, c2); v128.store(o + 3 * ob, c3);
    }
    for (; j < m; j++) {
      for (let r = 0; r < 4; r++) {
        let pa = a0 + <usize>r * sa;
        let pb = b + (<usize>j << 2);
        let s: f32 = 0;
        for (let p = 0; p < k; p++) {
          s += load<f32>(pa) * load<f32>(pb);
          pa += sp;
          pb += mb;
        }
        const o = o0 + <usize>r * ob + (<usize>j << 2);
        store<f32>(o, load<f32>(o) + s);
      }
    }
  }
  // the last rows (all of them at n = 1: generation's matrix-vector products) walk b by rows, eight at a time (the
  // rest one at a time), with the output row (m floats) in cache: walking it by 4-column strips touched a new cache line (and often a new
  // page) for every 16 bytes. Each output vector still adds its terms one at a time in the order of p, from the
  // value in out, as the strip loop did, so the sums are the same floats.
  const m4 = m & ~3;
  for (; i < n; i++) {
    const ai = a + <usize>i * sa;
    const oi = out + <usize>i * ob;
    let p = 0;
    // one load and one store of each output vector per eight terms
    for (; p + 8 <= k; p += 8) {
      const pa = ai + <usize>p * sp;
      const x0 = v128.load32_splat(pa), x1 = v128.load32_splat(pa + sp), x2 = v128.load32_splat(pa + 2 * sp), x3 = v128.load32_splat(pa + 3 * sp);
      const x4 = v128.load32_splat(pa + 4 * sp), x5 = v128.load32_splat(pa + 5 * sp), x6 = v128.load32_splat(pa + 6 * sp), x7 = v128.load32_splat(pa + 7 * sp);
      let pb = b + <usize>p * mb;
      const end = oi + (<usize>m4 << 2);
      for (let o = oi; o < end; o += 16) {
        let c = v128.load(o);
        c = f32x4.add(c, f32x4.mul(x0, v128.load(pb)));
        c = f32x4.add(c, f32x4.mul(x1, v128.load(pb + mb)));
        c = f32x4.add(c, f32x4.mul(x2, v128.load(pb + 2 * mb)));
        c = f32x4.add(c, f32x4.mul(x3, v128.load(pb + 3 * mb)));
        c = f32x4.add(c, f32x4.mul(x4, v128.load(pb + 4 * mb)));
        c = f32x4.add(c, f32x4.mul(x5, v128.load(pb + 5 * mb)));
        c = f32x4.add(c, f32x4.mul(x6, v128.load(pb + 6 * mb)));
        c = f32x4.add(c, f32x4.mul(x7, v128.load(pb + 7 * mb)));
        v128.store(o, c);
        pb += 16;
      }
    }
    for (; p < k; p++) {
      const x = v128.load32_splat(ai + <usize>p * sp);
      const b0 = b + <usize>p * mb;
      for (let j = 0; j < m4; j += 4) {
        const o = oi + (<usize>j << 2);
        v128.store(o, f32x4.add(v128.load(o), f32x4.mul(x, v128.load(b0 + (<usize>j << 2)))));
      }
    }
    let j = m4;
    for (; j < m; j++) {
      let pa = ai;
      let pb = b + (<usize>j << 2);
      let s: f32 = 0;
      for (let p = 0; p < k; p++) {
        s += load<f32>(pa) * load<f32>(pb);
        pa += sp;
        pb += mb;
      }
      const o = oi + (<usize>j << 2);
      store<f32>(o, load<f32>(o) + s);
    }
  }
}

/** out (c,r) = x (r,c) transposed. */
export function transpose(out: usize, x: usize, r: i32, c: i32): void {
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) store<f32>(out + (<usize>(j * r + i) << 2), load<f32>(x + (<usize>(i * c + j) << 2)));
  }
}

/** n floats of x added into out. */
@inline export function addInto(out: usize, x: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = out + (<usize>i << 2);
    v128.store(o, f32x4.add(v128.load(o), v128.load(x + (<usize>i << 2))));
  }
  for (; i < n; i++) {
    const o = out + (<usize>i << 2);
    store<f32>(o, load<f32>(o) + load<f32>(x + (<usize>i << 2)));
  }
}

/** n floats of x copied to out (SIMD: a memory.copy per short row costs more than the copy). */
@inline export function copyInto(out: usize, x: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    v128.store(out + o, v128.load(x + o));
    v128.store(out + o, v128.load(x + o, 16), 16);
  }
  for (; i + 4 <= n; i += 4) v128.store(out + (<usize>i << 2), v128.load(x + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(out + (<usize>i << 2), load<f32>(x + (<usize>i << 2)));
}

/** out (r,c) = x[:, c0:c0+c] for x with ldx columns: a column block copied into a contiguous row-major matrix. */
export function copyColumns(out: usize, x: usize, r: i32, c: i32, ldx: i32, c0: i32): void {
  for (let i = 0; i < r; i++) copyInto(out + (<usize>(i * c) << 2), x + (<usize>(i * ldx + c0) << 2), c);
}

/**
 * Part `part` of `parts` of gemm (asm/team.ts): a block of whole 8-column units of out when the columns have at least
 * as many units as the rows have 4-row units, else a block of 4-row units; the same floats as gemm.
 */
export function gemmPart(out: usize, a: usize, b: usize, n: i32, k: i32, m: i32, sai: i32, sap: i32, team: usize, part: i32, parts: i32): void {
  const cu = (m + 7) >> 3;
  const ru = (n + 3) >> 2;
  if (cu >= ru) {
    const lo = share(cu, part, parts) << 3;
    const hi = min(m, share(cu, part + 1, parts) << 3);
    if (lo < hi) gemmLd(out + (<usize>lo << 2), m, a, sai, sap, b + (<usize>lo << 2), m, n, k, hi - lo);
  } else {
    const lo = share(ru, part, parts) << 2;
    const hi = min(n, share(ru, part + 1, parts) << 2);
    if (lo < hi) gemmLd(out + (<usize>(lo * m) << 2), m, a + (<usize>(lo * sai) << 2), sai, sap, b, m, hi - lo, k, m);
  }
}
