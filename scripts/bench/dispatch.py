# Python side of scripts/bench/dispatch.ts, served round by round (scripts/bench/peer.py): one
# run() is a loop of `count` calls of the same op as the TypeScript side's.
import torch

from peer import serve


def setup(case):
    torch.set_num_threads(case["threads"])
    count = case["count"]
    op = case["op"]
    # The long-tail ops, each in its own loop (no lambda call per iteration on this side).
    c = [torch.rand(4), torch.rand(4), torch.rand(4)]
    x2 = torch.rand(4, 4)
    gather_index = torch.tensor([[0, 1], [1, 2], [2, 3], [3, 0]])
    if op == "addcmul":
        def run():
            for _ in range(count):
                torch.addcmul(c[0], c[1], c[2], value=2)
    elif op == "topk":
        def run():
            for _ in range(count):
                c[0].topk(2)
    elif op == "index":
        def run():
            for _ in range(count):
                x2[0, 1:3]
    elif op == "gather":
        def run():
            for _ in range(count):
                x2.gather(1, gather_index)
    elif op == "cumsum":
        def run():
            for _ in range(count):
                x2.cumsum(1)
    elif op == "sum":
        def run():
            for _ in range(count):
                x2.sum(1, keepdim=True)
    elif op == "add":
        a, b = torch.rand(1), torch.rand(1)

        def run():
            for _ in range(count):
                a.add(b)
    else:
        m1, m2 = torch.rand(64, 64), torch.rand(64, 64)

        def run():
            for _ in range(count):
                m1.matmul(m2)
    return run


serve(setup)
