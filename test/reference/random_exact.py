# Reference for test/random_exact.test.ts: PyTorch's values of random calls after
# torch.manual_seed. Reads one JSON request per line: {"cases": [{"seed", "code"}]}, where code
# is a Python expression over torch, F (torch.nn.functional) and nn; replies with each result
# encoded as opinfo.py encodes values (a raised error: {"error": "Type: message"}).
import json
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from encoding import encode, first_line  # noqa: E402

torch.set_num_threads(1)


def run(case):
    torch.manual_seed(case["seed"])
    try:
        return {"value": encode(eval(case["code"], {"torch": torch, "F": F, "nn": nn}))}  # noqa: S307 - the test's own expressions
    except Exception as err:  # noqa: BLE001 - PyTorch refusing a call is data
        return {"error": first_line(err)}


for line in sys.stdin:
    req = json.loads(line)
    sys.stdout.write(json.dumps({"results": [run(c) for c in req["cases"]]}) + "\n")
    sys.stdout.flush()
