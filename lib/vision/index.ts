// torchvision for torch-ts: `import { vision } from "torch-ts"`: models, datasets, transforms.
export * as models from "./resnet.js";
export {
  ResNet, BasicBlock, Bottleneck, BottleBlock, conv1x1, conv3x3, architectures,
  resnet18, resnet34, resnet50, resnet101, resnet152,
  resnext50_32x4d, resnext101_32x8d, resnext101_64x4d, wide_resnet50_2, wide_resnet101_2,
  type ResNetOptions, type BlockClass, type NormLayer, type Architecture,
} from "./resnet.js";
export * as transforms from "./transforms.js";
export * as datasets from "./datasets.js";
export { FashionMNIST, MNIST, ImageFolder, decodeImage } from "./datasets.js";
export type { Image, Chw } from "./image.js";
export { fromPretrained } from "./pretrained.js";
