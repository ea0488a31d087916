// The ResNet family, mirroring torchvision/models/resnet.py line for line: every attribute
// name is a checkpoint key, _make_layer is makeLayer, init is one loop over modules().
import { chainForward, Module } from "../nn/module.js";
import { Conv2d } from "../nn/conv.js";
import { BatchNorm2d } from "../nn/batchnorm.js";
import { ReLU } from "../nn/activation.js";
import { MaxPool2d, AdaptiveAvgPool2d } from "../nn/pooling.js";
import { Flatten, Linear } from "../nn/linear.js";
import { Sequential } from "../nn/container.js";
import { fuseModules } from "../nn/fusion.js";
import { constant_, kaimingNormal_ } from "../nn/init.js";
import type { Tensor } from "../tensor/index.js";
import { argError, checkBool, checkFunction, checkOptions, checkPositiveInt, isInt } from "../validate.js";

/** A norm layer factory (Python: `norm_layer`), BatchNorm2d by default. */
export type NormLayer = (numFeatures: number) => Module & { weight: Tensor | null };

interface BlockOptions {
  stride?: number;
  downsample?: Sequential | null;
  groups?: number;
  baseWidth?: number;
  dilation?: number;
  normLayer?: NormLayer;
  /** The tutorial's variant: convolutions with a bias. */
  convBias?: boolean;
}

/** A residual block class: constructible like BasicBlock and carrying its expansion. */
export type BlockClass = (new (inplanes: number, planes: number, options?: BlockOptions) => Module & { forward(x: Tensor): Tensor }) & {
  readonly expansion: number;
};

const defaultNorm: NormLayer = (n) => new BatchNorm2d(n);
const BLOCK_OPTIONS = ["stride", "downsample", "groups", "baseWidth", "dilation", "normLayer", "convBias"] as const;

/** The options BasicBlock and Bottleneck share, checked under the block's name. */
function blockOptions(fn: string, inplanes: number, planes: number, options: unknown): BlockOptions {
  const o = checkOptions(fn, options, BLOCK_OPTIONS);
  checkPositiveInt(fn, "inplanes", inplanes);
  checkPositiveInt(fn, "planes", planes);
  if (o.stride !== undefined) checkPositiveInt(fn, "stride", o.stride);
  if (o.groups !== undefined) checkPositiveInt(fn, "groups", o.groups);
  if (o.baseWidth !== undefined) checkPositiveInt(fn, "baseWidth", o.baseWidth);
  if (o.dilation !== undefined) checkPositiveInt(fn, "dilation", o.dilation);
  if (o.normLayer !== undefined) checkFunction(fn, "normLayer", o.normLayer);
  if (o.convBias !== undefined) checkBool(fn, "convBias", o.convBias);
  if (o.downsample !== undefined && o.downsample !== null && !(o.downsample instanceof Module)) {
    throw argError(fn, "downsample", "a Module (Sequential(conv1x1, norm)) or null", o.downsample);
  }
  return o as BlockOptions;
}

/** Python: `conv3x3(in_planes, out_planes, stride=1, groups=1, dilation=1)`. */
export function conv3x3(inPlanes: number, outPlanes: number, stride = 1, groups = 1, dilation = 1, bias = false): Conv2d {
  return new Conv2d(inPlanes, outPlanes, 3, { stride, padding: dilation, groups, bias, dilation });
}

/** Python: `conv1x1(in_planes, out_planes, stride=1)`. */
export function conv1x1(inPlanes: number, outPlanes: number, stride = 1, bias = false): Conv2d {
  return new Conv2d(inPlanes, outPlanes, 1, { stride, bias });
}

/** Python: torchvision's `BasicBlock` (expansion 1): two 3x3 convolutions. */
export class BasicBlock extends Module {
  static readonly expansion: number = 1;
  readonly conv1: Conv2d;
  readonly bn1: Module & { weight: Tensor | null };
  readonly relu: ReLU;
  readonly conv2: Conv2d;
  readonly bn2: Module & { weight: Tensor | null };
  readonly downsample: Sequential | null;
  readonly stride: number;

  constructor(inplanes: number, planes: number, options?: BlockOptions) {
    super();
    const o = blockOptions("BasicBlock", inplanes, planes, options);
    const norm = o.normLayer ?? defaultNorm;
    if ((o.groups ?? 1) !== 1 || (o.baseWidth ?? 64) !== 64) throw new TypeError("BasicBlock only supports groups=1 and baseWidth=64");
    if ((o.dilation ?? 1) > 1) throw new TypeError("Dilation > 1 not supported in BasicBlock");
    this.stride = o.stride ?? 1;
    const bias = o.convBias ?? false;
    this.conv1 = this.registerModule("conv1", conv3x3(inplanes, planes, this.stride, 1, 1, bias));
    this.bn1 = this.registerModule("bn1", norm(planes));
    this.relu = this.registerModule("relu", new ReLU({ inplace: true }));
    this.conv2 = this.registerModule("conv2", conv3x3(planes, planes, 1, 1, 1, bias));
    this.bn2 = this.registerModule("bn2", norm(planes));
    // Python assigns None as a plain attribute: only a real downsample is a child (and printed).
    this.downsample = o.downsample ? this.registerModule("downsample", o.downsample) : null;
  }

  forward(x: Tensor): Tensor {
    const identity = this.downsample !== null ? this.downsample.forward(x) : x;
    const out = chainForward(x, [
      (t) => this.conv1.forward(t as Tensor), (t) => this.bn1.forward(t as Tensor), (t) => this.relu.forward(t as Tensor),
      (t) => this.conv2.forward(t as Tensor), (t) => this.bn2.forward(t as Tensor),
    ]) as Tensor;
    out.add_(identity); // out += identity
    if (identity !== x) identity.dispose();
    return this.relu.forward(out);
  }
}

/**
 * Python: torchvision's `Bottleneck` (expansion 4): 1x1, 3x3 (carrying the stride: ResNet
 * v1.5), 1x1. Also exported as BottleBlock, the tutorial's name.
 */
export class Bottleneck extends Module {
  static readonly expansion: number = 4;
  readonly conv1: Conv2d;
  readonly bn1: Module & { weight: Tensor | null };
  readonly conv2: Conv2d;
  readonly bn2: Module & { weight: Tensor | null };
  readonly conv3: Conv2d;
  readonly bn3: Module & { weight: Tensor | null };
  readonly relu: ReLU;
  readonly downsample: Sequential | null;
  readonly stride: number;

  constructor(inplanes: number, planes: number, options?: BlockOptions) {
    super();
    const o = blockOptions("Bottleneck", inplanes, planes, options);
    const norm = o.normLayer ?? defaultNorm;
    const groups = o.groups ?? 1;
    const width = Math.trunc(planes * ((o.baseWidth ?? 64) / 64)) * groups;
    const bias = o.convBias ?? false;
    this.stride = o.stride ?? 1;
    this.conv1 = this.registerModule("conv1", conv1x1(inplanes, width, 1, bias));
    this.bn1 = this.registerModule("bn1", norm(width));
    this.conv2 = this.registerModule("conv2", conv3x3(width, width, this.stride, groups, o.dilation ?? 1, bias));
    this.bn2 = this.registerModule("bn2", norm(width));
    this.conv3 = this.registerModule("conv3", conv1x1(width, planes * Bottleneck.expansion, 1, bias));
    this.bn3 = this.registerModule("bn3", norm(planes * Bottleneck.expansion));
    this.relu = this.registerModule("relu", new ReLU({ inplace: true }));
    // Python assigns None as a plain attribute: only a real downsample is a child (and printed).
    this.downsample = o.downsample ? this.registerModule("downsample", o.downsample) : null;
  }

  forward(x: Tensor): Tensor {
    const identity = this.downsample !== null ? this.downsample.forward(x) : x;
    const out = chainForward(x, [
      (t) => this.conv1.forward(t as Tensor), (t) => this.bn1.forward(t as Tensor), (t) => this.relu.forward(t as Tensor),
      (t) => this.conv2.forward(t as Tensor), (t) => this.bn2.forward(t as Tensor), (t) => this.relu.forward(t as Tensor),
      (t) => this.conv3.forward(t as Tensor), (t) => this.bn3.forward(t as Tensor),
    ]) as Tensor;
    out.add_(identity);
    if (identity !== x) identity.dispose();
    return this.relu.forward(out);
  }
}

/** The tutorial's name for Bottleneck. */
export const BottleBlock = Bottleneck;

export interface ResNetOptions {
  numClasses?: number;
  zeroInitResidual?: boolean;
  groups?: number;
  widthPerGroup?: number;
  replaceStrideWithDilation?: [boolean, boolean, boolean];
  normLayer?: NormLayer;
  /** Input channels of conv1 (3 for RGB; 1 for grayscale data such as Fashion-MNIST). */
  inChannels?: number;
  /** The tutorial's variant: every convolution (downsample's too) has a bias. */
  convBias?: boolean;
  /** Register an nn.Flatten child before fc, as the tutorial does (adds no state-dict keys). Default: convBias. */
  flattenModule?: boolean;
}

/** The option names of ResNet and its factories (fromPretrained adds its own). */
export const RESNET_OPTIONS = ["numClasses", "zeroInitResidual", "groups", "widthPerGroup", "replaceStrideWithDilation", "normLayer",
  "inChannels", "convBias", "flattenModule"] as const;

/** Python: torchvision's `ResNet(block, layers, num_classes=1000, …)`. */
export class ResNet extends Module {
  inplanes = 64;
  dilation = 1;
  readonly groups: number;
  readonly baseWidth: number;
  readonly convBias: boolean;
  readonly normLayer: NormLayer;
  readonly conv1: Conv2d;
  readonly bn1: Module;
  readonly relu: ReLU;
  readonly maxpool: MaxPool2d;
  readonly layer1: Sequential;
  readonly layer2: Sequential;
  readonly layer3: Sequential;
  readonly layer4: Sequential;
  readonly avgpool: AdaptiveAvgPool2d;
  readonly flatten: Flatten | null;
  readonly fc: Linear;

  constructor(block: BlockClass, layers: [number, number, number, number], options?: ResNetOptions) {
    super();
    const o = checkOptions("ResNet", options, RESNET_OPTIONS) as ResNetOptions;
    if (typeof block !== "function" || !isInt(block.expansion) || block.expansion < 1) {
      throw argError("ResNet", "block", "a block class (BasicBlock or Bottleneck)", block);
    }
    if (!Array.isArray(layers) || layers.length !== 4 || !layers.every((n) => Number.isSafeInteger(n) && n >= 1)) {
      throw argError("ResNet", "layers", "four positive integers (blocks per stage)", layers);
    }
    const dilate = o.replaceStrideWithDilation ?? [false, false, false];
    if (!Array.isArray(dilate) || dilate.length !== 3 || !dilate.every((d) => typeof d === "boolean")) {
      throw argError("ResNet", "replaceStrideWithDilation", "null or a 3-element array of booleans", dilate);
    }
    this.normLayer = o.normLayer === undefined ? defaultNorm : checkFunction("ResNet", "normLayer", o.normLayer) as NormLayer;
    this.groups = o.groups === undefined ? 1 : checkPositiveInt("ResNet", "groups", o.groups);
    this.baseWidth = o.widthPerGroup === undefined ? 64 : checkPositiveInt("ResNet", "widthPerGroup", o.widthPerGroup);
    this.convBias = o.convBias === undefined ? false : checkBool("ResNet", "convBias", o.convBias);
    const inChannels = o.inChannels === undefined ? 3 : checkPositiveInt("ResNet", "inChannels", o.inChannels);
    const numClasses = o.numClasses === undefined ? 1000 : checkPositiveInt("ResNet", "numClasses", o.numClasses);
    const zeroInitResidual = o.zeroInitResidual === undefined ? false : checkBool("ResNet", "zeroInitResidual", o.zeroInitResidual);
    const flattenModule = o.flattenModule === undefined ? this.convBias : checkBool("ResNet", "flattenModule", o.flattenModule);

    this.conv1 = this.registerModule("conv1", new Conv2d(inChannels, this.inplanes, 7, { stride: 2, padding: 3, bias: this.convBias }));
    this.bn1 = this.registerModule("bn1", this.normLayer(this.inplanes));
    this.relu = this.registerModule("relu", new ReLU({ inplace: true }));
    this.maxpool = this.registerModule("maxpool", new MaxPool2d(3, { stride: 2, padding: 1 }));
    this.layer1 = this.registerModule("layer1", this.makeLayer(block, 64, layers[0]));
    this.layer2 = this.registerModule("layer2", this.makeLayer(block, 128, layers[1], 2, dilate[0]));
    this.layer3 = this.registerModule("layer3", this.makeLayer(block, 256, layers[2], 2, dilate[1]));
    this.layer4 = this.registerModule("layer4", this.makeLayer(block, 512, layers[3], 2, dilate[2]));
    this.avgpool = this.registerModule("avgpool", new AdaptiveAvgPool2d([1, 1]));
    this.flatten = flattenModule ? this.registerModule("flatten", new Flatten()) : null;
    this.fc = this.registerModule("fc", new Linear(512 * block.expansion, numClasses));

    for (const m of this.modules()) {
      if (m instanceof Conv2d) kaimingNormal_(m.weight, { mode: "fan_out", nonlinearity: "relu" });
      else if (m instanceof BatchNorm2d) {
        if (m.weight) constant_(m.weight, 1);
        if (m.bias) constant_(m.bias, 0);
      }
    }
    if (zeroInitResidual) {
      for (const m of this.modules()) {
        if (m instanceof Bottleneck && m.bn3.weight) constant_(m.bn3.weight, 0);
        else if (m instanceof BasicBlock && m.bn2.weight) constant_(m.bn2.weight, 0);
      }
    }
  }

  /**
   * Python: `_make_layer(block, planes, blocks, stride=1, dilate=False)`: the first block
   * takes the stride and, when the shape changes, a downsample Sequential(conv1x1, norm).
   */
  makeLayer(block: BlockClass, planes: number, blocks: number, stride = 1, dilate = false): Sequential {
    let downsample: Sequential | null = null;
    const previousDilation = this.dilation;
    if (dilate) {
      this.dilation *= stride;
      stride = 1;
    }
    if (stride !== 1 || this.inplanes !== planes * block.expansion) {
      downsample = new Sequential(conv1x1(this.inplanes, planes * block.expansion, stride, this.convBias), this.normLayer(planes * block.expansion));
    }
    const common = { groups: this.groups, baseWidth: this.baseWidth, normLayer: this.normLayer, convBias: this.convBias };
    const layers: Module[] = [new block(this.inplanes, planes, { ...common, stride, downsample, dilation: previousDilation })];
    this.inplanes = planes * block.expansion;
    for (let i = 1; i < blocks; i++) layers.push(new block(this.inplanes, planes, { ...common, dilation: this.dilation }));
    return new Sequential(...layers);
  }

  /**
   * torchvision's quantizable ResNet `fuse_model()`, for float inference: every convolution is
   * folded together with the BatchNorm2d after it (stem, blocks, downsamples) through
   * nn.utils.fuseModules; eval mode only. ReLUs stay separate modules: a block shares one, and
   * in eager mode a fused ReLU would save nothing. As in Python, the state dict changes (the
   * BatchNorm keys go, the convolutions gain biases), so load checkpoints before fusing.
   */
  fuseModel(): this {
    const groups: string[][] = [["conv1", "bn1"]];
    for (const [name, m] of this.namedModules()) {
      if (!(m instanceof BasicBlock || m instanceof Bottleneck)) continue;
      groups.push([`${name}.conv1`, `${name}.bn1`], [`${name}.conv2`, `${name}.bn2`]);
      if (m instanceof Bottleneck) groups.push([`${name}.conv3`, `${name}.bn3`]);
      if (m.downsample !== null) groups.push([`${name}.downsample.0`, `${name}.downsample.1`]);
    }
    return fuseModules(this, groups);
  }

  forward(x: Tensor): Tensor {
    const stem = [this.conv1, this.bn1, this.relu, this.maxpool, this.layer1, this.layer2, this.layer3, this.layer4, this.avgpool];
    return chainForward(x, [
      ...stem.map((m) => (t: unknown) => (m as Module & { forward(t: unknown): unknown }).forward(t)),
      (t) => (this.flatten !== null ? this.flatten.forward(t as Tensor) : (t as Tensor).flatten(1)),
      (t) => this.fc.forward(t as Tensor),
    ]) as Tensor;
  }
}

type Factory = (options?: ResNetOptions) => ResNet;
/**
 * A torchvision factory. Options are checked under its name; the ones the architecture fixes
 * (ResNeXt's groups, a wide ResNet's width) may be given only with that value, as
 * torchvision's _ovewrite_named_param: silently overriding them would build another model.
 */
const make = (name: string, block: BlockClass, layers: [number, number, number, number], fixed: ResNetOptions = {}): Factory =>
  (options) => {
    const fn = `vision.${name}`;
    const o = checkOptions(fn, options, RESNET_OPTIONS);
    for (const [k, v] of Object.entries(fixed)) {
      if (o[k] !== undefined && o[k] !== v) throw argError(fn, k, `${v} (fixed by ${name})`, o[k]);
    }
    return new ResNet(block, layers, { ...o, ...fixed });
  };

/** Python: `torchvision.models.resnet18()` (weights are never downloaded: see fromPretrained). */
export const resnet18 = make("resnet18", BasicBlock, [2, 2, 2, 2]);
export const resnet34 = make("resnet34", BasicBlock, [3, 4, 6, 3]);
export const resnet50 = make("resnet50", Bottleneck, [3, 4, 6, 3]);
export const resnet101 = make("resnet101", Bottleneck, [3, 4, 23, 3]);
export const resnet152 = make("resnet152", Bottleneck, [3, 8, 36, 3]);
export const resnext50_32x4d = make("resnext50_32x4d", Bottleneck, [3, 4, 6, 3], { groups: 32, widthPerGroup: 4 });
export const resnext101_32x8d = make("resnext101_32x8d", Bottleneck, [3, 4, 23, 3], { groups: 32, widthPerGroup: 8 });
export const resnext101_64x4d = make("resnext101_64x4d", Bottleneck, [3, 4, 23, 3], { groups: 64, widthPerGroup: 4 });
export const wide_resnet50_2 = make("wide_resnet50_2", Bottleneck, [3, 4, 6, 3], { widthPerGroup: 128 });
export const wide_resnet101_2 = make("wide_resnet101_2", Bottleneck, [3, 4, 23, 3], { widthPerGroup: 128 });

/** Every factory by its torchvision name. */
export const architectures = {
  resnet18, resnet34, resnet50, resnet101, resnet152,
  resnext50_32x4d, resnext101_32x8d, resnext101_64x4d, wide_resnet50_2, wide_resnet101_2,
} as const;
export type Architecture = keyof typeof architectures;
