# Python side of scripts/bench/dispatch.ts, served round by round (scripts/bench/peer.py): one
# run() is a loop of `count` calls of the same op as the TypeScript side's.
import torch

from peer import serve


def setup(case):
    torch.set_num_threads(case["threads"])
    count = case["count"]
    if case["op"] == "add":
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
