// The standing API fuzzer's short form (`scripts/soak/api_fuzz.ts` runs 100 000 calls): a few
// thousand seeded hostile calls across the public surface, in child processes, with PyTorch as
// the oracle for creation and elementwise/reduction calls; most of them reach the generated op
// surface (every torch.x, linalg/fft/special, nn.functional and Tensor method made from a schema,
// with arguments derived from it). The script judges each call; this checks its verdict: no
// failure outside the allowlist, and a wide reach into both the hand-picked and generated surface.
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

it("API fuzz: hostile calls crash nothing, leak nothing, refuse cleanly and agree with PyTorch", async () => {
  const { stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ["--import", "tsx", path.join(root, "scripts", "soak", "api_fuzz.ts"), "5000", "--seed", "7", "--json"],
      { cwd: root, maxBuffer: 1 << 26 }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
  });
  const report = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as {
    calls: number; distinctFunctions: number; outcomes: Record<string, number>; generatedFunctions: { called: number; of: number };
    failures: { known?: string; kind: string; call: string; message: string }[];
  };
  console.log(`${report.calls} calls, ${report.distinctFunctions} functions (${report.generatedFunctions.called} of ${report.generatedFunctions.of} generated): ${JSON.stringify(report.outcomes)}`);
  expect(report.calls, stderr).toBe(5000);
  expect(report.failures.filter((f) => !f.known).map((f) => `${f.kind}: ${f.call} -> ${f.message}`)).toEqual([]);
  expect(report.distinctFunctions - report.generatedFunctions.called).toBeGreaterThan(120);
  expect(report.generatedFunctions.called).toBeGreaterThan(report.generatedFunctions.of * 0.6);
  expect(report.outcomes["ok-matching-pytorch"] ?? 0).toBeGreaterThan(500);
}, 120_000);
