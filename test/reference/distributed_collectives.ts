// One torch-ts rank of test/distributed_collectives.test.ts: the same program as
// distributed_collectives.py, step for step, on torch-ts's torch.distributed; prints one JSON
// line of results under the same keys. Keys under "ts." are torch-ts-only observations (the
// event loop during an async wait) that Python has no counterpart for.
// "mixed": the group also holds Python ranks; reduceScatter and allToAll (lists), which Python's
// gloo lacks, are left out, as distributed_collectives.py explains.
//   usage: node --import tsx distributed_collectives.ts <inputs.json> <rank> <port> [mixed]
import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import * as torch from "../../lib/index.js";
import { plain } from "./distributed_run.js";

const dist = torch.distributed;
type DType = torch.DType;
torch.setNumThreads(1);
const inputs = JSON.parse(fs.readFileSync(process.argv[2]!, "utf8"));
const rank = Number(process.argv[3]), port = Number(process.argv[4]);
const mixed = process.argv[5] === "mixed";
const world: number = inputs.world;
dist.initProcessGroup({ initMethod: `tcp://127.0.0.1:${port}`, rank, worldSize: world, timeout: 120_000 });
const me = inputs.ranks[rank];
// With DIST_TRACE set, each key goes to stderr as it is reached (to locate a hang).
const out: Record<string, unknown> = new Proxy({} as Record<string, unknown>, {
  set(o, k, v) {
    if (process.env.DIST_TRACE) console.error("done", String(k));
    o[k as string] = v;
    return true;
  },
});

const t = (name: string, dtype: DType) => torch.tensor(me[name], { dtype });
const chunks = () => (me.chunks as number[][]).map((c) => torch.tensor(c, { dtype: "float32" }));
type Op = "SUM" | "AVG" | "PRODUCT" | "MIN" | "MAX" | "BAND" | "BOR" | "BXOR";
const allReduce = (x: torch.Tensor, op: Op) => (dist.allReduce(x, { op }), x);

for (const op of ["SUM", "AVG", "PRODUCT", "MIN", "MAX"] as const) {
  out[`allReduce.${op}.f32`] = allReduce(t(op === "PRODUCT" ? "p" : "f", "float32"), op).tolist();
  out[`allReduce.${op}.f64`] = allReduce(t("d", "float64"), op).tolist();
  if (op !== "AVG") out[`allReduce.${op}.i64`] = allReduce(t("i", "int64"), op).tolist();
}
for (const op of ["BAND", "BOR", "BXOR"] as const) {
  out[`allReduce.${op}.i64`] = allReduce(t("bits", "int64"), op).tolist();
  out[`allReduce.${op}.u8`] = allReduce(t("bits", "uint8"), op).tolist();
}

let x = t("f", "float32");
dist.broadcast(x, world - 1);
out["broadcast.f32"] = x.tolist();
x = t("i", "int64");
dist.broadcast(x, 0);
out["broadcast.i64"] = x.tolist();

const root = 1 % world;
for (const op of ["SUM", "MAX"] as const) {
  x = t("f", "float32");
  dist.reduce(x, root, { op });
  if (rank === root) out[`reduce.${op}`] = x.tolist();
}

const outs = Array.from({ length: world }, () => torch.zeros([me.f.length]));
dist.allGather(outs, t("f", "float32"));
out["allGather"] = outs.map((o) => o.tolist());

const glist = rank === world - 1 ? Array.from({ length: world }, () => torch.zeros([me.d.length], { dtype: "float64" })) : null;
dist.gather(t("d", "float64"), glist, world - 1);
if (glist) out["gather"] = glist.map((o) => o.tolist());

x = torch.zeros([3]);
dist.scatter(x, rank === 0 ? chunks() : null, 0);
out["scatter"] = x.tolist();

if (!mixed) {
  for (const op of ["SUM", "MAX", "AVG"] as const) {
    x = torch.zeros([3]);
    dist.reduceScatter(x, chunks(), { op });
    out[`reduceScatter.${op}`] = x.tolist();
  }

  const a2a = Array.from({ length: world }, () => torch.zeros([3]));
  dist.allToAll(a2a, chunks());
  out["allToAll"] = a2a.map((o) => o.tolist());
}

const split: number[][] = inputs.split;
const ins = split[rank]!;
const outsz = split.map((s) => s[rank]!);
let y = torch.zeros([outsz.reduce((a, b) => a + b, 0)]);
dist.allToAllSingle(y, torch.tensor(me.a2a), { outputSplitSizes: outsz, inputSplitSizes: ins });
out["allToAllSingle.uneven"] = y.tolist();
y = torch.zeros([2 * world]);
dist.allToAllSingle(y, torch.tensor(me.f.slice(0, 2 * world)));
out["allToAllSingle.even"] = y.tolist();

if (rank === 0) {
  for (let r = 1; r < world; r++) dist.send(t("f", "float32").mul(r), r, { tag: r });
  for (let r = 1; r < world; r++) {
    x = torch.zeros([me.d.length], { dtype: "float64" });
    dist.recv(x, r);
    out[`recv.from${r}`] = x.tolist();
  }
} else {
  x = torch.zeros([me.f.length]);
  dist.recv(x, 0, { tag: rank });
  out["recv.from0"] = x.tolist();
  dist.send(t("d", "float64"), 0);
}

x = torch.zeros([me.i.length], { dtype: "int64" });
const works = [dist.isend(t("i", "int64"), (rank + 1) % world)!, dist.irecv(x, (rank - 1 + world) % world)!];
for (const w of works) await w.wait();
out["isendIrecv"] = x.tolist();

// asyncOp: the last rank joins 300 ms late; meanwhile rank 0's `await work.wait()` must
// leave the event loop free, so a 20 ms timer fires before the wait resolves.
if (rank === world - 1) await sleep(300);
x = t("f", "float32");
const work = dist.allReduce(x, { asyncOp: true })!;
const completedAtLaunch = work.isCompleted();
let timerFired = false;
const timer = setTimeout(() => (timerFired = true), 20);
const waited = await work.wait();
clearTimeout(timer);
out["asyncOp.allReduce"] = x.tolist();
out["ts.asyncOp"] = { completedAtLaunch, timerFired, waited, completedAfter: work.isCompleted() };

const objs: unknown[] = rank === 1 % world ? [...inputs.objects] : inputs.objects.map(() => null);
dist.broadcastObjectList(objs, 1 % world);
out["broadcastObjectList"] = plain(objs);
const gathered: unknown[] = Array.from({ length: world }, () => null);
dist.allGatherObject(gathered, me.obj);
out["allGatherObject"] = plain(gathered);

if (world >= 3) {
  const g02 = dist.newGroup([0, 2]);
  const g12 = dist.newGroup([1, 2]);
  out["group.rank"] = [dist.getRank(g02), dist.getRank(g12)];
  out["group.size"] = [dist.getWorldSize(g02), dist.getWorldSize(g12)];
  x = t("f", "float32");
  dist.allReduce(x, { group: g02 });
  out["group02.allReduce"] = x.tolist();
  x = t("i", "int64");
  dist.broadcast(x, 2, { group: g02 });
  out["group02.broadcast.src2"] = x.tolist();
  x = t("d", "float64");
  dist.allReduce(x, { op: "MAX", group: g12 });
  out["group12.allReduce.MAX"] = x.tolist();
  if (dist.getRank(g12) >= 0) {
    const g: unknown[] = [null, null];
    dist.allGatherObject(g, me.obj, { group: g12 });
    out["group12.allGatherObject"] = plain(g);
  }
}

dist.barrier();
console.log(JSON.stringify(out));
dist.destroyProcessGroup();
