// nn.PixelShuffle, nn.PixelUnshuffle (torch/nn/modules/pixelshuffle.py).
import type { Tensor } from "../tensor/index.js";
import { checkPositiveInt } from "../validate.js";
import { pixelShuffle, pixelUnshuffle } from "./functional_python.js";
import { Module } from "./module.js";

/** Python: `nn.PixelShuffle(upscale_factor)`: (N, C·r², H, W) → (N, C, H·r, W·r). */
export class PixelShuffle extends Module {
  readonly upscaleFactor: number;

  constructor(upscaleFactor: number) {
    super();
    this.upscaleFactor = checkPositiveInt("nn.PixelShuffle", "upscaleFactor", upscaleFactor);
  }

  forward(x: Tensor): Tensor {
    return pixelShuffle(x, this.upscaleFactor);
  }

  override extraRepr(): string {
    return `upscale_factor=${this.upscaleFactor}`;
  }
}

/** Python: `nn.PixelUnshuffle(downscale_factor)`: (N, C, H·r, W·r) → (N, C·r², H, W). */
export class PixelUnshuffle extends Module {
  readonly downscaleFactor: number;

  constructor(downscaleFactor: number) {
    super();
    this.downscaleFactor = checkPositiveInt("nn.PixelUnshuffle", "downscaleFactor", downscaleFactor);
  }

  forward(x: Tensor): Tensor {
    return pixelUnshuffle(x, this.downscaleFactor);
  }

  override extraRepr(): string {
    return `downscale_factor=${this.downscaleFactor}`;
  }
}
