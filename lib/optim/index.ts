// torch.optim: `import { optim } from "torch-ts"`.
export { Optimizer, type OptimizerStateDict, type ParamGroup, type ParamState, type ParamsArg, type ParamUpdate, type Hyper } from "./optimizer.js";
export { Adam, AdamW, type AdamOptions } from "./adam.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { ASGD, type ASGDOptions } from "./asgd.js";
export { Adadelta, type AdadeltaOptions } from "./adadelta.js";
export { Adagrad, type AdagradOptions } from "./adagrad.js";
export { Adamax, type AdamaxOptions } from "./adamax.js";
export { LBFGS, type LBFGSOptions } from "./lbfgs.js";
export { NAdam, type NAdamOptions } from "./nadam.js";
export { RAdam, type RAdamOptions } from "./radam.js";
export { RMSprop, type RMSpropOptions } from "./rmsprop.js";
export { Rprop, type RpropOptions } from "./rprop.js";
export { SparseAdam, type SparseAdamOptions } from "./sparse_adam.js";
export * as lr_scheduler from "./lr_scheduler.js";
export {
  LRScheduler, LambdaLR, MultiplicativeLR, StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, SequentialLR, PolynomialLR,
  CosineAnnealingLR, ChainedScheduler, ReduceLROnPlateau, CyclicLR, OneCycleLR, CosineAnnealingWarmRestarts,
} from "./lr_scheduler.js";
export * as swa_utils from "./swa_utils.js";
