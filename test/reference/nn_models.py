# Models built identically here and in test/reference/nn_models.ts, for the nn references:
# each builder mirrors its TypeScript twin one to one (same layers, options and order).
from collections import OrderedDict

import torch
from torch import nn

INIT = OrderedDict([
    ("Conv2d(3, 8, 3)", lambda: nn.Conv2d(3, 8, 3)),
    ("Conv2d(4, 6, (3, 5), stride=2, groups=2, bias=False)", lambda: nn.Conv2d(4, 6, (3, 5), stride=2, groups=2, bias=False)),
    ("Linear(20, 10)", lambda: nn.Linear(20, 10)),
    ("Linear(7, 3, bias=False)", lambda: nn.Linear(7, 3, bias=False)),
    ("BatchNorm2d(5)", lambda: nn.BatchNorm2d(5)),
    ("BatchNorm1d(4, affine=False)", lambda: nn.BatchNorm1d(4, affine=False)),
    ("Sequential(Conv2d, BatchNorm2d, ReLU, Flatten, Linear)",
     lambda: nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(64, 5))),
])


def repeated():
    lin = nn.Linear(3, 3)
    return nn.Sequential(lin, nn.ReLU(), lin)


# name -> (builder, eval mode)
LAYERS = {
    "Conv2d(3, 4, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(2, 1))":
        (lambda: nn.Conv2d(3, 4, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(2, 1)), False),
    "Conv2d(4, 6, 3, groups=2, bias=False) on a 3-D input": (lambda: nn.Conv2d(4, 6, 3, groups=2, bias=False), False),
    "ReLU()": (lambda: nn.ReLU(), False),
    "MaxPool2d((3, 2), stride=(2, 1), padding=1, dilation=(1, 2), ceil_mode=True)":
        (lambda: nn.MaxPool2d((3, 2), stride=(2, 1), padding=1, dilation=(1, 2), ceil_mode=True), False),
    "AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)":
        (lambda: nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), False),
    "AvgPool2d((2, 3), divisor_override=4)": (lambda: nn.AvgPool2d((2, 3), divisor_override=4), False),
    "AdaptiveAvgPool2d((3, 4))": (lambda: nn.AdaptiveAvgPool2d((3, 4)), False),
    "AdaptiveAvgPool2d(2) on a 3-D input": (lambda: nn.AdaptiveAvgPool2d(2), False),
    "Flatten()": (lambda: nn.Flatten(), False),
    "Flatten(0, -2)": (lambda: nn.Flatten(0, -2), False),
    "Linear(5, 3) on a 3-D input": (lambda: nn.Linear(5, 3), False),
    "Linear(5, 3, bias=False)": (lambda: nn.Linear(5, 3, bias=False), False),
    "Dropout(0.4) in training (seeded)": (lambda: nn.Dropout(0.4), False),
    "Dropout(0.4) in eval": (lambda: nn.Dropout(0.4), True),
    "Identity()": (lambda: nn.Identity(), False),
    "BatchNorm1d(5) in eval": (lambda: nn.BatchNorm1d(5), True),
    "Sequential(Linear, ReLU, the same Linear): a repeated module runs each time": (repeated, False),
    "CrossEntropyLoss(weight, ignore_index=2, label_smoothing=0.1, reduction='sum')":
        (lambda: nn.CrossEntropyLoss(weight=torch.linspace(0.5, 2, 5), ignore_index=2, label_smoothing=0.1, reduction="sum"), False),
    "MSELoss(reduction='none')": (lambda: nn.MSELoss(reduction="none"), False),
}


def cnn():
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, stride=2, padding=1, groups=2, bias=False), nn.BatchNorm2d(16), nn.ReLU(inplace=True),
        nn.AvgPool2d(2, ceil_mode=True), nn.AdaptiveAvgPool2d((2, 2)), nn.Flatten(), nn.Dropout(0.25), nn.Linear(64, 10))


def every_layer():
    return nn.Sequential(
        nn.Conv2d(3, 8, 3),
        nn.Conv2d(8, 8, (3, 5), stride=(2, 1), padding=(1, 2), dilation=2, groups=4, bias=False),
        nn.BatchNorm2d(8),
        nn.BatchNorm2d(8, eps=1e-3, momentum=None, affine=False),
        nn.BatchNorm1d(4, momentum=0.01, track_running_stats=False),
        nn.ReLU(), nn.ReLU(inplace=True),
        nn.MaxPool2d(2), nn.MaxPool2d((3, 2), stride=(2, 1), padding=1, dilation=(1, 2), ceil_mode=True),
        nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
        nn.AdaptiveAvgPool2d((3, 4)), nn.AdaptiveAvgPool2d(5),
        nn.Flatten(), nn.Flatten(0, -2),
        nn.Linear(16, 4), nn.Linear(4, 2, bias=False),
        nn.Dropout(), nn.Dropout(0.25),
        nn.Identity(),
        nn.ModuleList([nn.ReLU(), nn.Linear(2, 2)]), nn.ModuleList(),
        nn.ModuleDict({"act": nn.ReLU(), "proj": nn.Linear(2, 3)}),
        nn.Sequential(nn.Identity(), nn.Sequential(nn.ReLU())),
        nn.CrossEntropyLoss(), nn.MSELoss(), nn.CrossEntropyLoss(weight=torch.ones(3), label_smoothing=0.1))


def nested():
    return nn.Sequential(
        nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2)),
        nn.ModuleList([nn.Linear(2, 2), nn.Sequential(nn.BatchNorm1d(2), nn.Linear(2, 1, bias=False))]),
        nn.ModuleDict({"head": nn.Linear(1, 1), "norm": nn.BatchNorm1d(1), "inner": nn.ModuleDict({"a": nn.Linear(1, 2)})}))


def shared():
    lin = nn.Linear(3, 3)
    return nn.Sequential(
        nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), lin,
        nn.ModuleList([nn.ReLU(), lin, nn.Linear(3, 2, bias=False)]),
        nn.ModuleDict({"head": nn.Linear(2, 2), "again": lin, "bn": nn.BatchNorm1d(2)}))


class WithBuffers(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("kept", torch.zeros(2))
        self.register_buffer("scratch", torch.zeros(3), persistent=False)
        self.register_buffer("unset", None)
        self.lin = nn.Linear(2, 2)
        self.register_parameter("scale", nn.Parameter(torch.ones(1)))


def load_model():
    return nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.Flatten(), nn.Linear(12, 4))


MODELS = {"every_layer": every_layer, "nested": nested, "shared": shared, "with_buffers": WithBuffers, "load": load_model, "cnn": cnn}
