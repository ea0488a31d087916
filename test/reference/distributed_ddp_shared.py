# Python's side of the DDP comparisons with torch-ts (test/distributed_ddp.test.ts): a model both
# libraries have (a small conv net with BatchNorm), its initial state dict and the data saved as
# .pth files that the torch-ts ranks (distributed_ddp_shared.ts) load, then Debian torch's own
# DistributedDataParallel training it, logging each step's loss. The model is just over 1 MiB
# (the first bucket's limit) and the bucket cap is 10 KiB, so after the first step the reducer
# rebuilds several buckets in gradient-ready order: a mixed Python/torch-ts group must agree on
# the bucket assignment, not just on one all-reduce. Variant "unused": find_unused_parameters,
# with the `aux` head used by rank r only at steps where step + r is even, so the ranks also
# exchange which parameters each one used.
#   usage: distributed_ddp_shared.py init <dir> <world>
#          distributed_ddp_shared.py rank <dir> <world> <rank> <port> <tag> <plain|unused>
import json
import sys

import torch
import torch.distributed as dist
from torch import nn

torch.set_num_threads(1)
STEPS, B = 4, 3
BUCKET_CAP_MB = 0.01


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU(), nn.AdaptiveAvgPool2d(2),
                                      nn.Flatten(), nn.Linear(24, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU())
        self.head = nn.Linear(512, 4)
        self.aux = nn.Linear(512, 4)

    def forward(self, x, use_aux):
        h = self.features(x)
        return self.head(h) + self.aux(h) if use_aux else self.head(h)


def make():
    return Net()


mode, where, world = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode == "init":
    torch.manual_seed(0)
    torch.save(make().state_dict(), f"{where}/init.pth")
    torch.save({"x": torch.randn(STEPS, world * B, 3, 8, 8), "y": torch.randint(0, 4, (STEPS, world * B))}, f"{where}/data.pth")
    print(json.dumps({"ok": True}))
    sys.exit(0)

rank, port, tag, variant = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7]
unused = variant == "unused"
dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
model = make()
model.load_state_dict(torch.load(f"{where}/init.pth"))
data = torch.load(f"{where}/data.pth")
ddp = nn.parallel.DistributedDataParallel(model, bucket_cap_mb=BUCKET_CAP_MB, find_unused_parameters=unused)
opt = torch.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
losses = []
for s in range(STEPS):
    opt.zero_grad()
    x, y = data["x"][s, rank * B:(rank + 1) * B], data["y"][s, rank * B:(rank + 1) * B]
    loss = nn.functional.cross_entropy(ddp(x, (s + rank) % 2 == 0 if unused else True), y)
    loss.backward()
    opt.step()
    losses.append(loss.item())
torch.save(model.state_dict(), f"{where}/{tag}-{rank}.pth")
log = ddp._get_ddp_logging_data()
sizes = lambda key: [int(v) for v in log.get(key, "").replace(",", " ").split()]  # noqa: E731
# find_unused_parameters keeps the initial buckets (1 MiB first, then the cap): no rebuild.
print(json.dumps({"losses": losses, "bucketSizes": sizes("bucket_sizes"), "rebuiltBucketSizes": sizes("rebuilt_bucket_sizes")}))
dist.destroy_process_group()
