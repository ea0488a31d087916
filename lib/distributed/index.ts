// torch.distributed on c10d: process groups, collectives and object collectives
// (DistributedDataParallel is nn.parallel.DistributedDataParallel, and also here).
export {
  initProcessGroup, destroyProcessGroup, isInitialized, isAvailable, getRank, getWorldSize, getBackend, newGroup,
  ProcessGroup, DEFAULT_TIMEOUT_MS, type InitProcessGroupOptions,
} from "./process_group.js";
export {
  ReduceOp, allReduce, broadcast, reduce, allGather, gather, scatter, reduceScatter, allToAll, allToAllSingle,
  send, recv, isend, irecv, barrier, type CollectiveOptions, type ReduceOptions,
} from "./collectives.js";
export { broadcastObjectList, allGatherObject } from "./objects.js";
export { Work } from "./work.js";
export { DistributedDataParallel, type DistributedDataParallelOptions } from "./ddp.js";
