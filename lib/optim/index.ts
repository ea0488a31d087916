// torch.optim: `import { optim } from "torch-ts"`.
export { Optimizer, type OptimizerStateDict, type ParamGroup, type ParamState, type ParamsArg, type Hyper } from "./optimizer.js";
export { Adam, AdamW, type AdamOptions } from "./adam.js";
export { SGD, type SGDOptions } from "./sgd.js";
export * as lr_scheduler from "./lr_scheduler.js";
export { StepLR, MultiStepLR, CosineAnnealingLR, OneCycleLR, LRScheduler } from "./lr_scheduler.js";
