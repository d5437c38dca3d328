// The arrays kernels compute on: float32 for work, float64 for exact finite-difference checks (which always run on
// the reference kernels: dispatch.ts).
export type DType = 'float32' | 'float64';
export type FloatArray = Float32Array | Float64Array;
