# Python side of scripts/bench/ddp.ts: one rank of a Python DDP run (Gloo, CPU, one thread),
# the same ResNet-18 with a 1-channel stem (Fashion-MNIST-shaped 1x28x28 inputs) and the same
# steps as a torch-ts rank. Started by ddp.ts with RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT,
# BENCH_BATCH, BENCH_WARMUP, BENCH_STEPS; rank 0 prints one JSON line.
import json, os, time
import torch, torchvision
import torch.distributed as dist

torch.set_num_threads(1)
dist.init_process_group("gloo", init_method="env://")
rank, world = dist.get_rank(), dist.get_world_size()
batch, warmup, steps = (int(os.environ[k]) for k in ("BENCH_BATCH", "BENCH_WARMUP", "BENCH_STEPS"))
torch.manual_seed(0)
model = torchvision.models.resnet18(num_classes=10)
model.conv1 = torch.nn.Conv2d(1, 64, 7, 2, 3, bias=False)
ddp = torch.nn.parallel.DistributedDataParallel(model)
opt = torch.optim.SGD(ddp.parameters(), lr=0.01, momentum=0.9)
loss_fn = torch.nn.CrossEntropyLoss()
torch.manual_seed(1 + rank)
x = torch.randn(batch, 1, 28, 28)
y = torch.randint(0, 10, (batch,))


def step():
    opt.zero_grad()
    loss = loss_fn(ddp(x), y)
    loss.backward()
    opt.step()
    return loss.item()


for _ in range(warmup):
    step()
dist.barrier()
t0 = time.perf_counter()
for _ in range(steps):
    loss = step()
dist.barrier()
seconds = time.perf_counter() - t0
if rank == 0:
    print(json.dumps({"images_per_second": world * batch * steps / seconds, "seconds": seconds, "loss": loss}), flush=True)
dist.destroy_process_group()
