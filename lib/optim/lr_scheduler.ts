// torch.optim.lr_scheduler: every scheduler of PyTorch 1.13, one import path.
export { LRScheduler, type AnyOptimizer } from "./lr_scheduler_base.js";
export { LambdaLR, MultiplicativeLR, StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR, CosineAnnealingLR, type LrLambda } from "./lr_scheduler_basic.js";
export { SequentialLR, ChainedScheduler } from "./lr_scheduler_compose.js";
export { ReduceLROnPlateau } from "./lr_scheduler_plateau.js";
export { CyclicLR, OneCycleLR, CosineAnnealingWarmRestarts, type CyclicMode, type OneCycleOptions } from "./lr_scheduler_cyclic.js";
