// Vector math on 4 float32 lanes: exp (Cephes expf), tanh (Eigen's rational form) and the logistic sigmoid, to
// float32 precision and without branches, for the pointwise parts of the kernels.

@inline export function exp4(x: v128): v128 {
  // exp(x) = 2^n * exp(r), n = round(x / ln 2), r = x - n ln 2 (ln 2 split in two for accuracy)
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-87.3)), f32x4.splat(88.0)); // pmin/pmax: one instruction each, min/max several
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
  // 2^n: fx + 1.5*2^23 holds the integer n in its low mantissa bits (exact for |n| < 2^22), cheaper than trunc_sat
  const pow2n = i32x4.shl(i32x4.sub(f32x4.add(fx, f32x4.splat(12582912.0)), i32x4.splat(0x4B400000 - 127)), 23);
  return f32x4.mul(y, pow2n);
}

@inline export function tanh4(x: v128): v128 {
  // Eigen's rational approximation x P(x^2) / Q(x^2), clamped at |x| = 7.905 where it reaches 1 in float32;
  // no exp and no branch, error at most 2.8e-7 (largest just below the clamp)
  const c = f32x4.splat(7.90531110763549805);
  x = f32x4.pmin(f32x4.pmax(x, f32x4.neg(c)), c);
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

/** The logistic sigmoid 1 / (1 + exp(-x)), from exp4 (a few ulps; 1 and about 1e-38 at the clamps). */
@inline export function sigmoid4(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.sub(f32x4.splat(0), x)))); // 0 - x: one instruction, neg is three
}

/** 4 floats at p, or the one float at p in lane 0 (the scalar tail of a row) when full is false. */
@inline export function load4(p: usize, full: bool): v128 {
  return full ? v128.load(p) : v128.load32_zero(p);
}

/** Stores 4 lanes at p, or lane 0 only when full is false. */
@inline export function store4(p: usize, v: v128, full: bool): void {
  if (full) v128.store(p, v);
  else v128.store32_lane(p, v, 0);
}

/** Exposed for tests: out[i] = exp(x[i]) and tanh(x[i]), n values. */
export function expArray(out: usize, x: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(out + (<usize>i << 2), f32x4.extract_lane(exp4(f32x4.splat(load<f32>(x + (<usize>i << 2)))), 0));
}
export function tanhArray(out: usize, x: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(out + (<usize>i << 2), f32x4.extract_lane(tanh4(f32x4.splat(load<f32>(x + (<usize>i << 2)))), 0));
}
