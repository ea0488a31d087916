// nn.SyncBatchNorm.convertSyncBatchnorm against Debian's torch (test/reference/nn_sync_batchnorm.py):
// the converted tree prints and saves as Python's, shares the original tensors, and a CPU input
// is refused with Python's message (PyTorch 1.13 syncs statistics for CUDA inputs only).
import { describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { runReference } from "./reference/python.js";

const { nn } = torch;

describe("nn.SyncBatchNorm.convertSyncBatchnorm", () => {
  it("converts nested BatchNorms as Python does, sharing their tensors", () => {
    const ref = runReference<{ repr: string; keys: string[]; error: string }>("nn_sync_batchnorm.py", {});
    const m = new nn.Sequential(new nn.Conv2d(3, 4, 3), new nn.BatchNorm2d(4, { momentum: null }), new nn.Sequential(new nn.BatchNorm1d(2, { affine: false })));
    const weight = m.getSubmodule("1").getAttr("weight");
    const mean = m.getSubmodule("2.0").getAttr("running_mean");
    const s = nn.SyncBatchNorm.convertSyncBatchnorm(m);
    expect(s.toString()).toBe(ref.repr);
    expect([...s.stateDict().keys()]).toEqual(ref.keys);
    expect(s.getSubmodule("1")).toBeInstanceOf(nn.SyncBatchNorm);
    expect(s.getSubmodule("1").getAttr("weight")).toBe(weight);
    expect(s.getSubmodule("2.0").getAttr("running_mean")).toBe(mean);
    expect(() => s.call(torch.randn([2, 3, 5, 5]))).toThrow(ref.error);
  });
});
