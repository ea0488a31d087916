# Reference for test/nn_sync_batchnorm.test.ts: SyncBatchNorm.convert_sync_batchnorm on a
# model with BatchNorm1d/2d nested in containers: the converted repr, state-dict keys, and the
# error a CPU input gets.
import json
import sys

import torch
from torch import nn

m = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4, momentum=None), nn.Sequential(nn.BatchNorm1d(2, affine=False)))
s = nn.SyncBatchNorm.convert_sync_batchnorm(m)
try:
    s(torch.randn(2, 3, 5, 5))
    err = None
except ValueError as e:
    err = str(e)
json.dump({"repr": repr(s), "keys": list(s.state_dict().keys()), "error": err}, sys.stdout)
