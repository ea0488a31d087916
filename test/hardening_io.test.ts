// Files that are not plain files, and promises nobody waits for ([hardening] items 2, 5, 7, 9).
// torch.save writes through a symbolic link to its target and into a device or FIFO in place,
// as Python's open(path, "wb") does, instead of renaming a temp file over the node; torch.load
// refuses a device or FIFO at once instead of reading without end or blocking; a scoped helper
// that refuses an async fn consumes its promise; a cyclic object is refused by save as by load.
// Every node and link is made in this test's own temporary folder, never under /dev.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "torch-ts-nodes-"));
const at = (name: string) => path.join(dir, name);
let sd: Map<string, torch.Tensor>;
let liveAtStart = 0;

beforeAll(() => {
  liveAtStart = torch.liveTensors();
  sd = new Map([["w", torch.tidy(() => torch.arange(6).reshape(2, 3))], ["b", torch.ones(3)]]);
});
afterAll(() => {
  torch.dispose(sd);
  fs.rmSync(dir, { recursive: true, force: true });
  expect(torch.liveTensors()).toBe(liveAtStart);
});

/** The state dict a file holds, as plain values (and the tensors freed). */
function valuesOf(file: string): Record<string, unknown> {
  const loaded = torch.load(file) as Map<string, torch.Tensor>;
  const out = Object.fromEntries([...loaded].map(([k, t]) => [k, t.tolist()]));
  torch.dispose(loaded);
  return out;
}
const expected = () => Object.fromEntries([...sd].map(([k, t]) => [k, t.tolist()]));
const mknod = (name: string, major: number, minor: number) => execFileSync("mknod", [at(name), "c", String(major), String(minor)]);

describe("torch.save through symbolic links", () => {
  it("replaces the file a link names and keeps the link (a chain of relative links too)", () => {
    fs.mkdirSync(at("real"));
    fs.writeFileSync(at("real/model.pth"), "previous");
    fs.symlinkSync("real/model.pth", at("hop.pth"));
    fs.symlinkSync("hop.pth", at("link.pth"));
    torch.save(sd, at("link.pth"));
    expect(fs.lstatSync(at("link.pth")).isSymbolicLink()).toBe(true);
    expect(fs.lstatSync(at("hop.pth")).isSymbolicLink()).toBe(true);
    expect(valuesOf(at("real/model.pth"))).toEqual(expected());
    expect(fs.readdirSync(at("real"))).toEqual(["model.pth"]); // no temp file left beside the target
  });

  it("a dangling link gets its target created; saveAsync alike", async () => {
    fs.mkdirSync(at("later"));
    fs.symlinkSync("later/new.pth", at("dangling.pth"));
    await torch.saveAsync(sd, at("dangling.pth"));
    expect(fs.lstatSync(at("dangling.pth")).isSymbolicLink()).toBe(true);
    expect(valuesOf(at("later/new.pth"))).toEqual(expected());
  });

  it("a link loop is a TorchError naming ELOOP, and the links stay", () => {
    fs.symlinkSync("loop-b", at("loop-a"));
    fs.symlinkSync("loop-a", at("loop-b"));
    expect(() => torch.save(sd, at("loop-a"))).toThrow(torch.TorchError);
    expect(() => torch.save(sd, at("loop-a"))).toThrow(/^torch\.save: could not write .*loop-a: too many levels of symbolic links \(ELOOP\)/);
    expect(fs.readlinkSync(at("loop-a"))).toBe("loop-b");
  });
});

describe("torch.save into devices and FIFOs: written in place, never replaced", () => {
  it("a character device like /dev/null takes the bytes and stays a device", async () => {
    mknod("null", 1, 3);
    torch.save(sd, at("null"));
    await torch.saveAsync(sd, at("null"));
    expect(fs.statSync(at("null")).isCharacterDevice()).toBe(true);
  });

  it("a device like /dev/full: a TorchError naming ENOSPC, and the node is unchanged", async () => {
    mknod("full", 1, 7);
    const message = /^torch\.save: could not write .*full \(a character device, written in place\): no space left on device \(ENOSPC\)$/;
    expect(() => torch.save(sd, at("full"))).toThrow(message);
    await expect(torch.saveAsync(sd, at("full"))).rejects.toThrow(message);
    const st = fs.statSync(at("full"));
    expect(st.isCharacterDevice()).toBe(true);
    expect([Math.floor(st.rdev / 256), st.rdev % 256]).toEqual([1, 7]);
    expect(fs.readdirSync(dir).filter((n) => n.includes("torch-ts.tmp"))).toEqual([]);
  });

  it("a FIFO nobody reads: a TorchError at once (no blocked open), the FIFO stays", async () => {
    execFileSync("mkfifo", [at("fifo")]);
    expect(() => torch.save(sd, at("fifo"))).toThrow(/^torch\.save: could not write .*fifo \(a FIFO, written in place\): no process has the FIFO open for reading \(ENXIO\)$/);
    await expect(torch.saveAsync(sd, at("fifo"))).rejects.toThrow(/ENXIO/);
    expect(fs.statSync(at("fifo")).isFIFO()).toBe(true);
  });

  for (const mode of ["save", "saveAsync"] as const) {
    it(`a FIFO with a reader receives the whole checkpoint (${mode})`, async () => {
      const out = at(`from-fifo-${mode}.pth`);
      const reader = spawn("sh", ["-c", `cat "${at("fifo")}" > "${out}"`]);
      // The reader is there once a non-blocking open for writing succeeds. That probe stays open
      // until the save has written: closing it first would be the reader's end of file.
      let probe: number | undefined;
      for (let i = 0; probe === undefined; i++) {
        try {
          probe = fs.openSync(at("fifo"), fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
        } catch {
          if (i > 500) throw new Error("the reader never opened the FIFO");
          await new Promise((r) => setTimeout(r, 10));
        }
      }
      const exited = new Promise((r) => reader.on("exit", r));
      try {
        if (mode === "save") torch.save(sd, at("fifo"));
        else await torch.saveAsync(sd, at("fifo"));
      } finally {
        fs.closeSync(probe);
      }
      await exited;
      expect(fs.statSync(at("fifo")).isFIFO()).toBe(true);
      expect(valuesOf(out)).toEqual(expected());
    });
  }
});

describe("torch.load of what is not a file", () => {
  it("a device like /dev/zero: refused at once, sync and async (no unbounded read)", async () => {
    mknod("zero", 1, 5);
    const message = /^torch\.load: cannot read .*zero: it is a character device, not a checkpoint file/;
    expect(() => torch.load(at("zero"))).toThrow(message);
    const rssBefore = process.memoryUsage().rss;
    await expect(torch.loadAsync(at("zero"))).rejects.toThrow(message);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 << 20);
    expect(() => torch.serialization.safetensors.loadFile(at("zero"))).toThrow(/^safetensors\.loadFile: cannot read .*zero: it is a character device/);
  });

  it("a FIFO nobody writes to: refused at once, sync and async (no blocked open)", async () => {
    execFileSync("mkfifo", [at("in-fifo")]);
    expect(() => torch.load(at("in-fifo"))).toThrow(/^torch\.load: cannot read .*in-fifo: it is a FIFO/);
    await expect(torch.loadAsync(at("in-fifo"))).rejects.toThrow(/^torch\.load: cannot read .*in-fifo: it is a FIFO/);
  });

  it("loadAsync of a regular file still loads it, and missing files name the cause", async () => {
    torch.save(sd, at("plain.pth"));
    const loaded = (await torch.loadAsync(at("plain.pth"))) as Map<string, torch.Tensor>;
    expect(Object.fromEntries([...loaded].map(([k, t]) => [k, t.tolist()]))).toEqual(expected());
    torch.dispose(loaded);
    await expect(torch.loadAsync(at("missing.pth"))).rejects.toThrow(/^torch\.load: cannot open .*missing\.pth: no such file \(ENOENT\)$/);
  });
});

describe("cyclic objects", () => {
  it("torch.save refuses a container that contains itself, as torch.load would; the previous file stays", () => {
    torch.save(sd, at("cyclic.pth"));
    const before = fs.readFileSync(at("cyclic.pth"));
    const list: unknown[] = [1];
    list.push(list);
    const map = new Map<string, unknown>([["x", 1]]);
    map.set("self", map);
    const obj: Record<string, unknown> = { inner: { k: 2 } };
    (obj.inner as Record<string, unknown>).back = obj;
    for (const [value, where] of [[list, "obj\\[1\\]"], [map, 'obj\\["self"\\]'], [obj, 'obj\\["inner"\\]\\["back"\\]']] as const) {
      expect(() => torch.save(value, at("cyclic.pth"))).toThrow(new RegExp(`^torch\\.save: cannot save a recursive structure .* at ${where}$`));
      expect(() => torch.serialization.saveToBuffer(value)).toThrow(/recursive structure/);
    }
    expect(fs.readFileSync(at("cyclic.pth")).equals(before)).toBe(true);
    // Shared (not cyclic) references still save and load, and stay shared.
    const shared = [5, 6];
    torch.save({ a: shared, b: shared }, at("shared.pth"));
    const back = torch.load(at("shared.pth")) as Map<string, unknown>;
    expect(back.get("a")).toEqual([5, 6]);
    expect(back.get("a")).toBe(back.get("b"));
  });
});

describe("scoped helpers refusing a Promise they cannot cover", () => {
  it("noGrad, enableGrad, tidy and autocast throw their TypeError and leave no unhandled rejection behind", () => {
    const code = `
      const torch = await import("./lib/index.ts");
      // noGrad/enableGrad take async functions (grad_mode_async.test.ts); a plain one returning a Promise is refused.
      const calls = [["noGrad", (f) => torch.noGrad(() => f())], ["enableGrad", (f) => torch.enableGrad(() => f())],
        ["tidy", (f) => torch.tidy(f)], ["autocast", (f) => torch.autocast("cpu", f)]];
      for (const [name, call] of calls) {
        try { call(async () => { throw new Error("x"); }); console.log(name, "did not throw"); }
        catch (e) { console.log(name, e.constructor.name, /fn must be synchronous|not an async function/.test(e.message)); }
      }
      await new Promise((r) => setTimeout(r, 50));
      console.log("alive");`;
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(out.trim().split("\n")).toEqual(["noGrad TypeError true", "enableGrad TypeError true", "tidy TypeError true", "autocast TypeError true", "alive"]);
  });
});
