// torch-ts rank programs of test/distributed_ddp.test.ts (DDP against one process). Each case
// runs either as one DDP rank (rank >= 0) or as the single process (rank -1) that forwards each
// rank's chunk separately — with BatchNorm, a rank's batch statistics are its chunk's, so only
// that single process is exactly comparable — and averages the chunk losses (DDP averages the
// gradients). Data comes from a fixed seed, the same in every process. Several cases (comma
// separated) run one after the other in one process group, to save process starts. Results: a
// .pth of named tensors in <outDir>/<case>-<world>-<rank>.pth per case and one JSON line of
// metadata ({ case: {...} }) on stdout.
//   usage: node --import tsx distributed_ddp.ts <resnet|unused|nosync>[,...] <world> <rank> <port> <outDir>
import path from "node:path";
import * as torch from "../../lib/index.js";

const { nn, distributed: dist } = torch;
type T = torch.Tensor;
const [whichArg, worldArg, rankArg, portArg, outDir] = process.argv.slice(2) as [string, string, string, string, string];
const world = Number(worldArg), rank = Number(rankArg);
torch.setNumThreads(1);

/** A model whose use of parameters depends on the rank and step: `b` only when asked, `never` never. */
class Branchy extends nn.Module {
  body = new nn.Linear(6, 8);
  a = new nn.Linear(8, 3);
  b = new nn.Linear(8, 3);
  never = new nn.Linear(8, 3);
  forward(x: T, useB: boolean): T {
    const h = this.body.call(x).relu();
    return useB ? this.a.call(h).add(this.b.call(h)) : this.a.call(h);
  }
}

interface Case {
  make(): torch.nn.Module;
  B: number;
  steps: number;
  input: number[];
  classes: number;
  /** Arguments after the input for the forward of `chunk` at `step`. */
  extra(step: number, chunk: number): unknown[];
  ddpOptions?: torch.distributed.DistributedDataParallelOptions;
  dtype: torch.DType;
}
const cases: Record<string, Case> = {
  // float64: on 32x32 inputs ResNet-18's last BatchNorms normalize 2 values per channel (B=2,
  // 1x1 maps), which amplifies rounding ~1e9-fold in 3 steps: in float32 the ulp-level
  // difference between gloo's sum and autograd's accumulation grows to O(1) (so does one single
  // process against itself with the chunk losses summed in reverse order: 11.6), in float64 to ~1e-7.
  resnet: { make: () => torch.vision.resnet18({ numClasses: 10 }), B: 2, steps: 3, input: [3, 32, 32], classes: 10, extra: () => [], dtype: "float64" },
  // Chunk r uses `b` at steps where (step + r) is even: globally used, but not on every rank.
  unused: { make: () => new Branchy(), B: 4, steps: 4, input: [6], classes: 3, extra: (s, r) => [(s + r) % 2 === 0], ddpOptions: { findUnusedParameters: true }, dtype: "float32" },
  // staticGraph: the first iteration reduces through _DDPSink's delayed all-reduce, later ones through the rebuilt buckets.
  static: { make: () => new nn.Sequential(new nn.Linear(5, 7), new nn.Tanh(), new nn.Linear(7, 2)), B: 3, steps: 3, input: [5], classes: 2, extra: () => [], ddpOptions: { staticGraph: true }, dtype: "float32" },
  nosync: { make: () => new nn.Sequential(new nn.Linear(5, 7), new nn.Tanh(), new nn.Linear(7, 2)), B: 3, steps: 2, input: [5], classes: 2, extra: () => [], dtype: "float32" },
};
if (rank >= 0) dist.initProcessGroup({ initMethod: `tcp://127.0.0.1:${portArg}`, rank, worldSize: world, timeout: 120_000 });
const metaOf: Record<string, Record<string, unknown>> = {};
for (const which of whichArg.split(",")) {
  const meta: Record<string, unknown> = {};
  const saved = new Map<string, T>();
  const c = cases[which]!;

  torch.manualSeed(0);
  const model = c.make().to(c.dtype);
  torch.manualSeed(1);
  const X = torch.randn([c.steps, world * c.B, ...c.input], { dtype: c.dtype });
  const Y = torch.randint(0, c.classes, [c.steps, world * c.B]);
  const chunk = (s: number, r: number): [T, T] => [X.select(0, s).narrow(0, r * c.B, c.B), Y.select(0, s).narrow(0, r * c.B, c.B)];
  const lossOf = (m: torch.nn.Module, s: number, r: number) => {
    const [x, y] = chunk(s, r);
    return nn.functional.crossEntropy(m.call(x, ...c.extra(s, r)) as T, y);
  };
  const gradsInto = (prefix: string, m: torch.nn.Module) => {
    for (const [n, p] of m.namedParameters()) if (p.grad) saved.set(prefix + n, p.grad.clone());
  };

  if (which === "nosync") {
    // Step 0 inside noSync (local gradients only), step 1 synced: its reduction averages the
    // gradients accumulated over both steps.
    if (rank < 0) {
      for (let r = 0; r < world; r++) {
        model.zeroGrad();
        lossOf(model, 0, r).backward();
        gradsInto(`nosync.r${r}.`, model);
      }
      model.zeroGrad();
      let total = torch.zeros([]);
      for (let r = 0; r < world; r++) total = total.add(lossOf(model, 0, r)).add(lossOf(model, 1, r));
      total.div(world).backward();
      gradsInto("sync.", model);
    } else {
      const ddp = new nn.parallel.DistributedDataParallel(model);
      ddp.noSync(() => lossOf(ddp, 0, rank).backward());
      gradsInto(`nosync.r${rank}.`, model);
      lossOf(ddp, 1, rank).backward();
      gradsInto("sync.", model);
      meta.stateDictKeys = [...ddp.stateDict().keys()];
      meta.moduleKeys = [...model.stateDict().keys()];
    }
  } else {
    const ddp: torch.nn.Module = rank >= 0 ? new nn.parallel.DistributedDataParallel(model, c.ddpOptions) : model;
    const opt = new torch.optim.SGD(ddp.parameters(), { lr: 0.01, momentum: 0.9 });
    const losses: number[] = [];
    for (let s = 0; s < c.steps; s++) {
      opt.zeroGrad();
      torch.tidy(() => {
        if (rank >= 0) {
          const l = lossOf(ddp, s, rank);
          l.backward();
          losses.push(l.item() as number);
        } else {
          let total = torch.zeros([]);
          for (let r = 0; r < world; r++) total = total.add(lossOf(model, s, r));
          total.div(world).backward();
          losses.push((total.item() as number) / world);
        }
      });
      opt.step();
    }
    for (const [n, p] of model.namedParameters()) saved.set(`param.${n}`, p.detach().clone());
    meta.losses = losses;
    // Python: a parameter no rank used keeps grad None (the reducer leaves it alone).
    if (which === "unused") meta.gradDefined = Object.fromEntries([...model.namedParameters()].map(([n, p]) => [n, p.grad !== null]));
  }
  torch.save(saved, path.join(outDir, `${which}-${world}-${rank}.pth`));
  metaOf[which] = meta;
}
if (rank >= 0) dist.destroyProcessGroup();
console.log(JSON.stringify(metaOf));
