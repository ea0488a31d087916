# The Python half of a paired benchmark (scripts/bench/peer.ts). A bench script defines
# setup(case) -> run() and calls serve(setup); the TS side then alternates rounds between
# itself and this process, so both sides see the same machine state (a drifting or shared
# machine moves both, and the ratio of each round pair stays meaningful).
# Protocol, one JSON object per line: {"setup": case} -> {"ready": true, ...info}
#                                      {"run": n}      -> {"samples": [ms, ...]}
import json
import sys
import time

import torch


def serve(setup):
    print(json.dumps({"version": torch.__version__}), flush=True)
    run = None
    for line in sys.stdin:
        msg = json.loads(line)
        if "setup" in msg:
            run = None  # drop the previous case's model before building the next
            made = setup(msg["setup"])
            run, info = made if isinstance(made, tuple) else (made, {})
            print(json.dumps({"ready": True, **info}), flush=True)
        elif "run" in msg:
            samples = []
            for _ in range(msg["run"]):
                t0 = time.perf_counter()
                run()
                samples.append((time.perf_counter() - t0) * 1000)
            print(json.dumps({"samples": samples}), flush=True)
