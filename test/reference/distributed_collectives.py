# One Python rank of test/distributed_collectives.test.ts: Debian torch.distributed (gloo)
# runs every collective on the inputs the test generated and prints one JSON line of results.
# test/reference/distributed_collectives.ts is the same program for torch-ts; the test compares
# the two rank by rank. Where Python's gloo lacks an operation (ReduceOp.AVG, reduce_scatter,
# all_to_all of lists) the result is computed from its definition with collectives gloo has,
# independently of how torch-ts composes it.
# "mixed": the group also holds torch-ts ranks. Then the operations Python's gloo lacks are left
# out: a Python program cannot call them, and the definitions here use other collectives than
# torch-ts's compositions, so the two would issue different operations on the wire.
#   usage: distributed_collectives.py <inputs.json> <rank> <port> [mixed]
import json
import os
import sys
import time

import torch
import torch.distributed as dist

torch.set_num_threads(1)
inputs = json.load(open(sys.argv[1]))
rank, port = int(sys.argv[2]), int(sys.argv[3])
mixed = sys.argv[4:] == ["mixed"]
world = inputs["world"]
dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
me = inputs["ranks"][rank]


class Results(dict):
    """The results; with DIST_TRACE set, each key goes to stderr as it is reached (to locate a hang)."""

    def __setitem__(self, k, v):
        if os.environ.get("DIST_TRACE"):
            print("done", k, file=sys.stderr, flush=True)
        super().__setitem__(k, v)


out = Results()

F32, F64, I64 = torch.float32, torch.float64, torch.int64


def t(name, dtype):
    return torch.tensor(me[name], dtype=dtype)


def chunks(r=rank):
    return [torch.tensor(c, dtype=F32) for c in inputs["ranks"][r]["chunks"]]


OPS = {"SUM": dist.ReduceOp.SUM, "PRODUCT": dist.ReduceOp.PRODUCT, "MIN": dist.ReduceOp.MIN, "MAX": dist.ReduceOp.MAX,
       "BAND": dist.ReduceOp.BAND, "BOR": dist.ReduceOp.BOR, "BXOR": dist.ReduceOp.BXOR}


def all_reduce(x, op):
    if op == "AVG":  # gloo has no AVG: SUM / world
        dist.all_reduce(x, dist.ReduceOp.SUM)
        x.div_(world)
    else:
        dist.all_reduce(x, OPS[op])
    return x


for op in ["SUM", "AVG", "PRODUCT", "MIN", "MAX"]:
    out[f"allReduce.{op}.f32"] = all_reduce(t("p" if op == "PRODUCT" else "f", F32), op).tolist()
    out[f"allReduce.{op}.f64"] = all_reduce(t("d", F64), op).tolist()
    if op != "AVG":
        out[f"allReduce.{op}.i64"] = all_reduce(t("i", I64), op).tolist()
for op in ["BAND", "BOR", "BXOR"]:
    out[f"allReduce.{op}.i64"] = all_reduce(t("bits", I64), op).tolist()
    out[f"allReduce.{op}.u8"] = all_reduce(torch.tensor(me["bits"], dtype=torch.uint8), op).tolist()

x = t("f", F32)
dist.broadcast(x, src=world - 1)
out["broadcast.f32"] = x.tolist()
x = t("i", I64)
dist.broadcast(x, src=0)
out["broadcast.i64"] = x.tolist()

root = 1 % world
for op in ["SUM", "MAX"]:
    x = t("f", F32)
    dist.reduce(x, dst=root, op=OPS[op])
    if rank == root:  # other ranks' tensors are gloo's scratch: unspecified
        out[f"reduce.{op}"] = x.tolist()

outs = [torch.zeros(len(me["f"])) for _ in range(world)]
dist.all_gather(outs, t("f", F32))
out["allGather"] = [o.tolist() for o in outs]

glist = [torch.zeros(len(me["d"]), dtype=F64) for _ in range(world)] if rank == world - 1 else None
dist.gather(t("d", F64), glist, dst=world - 1)
if rank == world - 1:
    out["gather"] = [o.tolist() for o in glist]

x = torch.zeros(3)
dist.scatter(x, chunks() if rank == 0 else None, src=0)
out["scatter"] = x.tolist()

if not mixed:
    # reduce_scatter by its definition: output on rank r = op over ranks j of input_j[r].
    for op in ["SUM", "MAX", "AVG"]:
        for i, c in enumerate(chunks()):
            all_reduce(c, op)
            if i == rank:
                out[f"reduceScatter.{op}"] = c.tolist()

    # all_to_all by its definition: out[j] on rank r = input[r] on rank j (from an all_gather).
    gathered = [torch.zeros(world, 3) for _ in range(world)]
    dist.all_gather(gathered, torch.stack(chunks()))
    out["allToAll"] = [gathered[j][rank].tolist() for j in range(world)]

# all_to_all_single with uneven splits: rank r sends split(r, j) elements to rank j.
split = inputs["split"]
ins = [split[rank][j] for j in range(world)]
outsz = [split[j][rank] for j in range(world)]
y = torch.zeros(sum(outsz))
dist.all_to_all_single(y, torch.tensor(me["a2a"]), outsz, ins)
out["allToAllSingle.uneven"] = y.tolist()
y = torch.zeros(2 * world)
dist.all_to_all_single(y, torch.tensor(me["f"][: 2 * world]))
out["allToAllSingle.even"] = y.tolist()

# send/recv: rank 0 sends to each rank (tag = rank), each sends back its d.
if rank == 0:
    for r in range(1, world):
        dist.send(t("f", F32) * r, r, tag=r)
    for r in range(1, world):
        x = torch.zeros(len(me["d"]), dtype=F64)
        dist.recv(x, r)
        out[f"recv.from{r}"] = x.tolist()
else:
    x = torch.zeros(len(me["f"]))
    dist.recv(x, 0, tag=rank)
    out["recv.from0"] = x.tolist()
    dist.send(t("d", F64), 0)

# isend/irecv around the ring.
x = torch.zeros(len(me["i"]), dtype=I64)
works = [dist.isend(t("i", I64), (rank + 1) % world), dist.irecv(x, (rank - 1) % world)]
for w in works:
    w.wait()
out["isendIrecv"] = x.tolist()

# asyncOp: the last rank joins late, so rank 0's wait is pending for a while.
if rank == world - 1:
    time.sleep(0.3)
x = t("f", F32)
dist.all_reduce(x, async_op=True).wait()
out["asyncOp.allReduce"] = x.tolist()

objs = list(inputs["objects"]) if rank == 1 % world else [None] * len(inputs["objects"])
dist.broadcast_object_list(objs, src=1 % world)
out["broadcastObjectList"] = objs
gathered = [None] * world
dist.all_gather_object(gathered, me["obj"])
out["allGatherObject"] = gathered

if world >= 3:
    # Subgroups: every rank creates every group, in the same order, members or not.
    g02 = dist.new_group([0, 2])
    g12 = dist.new_group([1, 2])
    out["group.rank"] = [dist.get_rank(g02), dist.get_rank(g12)]
    out["group.size"] = [dist.get_world_size(g02), dist.get_world_size(g12)]
    x = t("f", F32)
    dist.all_reduce(x, group=g02)
    out["group02.allReduce"] = x.tolist()
    x = t("i", I64)
    dist.broadcast(x, src=2, group=g02)
    out["group02.broadcast.src2"] = x.tolist()
    x = t("d", F64)
    dist.all_reduce(x, op=dist.ReduceOp.MAX, group=g12)
    out["group12.allReduce.MAX"] = x.tolist()
    if dist.get_rank(g12) >= 0:
        gathered = [None, None]
        dist.all_gather_object(gathered, me["obj"], group=g12)
        out["group12.allGatherObject"] = gathered

dist.barrier()
print(json.dumps(out), flush=True)
dist.destroy_process_group()
