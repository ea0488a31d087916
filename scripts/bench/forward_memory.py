# Peak RSS of one forward (eval, no_grad) or one training step of pytorch/examples mnist's Net at
# batch 1000, in PyTorch: the reference for scripts/bench/forward_memory.ts. argv: eval|train.
# Prints the peak above the RSS before the step, in MiB (Linux: VmHWM reset by clear_refs).
import sys

import torch
import torch.nn.functional as F
from torch import nn

torch.set_num_threads(2)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


def kib(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(key))


def step(model, x, target, mode):
    if mode == "eval":
        with torch.no_grad():
            return model(x)
    F.nll_loss(model(x), target).backward()


mode = sys.argv[1]
model = Net().train(mode == "train")
x = torch.randn(1000, 1, 28, 28)
target = torch.randint(0, 10, (1000,))
step(model, x, target, mode)
base = kib("VmRSS")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
step(model, x, target, mode)
print((kib("VmHWM") - base) / 1024)
