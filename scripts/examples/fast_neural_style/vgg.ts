// pytorch/examples fast_neural_style/neural_style/vgg.py: VGG-16's features cut after relu1_2,
// relu2_2, relu3_3 and relu4_3. The original loads torchvision's ImageNet weights; torch-ts has
// no VGG and nothing is downloaded here, so the features are built as torchvision's
// make_layers(cfgs["D"]) and initialised as torchvision's VGG.__init__ does (kaiming_normal_
// fan_out/relu, zero bias) from the global seed, or loaded with --vgg FILE (a state dict).
import * as torch from "../../../lib/index.js";

const { nn } = torch;
type Tensor = torch.Tensor;

const CFG_D = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"] as const;

/** torchvision.models.vgg.make_layers(cfgs["D"]) with VGG's init loop over its convolutions. */
export function vgg16Features(): torch.nn.Module[] {
  const layers: torch.nn.Module[] = [];
  let inChannels = 3;
  for (const v of CFG_D) {
    if (v === "M") layers.push(new nn.MaxPool2d(2, 2));
    else {
      layers.push(new nn.Conv2d(inChannels, v, 3, { padding: 1 }), new nn.ReLU(true));
      inChannels = v;
    }
  }
  for (const m of layers) {
    if (m instanceof nn.Conv2d) {
      torch.nn.init.kaimingNormal_(m.weight, { mode: "fan_out", nonlinearity: "relu" });
      if (m.bias !== null) torch.nn.init.constant_(m.bias, 0);
    }
  }
  return layers;
}

export interface VggOutputs { relu1_2: Tensor; relu2_2: Tensor; relu3_3: Tensor; relu4_3: Tensor }

export class Vgg16 extends nn.Module {
  readonly slice1: torch.nn.Sequential;
  readonly slice2: torch.nn.Sequential;
  readonly slice3: torch.nn.Sequential;
  readonly slice4: torch.nn.Sequential;

  constructor(requiresGrad = false) {
    super();
    const features = vgg16Features();
    const slice = (from: number, to: number) => new nn.Sequential(new Map(features.slice(from, to).map((m, i) => [String(from + i), m])));
    this.slice1 = this.registerModule("slice1", slice(0, 4));
    this.slice2 = this.registerModule("slice2", slice(4, 9));
    this.slice3 = this.registerModule("slice3", slice(9, 16));
    this.slice4 = this.registerModule("slice4", slice(16, 23));
    if (!requiresGrad) for (const param of this.parameters()) param.requiresGrad_(false);
  }

  forward(X: Tensor): VggOutputs {
    const relu1_2 = this.slice1.call(X) as Tensor;
    const relu2_2 = this.slice2.call(relu1_2) as Tensor;
    const relu3_3 = this.slice3.call(relu2_2) as Tensor;
    const relu4_3 = this.slice4.call(relu3_3) as Tensor;
    return { relu1_2, relu2_2, relu3_3, relu4_3 };
  }
}
