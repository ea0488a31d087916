// pytorch/examples super_resolution/model.py: the efficient sub-pixel CNN (Shi et al., 2016),
// four convolutions then PixelShuffle, weights orthogonally initialised with ReLU's gain.
import * as torch from "../../../lib/index.js";

const { nn } = torch;
const init = torch.nn.init;

export class Net extends nn.Module {
  readonly relu = this.registerModule("relu", new nn.ReLU());
  readonly conv1 = this.registerModule("conv1", new nn.Conv2d(1, 64, [5, 5], [1, 1], [2, 2]));
  readonly conv2 = this.registerModule("conv2", new nn.Conv2d(64, 64, [3, 3], [1, 1], [1, 1]));
  readonly conv3 = this.registerModule("conv3", new nn.Conv2d(64, 32, [3, 3], [1, 1], [1, 1]));
  readonly conv4: torch.nn.Conv2d;
  readonly pixel_shuffle: torch.nn.PixelShuffle;

  constructor(upscaleFactor: number) {
    super();
    this.conv4 = this.registerModule("conv4", new nn.Conv2d(32, upscaleFactor ** 2, [3, 3], [1, 1], [1, 1]));
    this.pixel_shuffle = this.registerModule("pixel_shuffle", new nn.PixelShuffle(upscaleFactor));
    this.initializeWeights();
  }

  forward(x: torch.Tensor): torch.Tensor {
    x = this.relu.call(this.conv1.call(x));
    x = this.relu.call(this.conv2.call(x));
    x = this.relu.call(this.conv3.call(x));
    return this.pixel_shuffle.call(this.conv4.call(x));
  }

  initializeWeights(): void {
    init.orthogonal_(this.conv1.weight, init.calculateGain("relu"));
    init.orthogonal_(this.conv2.weight, init.calculateGain("relu"));
    init.orthogonal_(this.conv3.weight, init.calculateGain("relu"));
    init.orthogonal_(this.conv4.weight);
  }
}
