// torch.nn.parallel: DistributedDataParallel (lib/distributed/ddp.ts). DataParallel (one
// process driving several GPUs) is not provided; PyTorch itself recommends DDP over it.
export { DistributedDataParallel, type DistributedDataParallelOptions } from "../distributed/ddp.js";
