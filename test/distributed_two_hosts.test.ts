// Two hosts on one machine: each rank of scripts/train.ts runs in its own network namespace,
// joined by a veth pair with addresses this test assigns, so the ranks can reach each other
// only over that link. They rendezvous over tcp:// (rank 0's address on the link), Gloo talks
// over the veth interfaces (GLOO_SOCKET_IFNAME), and the run ends with exactly the metrics and
// weights of the same run on loopback. Needs root (CI runs the tests as root) and iproute2
// (scripts/setup.sh installs it).
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const script = path.join(root, "scripts", "train.ts");
const tmp = mkdtempSync(path.join(os.tmpdir(), "torch-ts-two-hosts-"));
const IP = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip"].find((p) => existsSync(p));
const canNetns = process.getuid?.() === 0 && IP !== undefined;

// Names unique to this run (at most 15 characters for an interface).
const tag = `tts${process.pid % 100000}`;
const hosts = [
  { ns: `${tag}a`, dev: `${tag}a`, addr: "10.213.0.1" },
  { ns: `${tag}b`, dev: `${tag}b`, addr: "10.213.0.2" },
] as const;
const ip = (...args: string[]) => execFileSync(IP!, args, { stdio: ["ignore", "pipe", "pipe"] });

type Run = { status: number | null; stdout: string; stderr: string };
function exec(cmd: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: root, encoding: "utf8", timeout: 240_000, env: { ...process.env, OMP_NUM_THREADS: "1", CI: "1", ...env } },
      (err, stdout, stderr) => resolve({ status: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }));
  });
}

const args = ["--limit", "32", "--batch-size", "8", "--epochs", "1", "--seed", "2"];
const netOut = path.join(tmp, "netns");
const loOut = path.join(tmp, "loopback");
let ranks: Run[] = [];
let loopback: Run;

beforeAll(async () => {
  if (!canNetns) return;
  for (const h of hosts) {
    try {
      ip("netns", "del", h.ns); // a leftover of an interrupted run
    } catch {
      // none: the usual case
    }
    ip("netns", "add", h.ns);
  }
  ip("link", "add", hosts[0].dev, "type", "veth", "peer", "name", hosts[1].dev);
  for (const h of hosts) {
    ip("link", "set", h.dev, "netns", h.ns);
    ip("-n", h.ns, "addr", "add", `${h.addr}/24`, "dev", h.dev);
    ip("-n", h.ns, "link", "set", h.dev, "up");
    ip("-n", h.ns, "link", "set", "lo", "up");
  }
  const init = `tcp://${hosts[0].addr}:29500`;
  ranks = await Promise.all(hosts.map((h, r) => exec(IP!, ["netns", "exec", h.ns, process.execPath, "--import", "tsx", script, ...args,
    "--init-method", init, "--dist-timeout", "60", "--out", netOut], { RANK: String(r), WORLD_SIZE: "2", GLOO_SOCKET_IFNAME: h.dev })));
  loopback = await exec(process.execPath, ["--import", "tsx", script, "--nproc", "2", ...args, "--out", loOut], {});
}, 600_000);

afterAll(() => {
  if (!canNetns) return;
  for (const h of hosts) {
    try {
      ip("netns", "del", h.ns); // takes its end of the veth pair with it
    } catch {
      // already gone
    }
  }
});

describe("two hosts (network namespaces joined by a veth pair)", () => {
  it.skipIf(!canNetns)("the namespaces reach each other only over the veth link", () => {
    const routes = ip("-n", hosts[1].ns, "route").toString();
    expect(routes).toMatch(new RegExp(`10\\.213\\.0\\.0/24 dev ${hosts[1].dev}`));
    expect(routes).not.toMatch(/default/);
  });

  it.skipIf(!canNetns)("ranks rendezvous over tcp:// and train with DDP; the result is the loopback run's, bit for bit", () => {
    ranks.forEach((r, i) => expect(r.status, `rank ${i}: ${r.stderr}`).toBe(0));
    expect(loopback.status, loopback.stderr).toBe(0);
    expect(ranks[0]!.stdout).toMatch(/^done in /m);
    expect(ranks[1]!.stdout).toBe(""); // rank 1 prints nothing
    const rows = (dir: string) => readFileSync(path.join(dir, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => {
      const { seconds: _, ...row } = JSON.parse(l) as Record<string, number>;
      return row;
    });
    expect(rows(netOut)).toEqual(rows(loOut));
    const a = torch.load(path.join(netOut, "last.pth")) as Map<string, unknown>;
    const b = torch.load(path.join(loOut, "last.pth")) as Map<string, unknown>;
    expect(a.get("world_size")).toBe(2);
    const mb = b.get("model") as Map<string, torch.Tensor>;
    for (const [k, t] of a.get("model") as Map<string, torch.Tensor>) expect(torch.equal(t, mb.get(k)!), k).toBe(true);
    torch.dispose(a, b);
  });

  it.runIf(!canNetns)("is skipped without root and iproute2 (CI has both)", () => {
    expect(canNetns).toBe(false);
  });
});
