// Every pooling module of torch.nn (torch/nn/modules/pooling.py), by family.
export { MaxPool1d, MaxPool2d, MaxPool3d, MaxUnpool1d, MaxUnpool2d, MaxUnpool3d, FractionalMaxPool2d, FractionalMaxPool3d } from "./pooling_max.js";
export { AvgPool1d, AvgPool2d, AvgPool3d, LPPool1d, LPPool2d } from "./pooling_avg.js";
export { AdaptiveMaxPool1d, AdaptiveMaxPool2d, AdaptiveMaxPool3d, AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d } from "./pooling_adaptive.js";
export type { Ints, OptInts, PoolOutput } from "./pooling_args.js";
