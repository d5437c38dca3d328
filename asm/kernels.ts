// WebAssembly SIMD kernels (AssemblyScript, compiled by `asc` at npm install): the fast twins of
// src/backend/reference.ts, float32 only. Arguments are byte offsets into this module's memory, laid out by
// src/backend/wasm.ts; outputs first, sizes last. Letters: B batch, T steps, H hidden, V vocabulary, N rows.
// 128-bit SIMD has no fused multiply-add, so each product is a mul and an add; blocks of 4 rows x 8 columns
// keep 8 accumulators in registers and reuse each loaded row of B four times.

/** First free byte after the module's static data: where the JavaScript side starts its arena. */
export function heapBase(): usize {
  return __heap_base;
}

// ---- vector math: exp (Cephes expf) and tanh (Eigen's rational form) to float32 precision, 4 lanes --------

@inline function exp4(x: v128): v128 {
  // exp(x) = 2^n * exp(r), n = round(x / ln 2), r = x - n ln 2 (ln 2 split in two for accuracy)
  x = f32x4.min(f32x4.max(x, f32x4.splat(-87.3)), f32x4.splat(88.0));
  const fx = f32x4.floor(f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), f32x4.splat(0.5)));
  x = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(0.693359375)));
  x = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, f32x4.mul(x, x)), x), f32x4.splat(1.0));
  const pow2n = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(fx), i32x4.splat(127)), 23);
  return f32x4.mul(y, pow2n);
}

@inline function tanh4(x: v128): v128 {
  // Eigen's rational approximation x P(x^2) / Q(x^2), clamped at |x| = 7.905 where it reaches 1 in float32;
  // no exp and no branch, error at most 2.8e-7 (largest just below the clamp)
  const c = f32x4.splat(7.90531110763549805);
  x = f32x4.min(f32x4.max(x, f32x4.neg(c)), c);
  const x2 = f32x4.mul(x, x);
  let p = f32x4.splat(-2.76076847742355e-16);
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(2.00018790482477e-13));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-8.60467152213735e-11));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(5.12229709037114e-08));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(1.48572235717979e-05));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(6.37261928875436e-04));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(4.89352455891786e-03));
  let q = f32x4.splat(1.19825839466702e-06);
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(1.18534705686654e-04));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(2.26843463243900e-03));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(4.89352518554385e-03));
  return f32x4.div(f32x4.mul(x, p), q);
}

/** Exposed for tests: out[i] = exp(x[i]) and tanh(x[i]), n values. */
export function expArray(out: usize, x: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(out + (<usize>i << 2), f32x4.extract_lane(exp4(f32x4.splat(load<f32>(x + (<usize>i << 2)))), 0));
}
export function tanhArray(out: usize, x: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(out + (<usize>i << 2), f32x4.extract_lane(tanh4(f32x4.splat(load<f32>(x + (<usize>i << 2)))), 0));
}

// ---- matrix products ------------------------------------------------------------------------------------

/**
 * out (n,m) += A (n,k) @ b (k,m), where A(i,p) = a[i*sai + p*sap] (so A may be a transposed view) and b is row-major.
 */
export function gemm(out: usize, a: usize, b: usize, n: i32, k: i32, m: i32, sai: i32, sap: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a0 = a + (<usize>(i * sai) << 2);
    const a1 = a0 + (<usize>sai << 2);
    const a2 = a1 + (<usize>sai << 2);
    const a3 = a2 + (<usize>sai << 2);
    const o0 = out + (<usize>(i * m) << 2);
    const o1 = o0 + (<usize>m << 2);
    const o2 = o1 + (<usize>m << 2);
    const o3 = o2 + (<usize>m << 2);
    let j = 0;
    for (; j + 8 <= m; j += 8) {
      const jb = <usize>j << 2;
      let c00 = v128.load(o0 + jb), c01 = v128.load(o0 + jb, 16);
      let c10 = v128.load(o1 + jb), c11 = v128.load(o1 + jb, 16);
      let c20 = v128.load(o2 + jb), c21 = v128.load(o2 + jb, 16);
      let c30 = v128.load(o3 + jb), c31 = v128.load(o3 + jb, 16);
      for (let p = 0; p < k; p++) {
        const bp = b + (<usize>(p * m + j) << 2);
        const b0 = v128.load(bp), b1 = v128.load(bp, 16);
        const ap = <usize>(p * sap) << 2;
        const x0 = f32x4.splat(load<f32>(a0 + ap)), x1 = f32x4.splat(load<f32>(a1 + ap));
        const x2 = f32x4.splat(load<f32>(a2 + ap)), x3 = f32x4.splat(load<f32>(a3 + ap));
        c00 = f32x4.add(c00, f32x4.mul(x0, b0)); c01 = f32x4.add(c01, f32x4.mul(x0, b1));
        c10 = f32x4.add(c10, f32x4.mul(x1, b0)); c11 = f32x4.add(c11, f32x4.mul(x1, b1));
        c20 = f32x4.add(c20, f32x4.mul(x2, b0)); c21 = f32x4.add(c21, f32x4.mul(x2, b1));
        c30 = f32x4.add(c30, f32x4.mul(x3, b0)); c31 = f32x4.add(c31, f32x4.mul(x3, b1));
      }
      v128.store(o0 + jb, c00); v128.store(o0 + jb, c01, 16);
      v128.store(o1 + jb, c10); v128.store(o1 + jb, c11, 16);
      v128.store(o2 + jb, c20); v128.store(o2 + jb, c21, 16);
      v128.store(o3 + jb, c30); v128.store(o3 + jb, c31, 16);
    }
    for (; j + 4 <= m; j += 4) {
      const jb = <usize>j << 2;
      let c0 = v128.load(o0 + jb), c1 = v128.load(o1 + jb), c2 = v128.load(o2 + jb), c3 = v128.load(o3 + jb);
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(b + (<usize>(p * m + j) << 2));
        const ap = <usize>(p * sap) << 2;
        c0 = f32x4.add(c0, f32x4.mul(f32x4.splat(load<f32>(a0 + ap)), b0));
        c1 = f32x4.add(c1, f32x4.mul(f32x4.splat(load<f32>(a1 + ap)), b0));
        c2 = f32x4.add(c2, f32x4.mul(f32x4.splat(load<f32>(a2 + ap)), b0));
        c3 = f32x4.add(c3, f32x4.mul(f32x4.splat(load<f32>(a3 + ap)), b0));
      }
      v128.store(o0 + jb, c0); v128.store(o1 + jb, c1); v128.store(o2 + jb, c2); v128.store(o3 + jb, c3);
    }
    for (; j < m; j++) {
      for (let r = 0; r < 4; r++) {
        const ar = a0 + (<usize>(r * sai) << 2);
        let s: f32 = 0;
        for (let p = 0; p < k; p++) s += load<f32>(ar + (<usize>(p * sap) << 2)) * load<f32>(b + (<usize>(p * m + j) << 2));
        const o = out + (<usize>((i + r) * m + j) << 2);
        store<f32>(o, load<f32>(o) + s);
      }
    }
  }
  for (; i < n; i++) {
    const ai = a + (<usize>(i * sai) << 2);
    const oi = out + (<usize>(i * m) << 2);
    let j = 0;
    for (; j + 4 <= m; j += 4) {
      const jb = <usize>j << 2;
      let c = v128.load(oi + jb);
      for (let p = 0; p < k; p++) {
        c = f32x4.add(c, f32x4.mul(f32x4.splat(load<f32>(ai + (<usize>(p * sap) << 2))), v128.load(b + (<usize>(p * m + j) << 2))));
      }
      v128.store(oi + jb, c);
    }
    for (; j < m; j++) {
      let s: f32 = 0;
      for (let p = 0; p < k; p++) s += load<f32>(ai + (<usize>(p * sap) << 2)) * load<f32>(b + (<usize>(p * m + j) << 2));
      store<f32>(oi + (<usize>j << 2), load<f32>(oi + (<usize>j << 2)) + s);
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
@inline function addInto(out: usize, x: usize, n: i32): void {
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

// ---- the fused RNN layer -------------------------------------------------------------------------------

/**
 * hs (T,B,H) = all hidden states: hs[t,b] = act(table[tokens[b,t]] + hs[t-1,b] @ whh + bh), hs[-1] = h0 (B,H).
 * tokens (B,T) int32; table (V,H); whh (H,H); bh (H).
 */
export function rnnForward(hs: usize, tokens: usize, table: usize, whh: usize, bh: usize, h0: usize,
  B: i32, T: i32, H: i32, relu: bool): void {
  const row = <usize>H << 2;
  const step = <usize>B * row;
  for (let t = 0; t < T; t++) {
    const cur = hs + <usize>t * step;
    const prev = t == 0 ? h0 : cur - step;
    for (let b = 0; b < B; b++) {
      // z = table[x] + bh in one pass
      const src = table + <usize>load<i32>(tokens + (<usize>(b * T + t) << 2)) * row;
      const z = cur + <usize>b * row;
      let j = 0;
      for (; j + 4 <= H; j += 4) {
        const o = <usize>j << 2;
        v128.store(z + o, f32x4.add(v128.load(src + o), v128.load(bh + o)));
      }
      for (; j < H; j++) {
        const o = <usize>j << 2;
        store<f32>(z + o, load<f32>(src + o) + load<f32>(bh + o));
      }
    }
    gemm(cur, prev, whh, B, H, H, H, 1);
    const n = B * H;
    let i = 0;
    if (relu) {
      const zero = f32x4.splat(0);
      for (; i + 4 <= n; i += 4) v128.store(cur + (<usize>i << 2), f32x4.max(v128.load(cur + (<usize>i << 2)), zero));
      for (; i < n; i++) store<f32>(cur + (<usize>i << 2), max<f32>(load<f32>(cur + (<usize>i << 2)), 0));
    } else {
      for (; i + 4 <= n; i += 4) v128.store(cur + (<usize>i << 2), tanh4(v128.load(cur + (<usize>i << 2))));
      for (; i < n; i++) store<f32>(cur + (<usize>i << 2), f32x4.extract_lane(tanh4(f32x4.splat(load<f32>(cur + (<usize>i << 2)))), 0));
    }
  }
}

/**
 * Backprop through time. Reads dhs (T,B,H) = dL/dhs, hs, h0, tokens, whh; accumulates dtable (V,H), dwhh (H,H),
 * dbh (H); writes dh0 (B,H). scratch holds 2*B*H + H*H floats.
 */
export function rnnBackward(dtable: usize, dwhh: usize, dbh: usize, dh0: usize,
  dhs: usize, hs: usize, h0: usize, tokens: usize, whh: usize, B: i32, T: i32, H: i32, relu: bool, scratch: usize): void {
  const row = <usize>H << 2;
  const step = <usize>B * row;
  const n = B * H;
  const dnext = scratch; // (B,H) dL/dh_t from step t+1
  const dz = dnext + step; // (B,H) dL/d(pre-activation)
  const whhT = dz + step; // (H,H)
  transpose(whhT, whh, H, H);
  memory.fill(dnext, 0, step);
  const one = f32x4.splat(1.0);
  const zero = f32x4.splat(0);
  for (let t = T - 1; t >= 0; t--) {
    const cur = hs + <usize>t * step;
    const prev = t == 0 ? h0 : cur - step;
    const g = dhs + <usize>t * step;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const h = v128.load(cur + o);
      const slope = relu ? v128.and(one, f32x4.gt(h, zero)) : f32x4.sub(one, f32x4.mul(h, h));
      v128.store(dz + o, f32x4.mul(f32x4.add(v128.load(g + o), v128.load(dnext + o)), slope));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const h = load<f32>(cur + o);
      const slope: f32 = relu ? (h > 0 ? 1 : 0) : 1 - h * h;
      store<f32>(dz + o, (load<f32>(g + o) + load<f32>(dnext + o)) * slope);
    }
    for (let b = 0; b < B; b++) {
      const x = load<i32>(tokens + (<usize>(b * T + t) << 2));
      const zb = dz + <usize>b * row;
      addInto(dbh, zb, H);
      addInto(dtable + <usize>x * row, zb, H);
    }
    gemm(dwhh, prev, dz, H, B, H, 1, H); // dwhh += prev^T dz
    memory.fill(dnext, 0, step);
    gemm(dnext, dz, whhT, B, H, H, H, 1); // dnext = dz whh^T
  }
  memory.copy(dh0, dnext, step);
}

// ---- the output layer fused with softmax cross-entropy -------------------------------------------------

/** Rows of logits handled at once: large enough for the blocked products, small enough to stay in cache. */
const CHUNK: i32 = 256;

/**
 * Returns sum_r [logsumexp(z_r) - z_r[labels[r]]], z_r = hs[r] @ whq + bq. hs (N,H), whq (H,V), bq (V), labels (N).
 * With grads: writes dhs (N,H), accumulates dwhq (H,V) and dbq (V), all times gradScale.
 * scratch holds CHUNK*V + V*H floats.
 */
export function linearCrossEntropy(hs: usize, whq: usize, bq: usize, labels: usize, N: i32, H: i32, V: i32,
  dhs: usize, dwhq: usize, dbq: usize, grads: bool, gradScale: f32, scratch: usize): f64 {
  const z = scratch; // (CHUNK, V) logits, then d(sum)/dlogits
  const whqT = z + (<usize>(CHUNK * V) << 2); // (V,H)
  if (grads) transpose(whqT, whq, H, V);
  const vrow = <usize>V << 2;
  let loss: f64 = 0;
  for (let r0 = 0; r0 < N; r0 += CHUNK) {
    const rows = min(CHUNK, N - r0);
    for (let r = 0; r < rows; r++) memory.copy(z + <usize>r * vrow, bq, vrow);
    const hsChunk = hs + (<usize>(r0 * H) << 2);
    gemm(z, hsChunk, whq, rows, H, V, H, 1);
    for (let r = 0; r < rows; r++) {
      const zr = z + <usize>r * vrow;
      let m4 = f32x4.splat(-Infinity);
      let v = 0;
      for (; v + 4 <= V; v += 4) m4 = f32x4.max(m4, v128.load(zr + (<usize>v << 2)));
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
