// nn.ChannelShuffle (channelshuffle.py) and nn.Unflatten (flatten.py; nn.Flatten is in linear.ts).
import type { Tensor } from "../tensor/index.js";
import { argError, checkInt, checkPositiveInt, isInt } from "../validate.js";
import { channelShuffle } from "./functional_shape.js";
import { Module } from "./module.js";
import { py } from "./repr.js";

/** Python: `nn.ChannelShuffle(groups)`: splits the channels into groups and interleaves them. */
export class ChannelShuffle extends Module {
  readonly groups: number;

  constructor(groups: number) {
    super();
    this.groups = checkPositiveInt("nn.ChannelShuffle", "groups", groups);
  }

  forward(x: Tensor): Tensor {
    return channelShuffle(x, this.groups);
  }

  override extraRepr(): string {
    return `groups=${this.groups}`;
  }
}

/**
 * Python: `nn.Unflatten(dim, unflattened_size)`: expands dimension `dim` into `unflattenedSize`
 * (one entry may be -1). Named dimensions (a string dim) need named tensors, which torch-ts has not.
 */
export class Unflatten extends Module {
  readonly dim: number;
  readonly unflattenedSize: number[];

  constructor(dim: number, unflattenedSize: number[]) {
    super();
    const fn = "nn.Unflatten";
    if (typeof dim === "string") throw new TypeError(`${fn}: a named dim ("${dim}") needs named tensors, which torch-ts does not support; pass an integer dim`);
    this.dim = checkInt(fn, "dim", dim);
    if (!Array.isArray(unflattenedSize) || !unflattenedSize.every(isInt)) throw argError(fn, "unflattenedSize", "an array of integers", unflattenedSize);
    this.unflattenedSize = [...unflattenedSize];
  }

  forward(x: Tensor): Tensor {
    return x.unflatten(this.dim, this.unflattenedSize);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${py(this.unflattenedSize)}`;
  }
}
