// Helpers for the multi-process torch.distributed tests: a free port, rank processes (Python
// or torch-ts) started together and their last JSON line collected, and `plain` to turn what
// the unpickler gives (Maps) into JSON-comparable values.
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PYTHON } from "./python.js";

export const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, "..", "..");

/** A port nothing listens on now: bind port 0, read it, close (tests run in parallel files). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Maps (string keys) as plain objects, recursively; arrays mapped; the rest as is. */
export function plain(v: unknown): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

export type Lang = "py" | "ts";
/** One rank: which language, and its program under test/reference/ with arguments. */
export interface RankSpec {
  lang: Lang;
  script: string;
  args: string[];
  env?: Record<string, string>;
}

/** The command for a rank: Debian python3, or node with tsx (the library imported by path). */
export function commandOf(spec: RankSpec): [string, string[]] {
  const file = path.join(here, spec.script);
  return spec.lang === "py" ? [PYTHON, [file, ...spec.args]] : [process.execPath, ["--import", "tsx", file, ...spec.args]];
}

/**
 * Starts every rank at once and resolves with each rank's last stdout line, parsed as JSON.
 * Any rank failing (or the whole exceeding timeoutMs) rejects with every rank's stderr tail,
 * and the other ranks are killed, so a broken rank cannot leave the others waiting.
 */
export function runRanks<T = Record<string, unknown>>(specs: RankSpec[], timeoutMs = 180_000): Promise<T[]> {
  const procs = specs.map((spec) => {
    const [cmd, args] = commandOf(spec);
    return spawn(cmd, args, { cwd: root, env: { ...process.env, OMP_NUM_THREADS: "1", ...spec.env }, stdio: ["ignore", "pipe", "pipe"] });
  });
  const stdout = procs.map(() => "");
  const stderr = procs.map(() => "");
  const report = () => procs.map((_, i) => `--- rank ${i} (${specs[i]!.lang} ${specs[i]!.script}) stderr:\n${stderr[i]!.slice(-3000)}\nstdout tail:\n${stdout[i]!.slice(-1000)}`).join("\n");
  const killAll = () => procs.forEach((p) => p.exitCode === null && p.signalCode === null && p.kill("SIGKILL"));
  const done = procs.map(
    (p, i) =>
      new Promise<T>((resolve, reject) => {
        p.stdout.on("data", (d: Buffer) => (stdout[i] += d.toString()));
        p.stderr.on("data", (d: Buffer) => (stderr[i] = (stderr[i]! + d.toString()).slice(-20000)));
        p.on("error", reject);
        p.on("close", (code, signal) => {
          if (code !== 0) return reject(new Error(`rank ${i} exited with ${code ?? signal}`));
          const lines = stdout[i]!.trim().split("\n");
          try {
            resolve(JSON.parse(lines[lines.length - 1]!) as T);
          } catch {
            reject(new Error(`rank ${i} printed no JSON result`));
          }
        });
      }),
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`ranks did not finish within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([Promise.all(done), timeout])
    .catch((err: Error) => {
      killAll();
      throw new Error(`${err.message}\n${report()}`);
    })
    .finally(() => clearTimeout(timer));
}

/**
 * `p`, marked handled: runs start when a test file is collected and are awaited by tests later;
 * a failure still fails each test that awaits it, without an extra "unhandled rejection".
 */
export function started<P extends Promise<unknown>>(p: P): P {
  p.catch(() => undefined);
  return p;
}

/** A deterministic generator (mulberry32), so inputs are reproducible without torch. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
