// torch-ts's side of distributed_ddp_shared.py: the same model, loaded from Python's initial
// state dict (init.pth), the same data (data.pth) and the same DDP settings (10 KiB buckets),
// training step for step; prints the losses and saves the final state dict to <dir>/<tag>-<rank>.pth.
// Its ranks can share a group with the Python ranks (the mixed test). Variant "unused":
// findUnusedParameters, with `aux` used by rank r only at steps where step + r is even.
//   usage: node --import tsx distributed_ddp_shared.ts <dir> <world> <rank> <port> <tag> <plain|unused>
import path from "node:path";
import * as torch from "../../lib/index.js";

const { nn, distributed: dist } = torch;
type T = torch.Tensor;
const [dir, worldArg, rankArg, port, tag, variant] = process.argv.slice(2) as [string, string, string, string, string, string];
const unused = variant === "unused";
const world = Number(worldArg), rank = Number(rankArg);
const STEPS = 4, B = 3, BUCKET_CAP_MB = 0.01;
torch.setNumThreads(1);

/** Python's Net in distributed_ddp_shared.py, with the same state dict keys. */
class Net extends nn.Module {
  features = new nn.Sequential(new nn.Conv2d(3, 6, 3, { padding: 1 }), new nn.BatchNorm2d(6), new nn.ReLU(), new nn.AdaptiveAvgPool2d(2),
    new nn.Flatten(), new nn.Linear(24, 512), new nn.ReLU(), new nn.Linear(512, 512), new nn.ReLU());
  head = new nn.Linear(512, 4);
  aux = new nn.Linear(512, 4);
  forward(x: T, useAux: boolean): T {
    const h = this.features.call(x);
    return useAux ? this.head.call(h).add(this.aux.call(h)) : this.head.call(h);
  }
}
const model = new Net();
model.loadStateDict(torch.load(path.join(dir, "init.pth")) as Map<string, T>);
const data = torch.load(path.join(dir, "data.pth")) as Map<string, T>;
dist.initProcessGroup({ initMethod: `tcp://127.0.0.1:${port}`, rank, worldSize: world, timeout: 120_000 });
const ddp = new nn.parallel.DistributedDataParallel(model, { bucketCapMb: BUCKET_CAP_MB, findUnusedParameters: unused });
const opt = new torch.optim.SGD(ddp.parameters(), { lr: 0.1, momentum: 0.9 });
const losses: number[] = [];
for (let s = 0; s < STEPS; s++) {
  opt.zeroGrad();
  torch.tidy(() => {
    const x = data.get("x")!.select(0, s).narrow(0, rank * B, B);
    const y = data.get("y")!.select(0, s).narrow(0, rank * B, B);
    const loss = nn.functional.crossEntropy(ddp.call(x, unused ? (s + rank) % 2 === 0 : true) as T, y);
    loss.backward();
    losses.push(loss.item() as number);
  });
  opt.step();
}
torch.save(model.stateDict(), path.join(dir, `${tag}-${rank}.pth`));
console.log(JSON.stringify({ losses }));
dist.destroyProcessGroup();
