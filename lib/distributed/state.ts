// The default process group's rank and world size, as the code that needs them before a
// torch.distributed exists here reads them (data.DistributedSampler's defaults). null: no
// process group is initialized. initProcessGroup / destroyProcessGroup are to call the setter.

let current: [rank: number, worldSize: number] | null = null;

/** Python: `(dist.get_rank(), dist.get_world_size())` of the default group, or null when none is initialized. */
export function getRankAndWorldSize(): [rank: number, worldSize: number] | null {
  return current === null ? null : [current[0], current[1]];
}

/** The hook for initProcessGroup (a [rank, worldSize]) and destroyProcessGroup (null). */
export function setRankAndWorldSize(state: [rank: number, worldSize: number] | null): void {
  current = state === null ? null : [state[0], state[1]];
}
