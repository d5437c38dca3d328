// The tensor layer's public surface.
export { Tensor, IntTensor, tensor, zeros, rand, randn, alloc, sizeOf, type DType, type FloatArray } from './tensor.js';
export * from './ops.js';
export { noGrad, isGradEnabled } from './autograd.js';
export { checkShape, checkLen } from './check.js';
export { ParameterSet } from './parameters.js';
export { Rng, type RngState } from './random.js';
