// The FMA probe, for one instruction set (included per variant by kernels.cc after vecmath.h): independent chains
// of this variant's widest fused multiply-add, so that nothing but the vector units limits the rate. The benchmark
// times it beside each measurement to state the machine's peak (binding.cc: fmaProbe).

/** Floating-point operations per fma_loop iteration: PROBE_CHAINS vectors of L lanes, 2 operations each. */
constexpr int PROBE_CHAINS = 12;  // more than FMA latency x FMA units (4 x 2 on current cores)

/** Runs `iterations` rounds of PROBE_CHAINS independent vector multiply-adds; returns a value that depends on all. */
static float fma_loop(long iterations) {
  V acc[PROBE_CHAINS];
  for (int c = 0; c < PROBE_CHAINS; c++) acc[c] = V{} + (float)c;
  const V m = V{} + 0.999999f, a = V{} + 1e-6f;  // a contraction toward 1: stays normal, never overflows
  for (long i = 0; i < iterations; i++)
    for (int c = 0; c < PROBE_CHAINS; c++) acc[c] = acc[c] * m + a;
  V s = {};
  for (int c = 0; c < PROBE_CHAINS; c++) s += acc[c];
  float total = 0;
  for (int l = 0; l < L; l++) total += s[l];
  return total;
}
