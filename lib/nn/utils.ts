// torch.nn.utils: the parts this project has (conv/Linear–BatchNorm fusion for inference).
export { fuseConvBnEval, fuseConvBnWeights, fuseLinearBnEval, fuseLinearBnWeights, fuseModules } from "./fusion.js";
export * as rnn from "./utils_rnn.js";
export { clipGradNorm_, clipGradValue_, type TensorOrTensors } from "./utils_clip_grad.js";
export { parametersToVector, vectorToParameters } from "./utils_convert_parameters.js";
export { weightNorm, removeWeightNorm } from "./utils_weight_norm.js";
export { spectralNorm, removeSpectralNorm } from "./utils_spectral_norm.js";
