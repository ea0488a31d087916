// torch.masked: PyTorch's masked reductions and normalizations (torch/masked/_ops.py of 1.13),
// each taking a `mask` (a tensor broadcastable to the input, read as bool) whose false elements
// are left out. Strided tensors only: sparse layouts are refused with a TypeError. MaskedTensor
// is not ported.
export { sum, prod, amax, amin, argmax, argmin, mean, median, logsumexp, norm, var_ as var, std, type ReductionOptions } from "./reductions.js";
export { cumsum, cumprod, softmax, logSoftmax, softmin, normalize, logaddexp, type NormalizationOptions } from "./normalizations.js";
