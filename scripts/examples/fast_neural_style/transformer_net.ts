// pytorch/examples fast_neural_style/neural_style/transformer_net.py: Johnson et al.'s image
// transformation network (reflection-padded convolutions, instance norm, five residual blocks,
// nearest-upsample-then-convolve instead of transposed convolutions).
import * as torch from "../../../lib/index.js";

const { nn } = torch;
type Tensor = torch.Tensor;

export class ConvLayer extends nn.Module {
  readonly reflection_pad: torch.nn.ReflectionPad2d;
  readonly conv2d: torch.nn.Conv2d;
  constructor(inChannels: number, outChannels: number, kernelSize: number, stride: number) {
    super();
    const reflectionPadding = Math.floor(kernelSize / 2);
    this.reflection_pad = this.registerModule("reflection_pad", new nn.ReflectionPad2d(reflectionPadding));
    this.conv2d = this.registerModule("conv2d", new nn.Conv2d(inChannels, outChannels, kernelSize, stride));
  }

  forward(x: Tensor): Tensor {
    return this.conv2d.call(this.reflection_pad.call(x));
  }
}

/** Residual block (https://arxiv.org/abs/1512.03385, http://torch.ch/blog/2016/02/04/resnets.html). */
export class ResidualBlock extends nn.Module {
  readonly conv1: ConvLayer;
  readonly in1: torch.nn.InstanceNorm2d;
  readonly conv2: ConvLayer;
  readonly in2: torch.nn.InstanceNorm2d;
  readonly relu: torch.nn.ReLU;
  constructor(channels: number) {
    super();
    this.conv1 = this.registerModule("conv1", new ConvLayer(channels, channels, 3, 1));
    this.in1 = this.registerModule("in1", new nn.InstanceNorm2d(channels, { affine: true }));
    this.conv2 = this.registerModule("conv2", new ConvLayer(channels, channels, 3, 1));
    this.in2 = this.registerModule("in2", new nn.InstanceNorm2d(channels, { affine: true }));
    this.relu = this.registerModule("relu", new nn.ReLU());
  }

  forward(x: Tensor): Tensor {
    const residual = x;
    let out = this.relu.call(this.in1.call(this.conv1.call(x)));
    out = this.in2.call(this.conv2.call(out));
    return out.add(residual);
  }
}

/** Upsamples then convolves: fewer checkerboard artifacts than ConvTranspose2d (distill.pub/2016/deconv-checkerboard). */
export class UpsampleConvLayer extends nn.Module {
  readonly reflection_pad: torch.nn.ReflectionPad2d;
  readonly conv2d: torch.nn.Conv2d;
  constructor(inChannels: number, outChannels: number, kernelSize: number, stride: number, readonly upsample: number | null = null) {
    super();
    this.reflection_pad = this.registerModule("reflection_pad", new nn.ReflectionPad2d(Math.floor(kernelSize / 2)));
    this.conv2d = this.registerModule("conv2d", new nn.Conv2d(inChannels, outChannels, kernelSize, stride));
  }

  forward(x: Tensor): Tensor {
    let xIn = x;
    if (this.upsample) xIn = torch.nn.functional.interpolate(xIn, { mode: "nearest", scaleFactor: this.upsample });
    return this.conv2d.call(this.reflection_pad.call(xIn));
  }
}

export class TransformerNet extends nn.Module {
  // Initial convolution layers
  readonly conv1 = this.registerModule("conv1", new ConvLayer(3, 32, 9, 1));
  readonly in1 = this.registerModule("in1", new nn.InstanceNorm2d(32, { affine: true }));
  readonly conv2 = this.registerModule("conv2", new ConvLayer(32, 64, 3, 2));
  readonly in2 = this.registerModule("in2", new nn.InstanceNorm2d(64, { affine: true }));
  readonly conv3 = this.registerModule("conv3", new ConvLayer(64, 128, 3, 2));
  readonly in3 = this.registerModule("in3", new nn.InstanceNorm2d(128, { affine: true }));
  // Residual layers
  readonly res1 = this.registerModule("res1", new ResidualBlock(128));
  readonly res2 = this.registerModule("res2", new ResidualBlock(128));
  readonly res3 = this.registerModule("res3", new ResidualBlock(128));
  readonly res4 = this.registerModule("res4", new ResidualBlock(128));
  readonly res5 = this.registerModule("res5", new ResidualBlock(128));
  // Upsampling Layers
  readonly deconv1 = this.registerModule("deconv1", new UpsampleConvLayer(128, 64, 3, 1, 2));
  readonly in4 = this.registerModule("in4", new nn.InstanceNorm2d(64, { affine: true }));
  readonly deconv2 = this.registerModule("deconv2", new UpsampleConvLayer(64, 32, 3, 1, 2));
  readonly in5 = this.registerModule("in5", new nn.InstanceNorm2d(32, { affine: true }));
  readonly deconv3 = this.registerModule("deconv3", new ConvLayer(32, 3, 9, 1));
  // Non-linearities
  readonly relu = this.registerModule("relu", new nn.ReLU());

  forward(X: Tensor): Tensor {
    let y = this.relu.call(this.in1.call(this.conv1.call(X)));
    y = this.relu.call(this.in2.call(this.conv2.call(y)));
    y = this.relu.call(this.in3.call(this.conv3.call(y)));
    for (const res of [this.res1, this.res2, this.res3, this.res4, this.res5]) y = res.call(y);
    y = this.relu.call(this.in4.call(this.deconv1.call(y)));
    y = this.relu.call(this.in5.call(this.deconv2.call(y)));
    return this.deconv3.call(y);
  }
}
