// The command lines of scripts/: every script that runs from the shell answers --help with its
// usage (exit 0) and a bad flag with a message naming it and the usage (exit 2), through the
// one helper lib/train/cli.ts, never with a stack trace. Each run only parses its flags (the
// script exits before any work), so a run costs the import of torch-ts, about a second.
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

type Run = { status: number | null; stdout: string; stderr: string };

/** Runs a script as `npx tsx` would (node with tsx's loader), without blocking vitest's worker. */
function run(script: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", path.join(root, "scripts", script), ...args], {
      cwd: root, encoding: "utf8", timeout: 60_000, env: { ...process.env, OMP_NUM_THREADS: "1" },
    }, (err, stdout, stderr) => resolve({ status: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr }));
  });
}

/** At most `n` children at once (two shared cores). */
async function pool<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

/** No stack trace, no Node error code: only the script's own words. */
function expectNoTrace(r: Run): void {
  const all = r.stdout + r.stderr;
  expect(all).not.toMatch(/^\s+at /m);
  expect(all).not.toMatch(/ERR_PARSE_ARGS|ERR_[A-Z_]+/);
  expect(all).not.toMatch(/\b(TypeError|Error):/);
}

// [script, the name its messages start with, a mistyped flag and the flag it meant (scripts
// that take flags; the benches that take none only --help)]
const SCRIPTS: [script: string, name: string, typo?: string[], meant?: string][] = [
  ["train.ts", "train", ["--epoch", "2"], "--epochs"],
  ["predict.ts", "predict", ["--chekpoint", "x.pth"], "--checkpoint"],
  ["soak/train.ts", "soak/train", ["--step", "30"], "--steps"],
  ["soak/fuzz.ts", "soak/fuzz", ["--hepl"], "--help"],
  ["bench/gpu.ts", "bench/gpu", ["--devise", "cpu"], "--device"],
  ["bench/checkpoint.ts", "bench/checkpoint"],
  ["bench/dataloader.ts", "bench/dataloader"],
  ["bench/dispatch.ts", "bench/dispatch"],
  ["bench/models.ts", "bench/models"],
  ["bench/inference.ts", "bench/inference"],
  ["bench/ddp.ts", "bench/ddp"],
];

describe("scripts answer --help and bad flags without a stack trace", () => {
  it("every script: --help, an unknown flag, a mistyped flag", async () => {
    const jobs = SCRIPTS.map(([script, , typo]) => [[script, "--help"], [script, "--bogus"], ...(typo ? [[script, ...typo]] : [])]);
    const runs = await pool(jobs.flat(), 3, ([script, ...args]) => run(script!, ...args));
    let at = 0;
    SCRIPTS.forEach(([script, name, , meant], k) => {
      const [help, bogus, typo] = runs.slice(at, (at += jobs[k]!.length)) as [Run, Run, Run | undefined];
      const where = `scripts/${script}`;
      expect(help.status, `${where} --help: ${help.stderr}`).toBe(0);
      expect(help.stdout, where).toMatch(/^usage: /);
      expect(help.stdout, where).toContain("--help");
      expect(help.stderr, where).toBe("");
      expectNoTrace(help);

      expect(bogus.status, `${where} --bogus: ${bogus.stderr}`).toBe(2);
      expect(bogus.stderr.startsWith(`${name}: Unknown option '--bogus'`), `${where}: ${bogus.stderr}`).toBe(true);
      expect(bogus.stderr, where).toContain("\n\nusage: ");
      expect(bogus.stdout, where).toBe("");
      expectNoTrace(bogus);

      if (typo === undefined) return;
      expect(typo.status, `${where} ${typo.stderr}`).toBe(2);
      expect(typo.stderr, where).toContain(`(did you mean ${meant}?)`);
      expectNoTrace(typo);
    });
  }, 240_000);

  it("train keeps its messages: the flag named, a negative value reaching the range check", async () => {
    const [epoch, negative] = await Promise.all([run("train.ts", "--epoch", "3"), run("train.ts", "--epochs", "-1")]);
    expect(epoch.status).toBe(2);
    expect(epoch.stderr.split("\n")[0]).toBe("train: Unknown option '--epoch' (did you mean --epochs?)");
    expect(negative.status).toBe(2);
    expect(negative.stderr.split("\n")[0]).toBe('train: --epochs must be an integer >= 1, got "-1"');
  }, 60_000);

  it("bad values are usage errors naming the flag; predict's runtime failures exit 1 without a trace", async () => {
    const [top, steps, mode, cases, device, missing, unreadable] = await pool([
      ["predict.ts", "--checkpoint", "x.pth", "--top", "0", "in.png"],
      ["soak/train.ts", "--steps", "5"],
      ["soak/train.ts", "--mode", "fast"],
      ["soak/fuzz.ts", "lots"],
      ["bench/gpu.ts", "--device", "tpu"],
      ["predict.ts", "in.png"],
      ["predict.ts", "--checkpoint", path.join(root, "no-such-dir", "model.pth"), "in.png"],
    ], 3, ([script, ...args]) => run(script!, ...args));
    const first = (r: Run) => r.stderr.split("\n")[0];
    expect([top, steps, mode, cases, device, missing].map((r) => r.status)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(first(top)).toBe('predict: --top must be a positive integer, got "0"');
    expect(first(steps)).toBe('soak/train: --steps must be an integer >= 20, got "5"');
    expect(first(mode)).toBe('soak/train: --mode must be one of trainer, naive, both, got "fast"');
    expect(first(cases)).toBe('soak/fuzz: cases must be an integer >= 1, got "lots"');
    expect(first(device)).toBe('bench/gpu: --device must be one of cuda, cpu, got "tpu"');
    expect(first(missing)).toBe("predict: --checkpoint FILE is required");
    for (const r of [top, steps, mode, cases, device, missing]) {
      expect(r.stderr).toContain("\n\nusage: ");
      expectNoTrace(r);
    }
    expect(unreadable.status, unreadable.stderr).toBe(1);
    expect(unreadable.stderr).toMatch(/^predict: .*no-such-dir/);
    expect(unreadable.stderr).not.toMatch(/^\s+at /m);
  }, 120_000);
});
