// `npm run typecheck` (tsc -p tsconfig.check.json: lib/, scripts/ and test/ under strict, "torch-ts"
// resolved to lib/ as vitest.config.ts resolves it) finds no error, and the user-style fragment it
// compiles (test/typecheck_user.ts: 30+ generated ops called by the calling rule, no casts) runs.
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { userOps } from "./typecheck_user.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

describe("typecheck", () => {
  it("tsc -p tsconfig.check.json exits 0 under strict", async () => {
    const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      execFile(process.execPath, [tsc, "-p", "tsconfig.check.json"], { cwd: root, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, out: stdout + stderr });
      });
    });
    expect(r.out).toBe("");
    expect(r.code).toBe(0);
  }, 300_000);

  it("the user-style fragment runs: its ops give PyTorch's shapes", () => {
    const r = userOps();
    expect(r.shapes).toEqual({
      ctx: [4, 6, 8], logits: [4, 3], topValues: [4, 2], sorted: [4, 3], picked: [4, 1], onehot: [4, 3], counts: [3],
      ranks: [4, 3], tiled: [8, 3], lse: [4], peak: [4, 1],
      conv: [4, 5, 16], up: [4, 6, 10, 10], padded: [4, 6, 14, 12], resized: [4, 6, 7, 7], half: [4, 3, 7, 7],
      inv: [2, 2], spectrum: [4, 2, 9], grid: [3, 2], gridY: [3, 2], outer: [3, 2], eyeGrad: [3, 3], diff: [4, 2], clipped: [4, 3],
    });
    expect(Number.isInteger(r.correct) && r.correct >= 0 && r.correct <= 4).toBe(true);
    expect(r.allFinite).toBe(true);
    expect([0, 1, 2]).toContain(r.topIndex);
    expect(r.solved[0]).toBeCloseTo(2, 5);
    expect(r.solved[1]).toBeCloseTo(3, 5);
  });
});
