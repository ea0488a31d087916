// Models built identically here and in test/reference/nn_models.py, for the nn suites:
// each builder mirrors its Python twin one to one (same layers, options and order).
import * as torch from "torch-ts";

const { nn } = torch;
export type Module = InstanceType<typeof nn.Module>;

export const INIT: Record<string, () => Module> = {
  "Conv2d(3, 8, 3)": () => new nn.Conv2d(3, 8, 3),
  "Conv2d(4, 6, (3, 5), stride=2, groups=2, bias=False)": () => new nn.Conv2d(4, 6, [3, 5], { stride: 2, groups: 2, bias: false }),
  "Linear(20, 10)": () => new nn.Linear(20, 10),
  "Linear(7, 3, bias=False)": () => new nn.Linear(7, 3, { bias: false }),
  "BatchNorm2d(5)": () => new nn.BatchNorm2d(5),
  "BatchNorm1d(4, affine=False)": () => new nn.BatchNorm1d(4, { affine: false }),
  "Sequential(Conv2d, BatchNorm2d, ReLU, Flatten, Linear)": () =>
    new nn.Sequential(new nn.Conv2d(2, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.Flatten(), new nn.Linear(64, 5)),
};

export const cnn = () => new nn.Sequential(
  new nn.Conv2d(3, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.ReLU(), new nn.MaxPool2d(2),
  new nn.Conv2d(8, 16, 3, { stride: 2, padding: 1, groups: 2, bias: false }), new nn.BatchNorm2d(16), new nn.ReLU({ inplace: true }),
  new nn.AvgPool2d(2, { ceilMode: true }), new nn.AdaptiveAvgPool2d([2, 2]), new nn.Flatten(), new nn.Dropout(0.25), new nn.Linear(64, 10));

export const everyLayer = () => new nn.Sequential(
  new nn.Conv2d(3, 8, 3),
  new nn.Conv2d(8, 8, [3, 5], { stride: [2, 1], padding: [1, 2], dilation: 2, groups: 4, bias: false }),
  new nn.BatchNorm2d(8),
  new nn.BatchNorm2d(8, { eps: 1e-3, momentum: null, affine: false }),
  new nn.BatchNorm1d(4, { momentum: 0.01, trackRunningStats: false }),
  new nn.ReLU(), new nn.ReLU({ inplace: true }),
  new nn.MaxPool2d(2), new nn.MaxPool2d([3, 2], { stride: [2, 1], padding: 1, dilation: [1, 2], ceilMode: true }),
  new nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
  new nn.AdaptiveAvgPool2d([3, 4]), new nn.AdaptiveAvgPool2d(5),
  new nn.Flatten(), new nn.Flatten(0, -2),
  new nn.Linear(16, 4), new nn.Linear(4, 2, { bias: false }),
  new nn.Dropout(), new nn.Dropout(0.25),
  new nn.Identity(),
  new nn.ModuleList([new nn.ReLU(), new nn.Linear(2, 2)]), new nn.ModuleList(),
  new nn.ModuleDict({ act: new nn.ReLU(), proj: new nn.Linear(2, 3) }),
  new nn.Sequential(new nn.Identity(), new nn.Sequential(new nn.ReLU())),
  new nn.CrossEntropyLoss(), new nn.MSELoss(), new nn.CrossEntropyLoss({ weight: torch.ones(3), labelSmoothing: 0.1 }));

export const nested = () => new nn.Sequential(
  new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2)),
  new nn.ModuleList([new nn.Linear(2, 2), new nn.Sequential(new nn.BatchNorm1d(2), new nn.Linear(2, 1, { bias: false }))]),
  new nn.ModuleDict({ head: new nn.Linear(1, 1), norm: new nn.BatchNorm1d(1), inner: new nn.ModuleDict({ a: new nn.Linear(1, 2) }) }));

export const shared = () => {
  const lin = new nn.Linear(3, 3);
  return new nn.Sequential(
    new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2), lin,
    new nn.ModuleList([new nn.ReLU(), lin, new nn.Linear(3, 2, { bias: false })]),
    new nn.ModuleDict({ head: new nn.Linear(2, 2), again: lin, bn: new nn.BatchNorm1d(2) }));
};

export class WithBuffers extends nn.Module {
  readonly lin: InstanceType<typeof nn.Linear>;
  constructor() {
    super();
    this.registerBuffer("kept", torch.zeros(2));
    this.registerBuffer("scratch", torch.zeros(3), { persistent: false });
    this.registerBuffer("unset", null);
    this.lin = this.registerModule("lin", new nn.Linear(2, 2));
    this.registerParameter("scale", torch.ones(1));
  }
  forward(x: torch.Tensor): torch.Tensor {
    return this.lin.forward(x);
  }
}

export const loadModel = () => new nn.Sequential(new nn.Conv2d(2, 3, 3), new nn.BatchNorm2d(3), new nn.Flatten(), new nn.Linear(12, 4));

export const MODELS: Record<string, () => Module> = { every_layer: everyLayer, nested, shared, with_buffers: () => new WithBuffers(), load: loadModel, cnn };

/** Single layers run forward (and backward to the input and parameters) against PyTorch. */
export interface LayerCase {
  build: () => Module;
  input: number[];
  /** A second input: int64 class indices below `high`, or floats when high is absent. */
  target?: { shape: number[]; high?: number };
  eval?: boolean;
}
export const LAYERS: Record<string, LayerCase> = {
  "Conv2d(3, 4, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(2, 1))": {
    build: () => new nn.Conv2d(3, 4, [3, 2], { stride: [2, 1], padding: [1, 2], dilation: [2, 1] }), input: [2, 3, 7, 9],
  },
  "Conv2d(4, 6, 3, groups=2, bias=False) on a 3-D input": { build: () => new nn.Conv2d(4, 6, 3, { groups: 2, bias: false }), input: [4, 7, 9] },
  "ReLU()": { build: () => new nn.ReLU(), input: [3, 4, 5] },
  "MaxPool2d((3, 2), stride=(2, 1), padding=1, dilation=(1, 2), ceil_mode=True)": {
    build: () => new nn.MaxPool2d([3, 2], { stride: [2, 1], padding: 1, dilation: [1, 2], ceilMode: true }), input: [2, 3, 7, 9],
  },
  "AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)": {
    build: () => new nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), input: [2, 3, 7, 9],
  },
  "AvgPool2d((2, 3), divisor_override=4)": { build: () => new nn.AvgPool2d([2, 3], { divisorOverride: 4 }), input: [2, 3, 7, 9] },
  "AdaptiveAvgPool2d((3, 4))": { build: () => new nn.AdaptiveAvgPool2d([3, 4]), input: [2, 3, 7, 9] },
  "AdaptiveAvgPool2d(2) on a 3-D input": { build: () => new nn.AdaptiveAvgPool2d(2), input: [3, 7, 9] },
  "Flatten()": { build: () => new nn.Flatten(), input: [2, 3, 4, 5] },
  "Flatten(0, -2)": { build: () => new nn.Flatten(0, -2), input: [2, 3, 4, 5] },
  "Linear(5, 3) on a 3-D input": { build: () => new nn.Linear(5, 3), input: [2, 4, 5] },
  "Linear(5, 3, bias=False)": { build: () => new nn.Linear(5, 3, { bias: false }), input: [4, 5] },
  "Dropout(0.4) in training (seeded)": { build: () => new nn.Dropout(0.4), input: [6, 8] },
  "Dropout(0.4) in eval": { build: () => new nn.Dropout(0.4), input: [6, 8], eval: true },
  "Identity()": { build: () => new nn.Identity(), input: [3, 4] },
  "BatchNorm1d(5) in eval": { build: () => new nn.BatchNorm1d(5), input: [6, 5], eval: true },
  "Sequential(Linear, ReLU, the same Linear): a repeated module runs each time": {
    build: () => {
      const lin = new nn.Linear(3, 3);
      return new nn.Sequential(lin, new nn.ReLU(), lin);
    },
    input: [4, 3],
  },
  "CrossEntropyLoss(weight, ignore_index=2, label_smoothing=0.1, reduction='sum')": {
    build: () => new nn.CrossEntropyLoss({ weight: torch.linspace(0.5, 2, 5), ignoreIndex: 2, labelSmoothing: 0.1, reduction: "sum" }),
    input: [6, 5], target: { shape: [6], high: 5 },
  },
  "MSELoss(reduction='none')": { build: () => new nn.MSELoss({ reduction: "none" }), input: [3, 4], target: { shape: [3, 4] } },
};
