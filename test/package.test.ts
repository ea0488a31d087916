// The package as users get it: npm pack with the prebuilt binary, installed into a fresh
// project with no compiler or cmake on PATH; the same without the prebuild (source build);
// and a clear message when libtorch is missing. Installs prefer npm's cache (--prefer-offline):
// `npm ci` cached every tarball, but not the registry's package metadata that resolving the
// tarball's dependency ranges needs, which a fresh machine's cache lacks (--offline then
// failed with ENOTCACHED); that metadata is fetched from the registry once.
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(path.join(os.tmpdir(), "torch-ts-pkg-"));
const npmCli = path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "bin", "npm-cli.js");

type Run = { code: number; stdout: string; stderr: string; seconds: number };
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, encoding: "utf8", timeout: 900_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr, seconds: (performance.now() - t0) / 1000 }));
  });
}
const npm = (args: string[], cwd: string, env?: NodeJS.ProcessEnv) => run(process.execPath, [npmCli, ...args], cwd, env);

/** A PATH holding only node and sh (npm runs scripts through both): no cmake, no compiler. */
function bareEnv(): NodeJS.ProcessEnv {
  const bin = path.join(tmp, "bare-bin");
  mkdirSync(bin, { recursive: true });
  for (const [name, target] of [["node", process.execPath], ["sh", "/bin/sh"]] as const) {
    if (!existsSync(path.join(bin, name))) symlinkSync(target, path.join(bin, name));
  }
  return { ...process.env, PATH: bin, npm_config_prefer_offline: "true" };
}

const consumerScript = `
import * as torch from "torch-ts";
import os from "node:os";
import path from "node:path";
const model = torch.vision.resnet18({ numClasses: 10 }).eval();
const x = torch.randn(1, 3, 64, 64);
const y = torch.noGrad(() => model.call(x));
const file = path.join(os.tmpdir(), "torch-ts-consumer-" + process.pid + ".pth");
torch.tidy(() => torch.save(model.stateDict(), file));
const again = torch.vision.fromPretrained(file, "resnet18").eval();
const y2 = torch.noGrad(() => again.call(x));
console.log(JSON.stringify({ shape: y.shape, same: y.sub(y2).abs().max().item() === 0, libtorch: torch.config().libtorchVersion }));
`;
const consumerTypes = `
import * as torch from "torch-ts";
const t: torch.Tensor = torch.zeros(2, 3, { dtype: "float32" });
const m: torch.nn.Module = torch.vision.resnet18({ numClasses: 10 });
const opt = new torch.optim.Adam(m.parameters(), { lr: 1e-3 });
const n: number = t.numel();
const sd: Map<string, torch.Tensor> = torch.loadStateDict("x.pth");
void opt; void n; void sd;
`;

async function makeConsumer(name: string, tarball: string, env: NodeJS.ProcessEnv): Promise<{ dir: string; install: Run }> {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, version: "1.0.0", private: true, type: "module" }));
  writeFileSync(path.join(dir, "index.mjs"), consumerScript);
  const install = await npm(["install", "--prefer-offline", "--no-audit", "--no-fund", "--foreground-scripts", tarball], dir, env);
  return { dir, install };
}

let staged: string;
let tarball: string;
let tarballNoPrebuild: string;
let prebuild: Run;

beforeAll(async () => {
  // Stage the package from the working tree: sources, a fresh dist/, a prebuild linked
  // against the system libtorch (TORCH_TS_LIBTORCH=system, as `npm run prebuild` does).
  staged = path.join(tmp, "torch-ts");
  mkdirSync(staged);
  for (const f of ["package.json", "README.md", "CMakeLists.txt", "binding.d.ts", "tsconfig.json", "native", "lib", "scripts"]) {
    cpSync(path.join(root, f), path.join(staged, f), { recursive: true });
  }
  symlinkSync(path.join(root, "node_modules"), path.join(staged, "node_modules"));
  const tsc = await run(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], staged);
  expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);
  prebuild = await npm(["run", "prebuild"], staged);
  expect(prebuild.code, prebuild.stdout + prebuild.stderr).toBe(0);
  const pack = await npm(["pack", "--ignore-scripts", "--pack-destination", tmp], staged);
  expect(pack.code, pack.stderr).toBe(0);
  tarball = path.join(tmp, pack.stdout.trim().split("\n").pop()!);
  rmSync(path.join(staged, "prebuilds"), { recursive: true });
  mkdirSync(path.join(tmp, "noprebuild"));
  const pack2 = await npm(["pack", "--ignore-scripts", "--pack-destination", path.join(tmp, "noprebuild")], staged);
  expect(pack2.code, pack2.stderr).toBe(0);
  tarballNoPrebuild = path.join(tmp, "noprebuild", pack2.stdout.trim().split("\n").pop()!);
}, 1_200_000);

describe("npm package", () => {
  it("ships the prebuilt binary, dist/ with types, the native sources, and nothing else", async () => {
    const list = await run("tar", ["tzf", tarball], tmp);
    const files = list.stdout.trim().split("\n").map((f) => f.replace(/^package\//, ""));
    expect(files).toContain("prebuilds/linux-x64/torch-ts.node");
    expect(files).toContain("dist/index.js");
    expect(files).toContain("dist/index.d.ts");
    expect(files).toContain("binding.d.ts");
    expect(files).toContain("CMakeLists.txt");
    expect(files).toContain("native/addon.cc");
    expect(files).toContain("scripts/install.mjs");
    expect(files.filter((f) => f.startsWith("test/") || f.startsWith("build/") || f.startsWith("lib/"))).toEqual([]);
    console.log(`tarball ${path.basename(tarball)}: ${(statSync(tarball).size / 1024 / 1024).toFixed(2)} MiB, ${files.length} files`);
  });

  it("installs with no compiler or cmake on PATH and runs a ResNet, save and load", async () => {
    const env = bareEnv();
    const { dir, install } = await makeConsumer("consumer-prebuilt", tarball, env);
    expect(install.code, install.stdout + install.stderr).toBe(0);
    console.log(`install with the prebuilt binary: ${install.seconds.toFixed(1)} s`);
    const r = await run(process.execPath, ["index.mjs"], dir, env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split("\n").pop()!)).toEqual({ shape: [1, 10], same: true, libtorch: "1.13.0" });
    // No build happened: the prebuild is what loads.
    expect(existsSync(path.join(dir, "node_modules", "torch-ts", "build"))).toBe(false);
  });

  it("types resolve for consumers under moduleResolution node16 and bundler", async () => {
    const dir = path.join(tmp, "consumer-prebuilt");
    writeFileSync(path.join(dir, "check.ts"), consumerTypes);
    mkdirSync(path.join(dir, "node_modules", "@types"), { recursive: true });
    if (!existsSync(path.join(dir, "node_modules", "@types", "node"))) {
      symlinkSync(path.join(root, "node_modules", "@types", "node"), path.join(dir, "node_modules", "@types", "node"));
    }
    const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
    for (const [mod, res] of [["node16", "node16"], ["esnext", "bundler"]]) {
      const r = await run(process.execPath, [tsc, "--noEmit", "--strict", "--module", mod, "--moduleResolution", res, "--target", "es2022", "--types", "node", "check.ts"], dir);
      expect(r.code, `${res}: ${r.stdout}${r.stderr}`).toBe(0);
    }
  });

  it("without a prebuild, builds from source at install (compiler visible) and works", async () => {
    const { dir, install } = await makeConsumer("consumer-source", tarballNoPrebuild, { ...process.env, npm_config_prefer_offline: "true" });
    expect(install.code, install.stdout + install.stderr).toBe(0);
    let built = existsSync(path.join(dir, "node_modules", "torch-ts", "build", "Release", "torch_ts.node"));
    if (!built) {
      // npm versions that hold back dependency install scripts need an explicit rebuild.
      const rebuild = await npm(["rebuild", "torch-ts", "--foreground-scripts"], dir);
      expect(rebuild.code, rebuild.stdout + rebuild.stderr).toBe(0);
      built = existsSync(path.join(dir, "node_modules", "torch-ts", "build", "Release", "torch_ts.node"));
    }
    expect(built).toBe(true);
    console.log(`install with a source build: ${install.seconds.toFixed(1)} s`);
    const r = await run(process.execPath, ["index.mjs"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split("\n").pop()!).same).toBe(true);
  }, 600_000); // a cold build of native/ on 2 busy cores can pass the default 120 s

  it("with libtorch absent, the load error names the fix", async () => {
    const dir = path.join(tmp, "consumer-prebuilt");
    const lib = readdirSync("/usr/lib/x86_64-linux-gnu").find((f) => /^libtorch_cpu\.so\.1\.13\.\d+$/.test(f));
    expect(lib, "Debian's libtorch1.13 is installed").toBeDefined();
    // A private mount namespace hides the library from this one process only.
    const r = await run("unshare", ["-m", "sh", "-c", `mount --bind /dev/null /usr/lib/x86_64-linux-gnu/${lib} && exec "${process.execPath}" index.mjs`], dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/libtorch_cpu\.so\.1\.13 is missing or unreadable/);
    expect(r.stderr).toMatch(/apt-get install libtorch1\.13/);
    expect(r.stderr).toMatch(/LIBTORCH=\/path\/to\/libtorch npm rebuild torch-ts/);
  });
});
