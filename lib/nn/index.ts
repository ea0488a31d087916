// torch.nn: `import { nn } from "torch-ts"` or `torch.nn.Conv2d`.
export { Module, Parameter, type StateDict, type IncompatibleKeys, type StateDictMetadata } from "./module.js";
export { tracedGraph } from "./forward_async.js";
export { Conv2d, type Conv2dOptions } from "./conv.js";
export { BatchNorm1d, BatchNorm2d, type BatchNormOptions } from "./batchnorm.js";
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from "./pooling.js";
export { Linear, Identity, Flatten } from "./linear.js";
export { ReLU } from "./activation.js";
export { Dropout } from "./dropout.js";
export { Sequential, ModuleList, ModuleDict } from "./container.js";
export { CrossEntropyLoss, MSELoss } from "./loss.js";
export * as functional from "./functional.js";
export * as init from "./init.js";
export * as utils from "./utils.js";
