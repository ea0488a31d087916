// fromPretrained: build a ResNet and load a checkpoint into it strictly. Nothing is
// downloaded: torchvision hub files (resnet50-0676ba61.pth, …) are files the user has.
import { dispose } from "../memory.js";
import { loadStateDict, type LoadStateDictOptions } from "../serialization/state_dict.js";
import type { Tensor } from "../tensor/index.js";
import { argError, checkOptions } from "../validate.js";
import { architectures, RESNET_OPTIONS, type Architecture, type ResNet, type ResNetOptions } from "./resnet.js";

/**
 * Python: `torchvision.models.resnet50(); model.load_state_dict(torch.load(path))`. Unless
 * given, numClasses, inChannels and convBias are read from the checkpoint (fc.weight,
 * conv1.weight, conv1.bias), so a Fashion-MNIST model trained by train.ts loads as is.
 */
export function fromPretrained(file: string, arch: Architecture,
  options: ResNetOptions & Pick<LoadStateDictOptions, "mapLocation" | "stripPrefix"> = {}): ResNet {
  checkOptions("vision.fromPretrained", options, [...RESNET_OPTIONS, "mapLocation", "stripPrefix"]);
  const factory = Object.hasOwn(architectures, arch) ? architectures[arch] : undefined;
  if (factory === undefined) throw argError("vision.fromPretrained", "arch", `one of ${Object.keys(architectures).join(", ")}`, arch);
  const { mapLocation, stripPrefix, ...modelOptions } = options;
  const stateDict = loadStateDict(file, { mapLocation, stripPrefix });
  try {
    const fc = stateDict.get("fc.weight") as Tensor | undefined;
    const conv1 = stateDict.get("conv1.weight") as Tensor | undefined;
    const model = factory({
      numClasses: fc?.shape[0],
      inChannels: conv1?.shape[1],
      convBias: stateDict.has("conv1.bias"),
      ...modelOptions,
    });
    model.loadStateDict(stateDict, { strict: true });
    return model;
  } finally {
    dispose(stateDict);
  }
}
