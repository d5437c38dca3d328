// The output layer fused with softmax cross-entropy: logits for a block of LOGIT_BLOCK_ROWS rows at a time (large
// enough for the blocked products, small enough to stay in cache), and the gradient formed in the same pass.

import { LOGIT_BLOCK_ROWS } from './contracts';
import { addInto, gemm, transpose } from './gemm';
import { exp4 } from './vecmath';

/**
 * Returns sum_r [logsumexp(z_r) - z_r[labels[r]]], z_r = hs[r] @ whq + bq. hs (N,H), whq (H,V), bq (V), labels (N).
 * With gradients (dhs, dwhq and dbq all given: nonzero offsets): writes dhs (N,H), accumulates dwhq (H,V) and dbq (V),
 * all times gradScale.
 * scratch holds LOGIT_BLOCK_ROWS*V + V*H floats.
 */
export function linearCrossEntropy(hs: usize, whq: usize, bq: usize, labels: usize, N: i32, H: i32, V: i32,
  dhs: usize, dwhq: usize, dbq: usize, gradScale: f32, scratch: usize): f64 {
  const grads = dhs != 0 && dwhq != 0 && dbq != 0;
  const z = scratch; // (LOGIT_BLOCK_ROWS, V) logits, then d(sum)/dlogits
  const whqT = z + (<usize>(LOGIT_BLOCK_ROWS * V) << 2); // (V,H)
  if (grads) transpose(whqT, whq, H, V);
  const vrow = <usize>V << 2;
  let loss: f64 = 0;
  for (let r0 = 0; r0 < N; r0 += LOGIT_BLOCK_ROWS) {
    const rows = min(LOGIT_BLOCK_ROWS, N - r0);
    for (let r = 0; r < rows; r++) memory.copy(z + <usize>r * vrow, bq, vrow);
    const hsChunk = hs + (<usize>(r0 * H) << 2);
    gemm(z, hsChunk, whq, rows, H, V, H, 1);
    for (let r = 0; r < rows; r++) {
      const zr = z + <usize>r * vrow;
      let m4 = f32x4.splat(-Infinity);
      let v = 0;
      for (; v + 4 <= V; v += 4) m4 = f32x4.pmax(m4, v128.load(zr + (<usize>v << 2)));
      let mx: f32 = max(max(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1)), max(f32x4.extract_lane(m4, 2), f32x4.extract_lane(m4, 3)));
      for (; v < V; v++) mx = max(mx, load<f32>(zr + (<usize>v << 2)));
      const y = load<i32>(labels + (<usize>(r0 + r) << 2));
      const zy = load<f32>(zr + (<usize>y << 2));
      const mx4 = f32x4.splat(mx);
      let s4 = f32x4.splat(0);
      v = 0;
      for (; v + 4 <= V; v += 4) {
        const e = exp4(f32x4.sub(v128.load(zr + (<usize>v << 2)), mx4));
        v128.store(zr + (<usize>v << 2), e);
        s4 = f32x4.add(s4, e);
      }
      let sum: f32 = f32x4.extract_lane(s4, 0) + f32x4.extract_lane(s4, 1) + f32x4.extract_lane(s4, 2) + f32x4.extract_lane(s4, 3);
      for (; v < V; v++) {
        const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(zr + (<usize>v << 2)) - mx)), 0);
        store<f32>(zr + (<usize>v << 2), e);
        sum += e;
      }
      loss += <f64>Mathf.log(sum) + <f64>mx - <f64>zy;
      if (grads) {
        // (softmax - onehot(y)) * gradScale
        const inv: f32 = gradScale / sum;
        const inv4 = f32x4.splat(inv);
        v = 0;
        for (; v + 4 <= V; v += 4) v128.store(zr + (<usize>v << 2), f32x4.mul(v128.load(zr + (<usize>v << 2)), inv4));
        for (; v < V; v++) store<f32>(zr + (<usize>v << 2), load<f32>(zr + (<usize>v << 2)) * inv);
        store<f32>(zr + (<usize>y << 2), load<f32>(zr + (<usize>y << 2)) - gradScale);
        addInto(dbq, zr, V);
      }
    }
    if (grads) {
      gemm(dwhq, hsChunk, z, H, rows, V, 1, H); // dwhq += hs^T dz
      const dChunk = dhs + (<usize>(r0 * H) << 2);
      memory.fill(dChunk, 0, <usize>(rows * H) << 2);
      gemm(dChunk, z, whqT, rows, V, H, V, 1); // dhs = dz whq^T
    }
  }
  return loss;
}
