// torch.nn.functional entries that are plain ATen ops in PyTorch but missing from the
// generated nn namespace (Python binds them from torch.*): channel_shuffle.
import * as ops from "../tensor/ops.generated.js";
import { alias } from "./functional_util.js";

/** Python: `F.channel_shuffle(input, groups)`: (N, g·k, ...) → channels interleaved across the g groups. */
export const channelShuffle = alias("channelShuffle", ops.channelShuffle);
/** Python: `F.native_channel_shuffle(input, groups)`: the native kernel of channel_shuffle. */
export const nativeChannelShuffle = alias("nativeChannelShuffle", ops.nativeChannelShuffle);
