// Hostile TorchScript archives: what torch.jit.load's archive check (lib/jit/archive_check.ts,
// archive_pickles.ts) refuses before libtorch sees the bytes — each check with an archive
// crafted from a Python-made one to break exactly that property — that it refuses none of
// Python's own archives, and a CI-sized run of the fuzz (scripts/soak/jit_fuzz.ts runs 10 000)
// with no crash and no hang. The seeds are made by PyTorch at test time (reference/jit_fuzz.py).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "torch-ts";
import { checkScriptArchive } from "../lib/jit/archive_check.js";
import { encodeInt, pickleOps } from "../scripts/soak/jit_fuzz/pickle_ops.js";
import { runJitFuzz, type SeedFile } from "../scripts/soak/jit_fuzz/run.js";
import { readArchive, writeArchive, type ArchiveRecord } from "../scripts/soak/jit_fuzz/zip_rewrite.js";
import { runReference } from "./reference/python.js";

let dir: string;
let seeds: SeedFile[];
/** More Python-made archives the check must accept (quantized, extra files, lite interpreter). */
let others: { name: string; file: string }[];
const bytesOf = (name: string) => new Uint8Array(fs.readFileSync(seeds.find((s) => s.name === name)!.file));

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "torch-ts-jit-fuzz-test-"));
  ({ bases: seeds, others } = runReference<{ bases: SeedFile[]; others: typeof others }>("jit_fuzz.py", { dir }));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The seed `base` with `edit` applied to its records, rewritten with correct CRCs and sizes. */
function craft(base: string, edit: (records: Map<string, ArchiveRecord>) => void): Uint8Array {
  const { prefix, records } = readArchive(bytesOf(base));
  const byName = new Map(records.map((r) => [r.name, r]));
  edit(byName);
  return writeArchive(prefix, [...byName.values()]);
}

const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/** The pickle with its `n`-th integer opcode (in file order) replaced by `v`. */
function setInt(pkl: Uint8Array, n: number, v: bigint): Uint8Array {
  const op = pickleOps(pkl).filter((o) => o.int !== undefined)[n]!;
  return concat(pkl.subarray(0, op.at), encodeInt(v), pkl.subarray(op.end));
}

/** The pickle with its first BINUNICODE equal to `from` made `to`. */
function setString(pkl: Uint8Array, from: string, to: string): Uint8Array {
  const op = pickleOps(pkl).find((o) => o.code === 0x58 && Buffer.from(pkl.subarray(o.at + 5, o.end)).toString() === from)!;
  const s = Buffer.from(to);
  const head = Buffer.alloc(5);
  head[0] = 0x58;
  head.writeUInt32LE(s.length, 1);
  return concat(pkl.subarray(0, op.at), head, s, pkl.subarray(op.end));
}

const refused = (bytes: Uint8Array, message: RegExp) => {
  expect(() => checkScriptArchive(bytes, "the archive")).toThrow(message);
  // torch.jit.load runs the same check: the error, not a crash.
  expect(() => torch.jit.load(bytes)).toThrow(torch.TorchError);
};

describe("torch.jit.load archive check", () => {
  it("accepts every archive Python makes, and they load and run", () => {
    expect(seeds.map((s) => s.name)).toEqual(["control", "frozen", "views", "cnn_traced"]);
    for (const s of seeds) {
      expect(() => checkScriptArchive(bytesOf(s.name), s.name)).not.toThrow();
      const m = torch.jit.load(s.file);
      torch.tidy(() => {
        const out = m.forward(torch.ones(s.input));
        expect(out).toBeDefined();
      });
    }
    expect(others.map((s) => s.name)).toEqual(["quantized", "extra_files", "lite", "final_constants"]);
    for (const s of others) {
      expect(() => checkScriptArchive(new Uint8Array(fs.readFileSync(s.file)), s.name)).not.toThrow();
      expect(torch.jit.load(s.file)).toBeInstanceOf(torch.jit.ScriptModule);
    }
  });

  it("refuses a storage record shorter than its storage (an empty one was a SIGSEGV in libtorch)", () => {
    // views' data/0 holds the 24 floats three buffers share.
    refused(craft("views", (r) => (r.get("data/0")!.data = new Uint8Array(0))),
      /data\.pkl: storage 0 holds 24 elements of 4 bytes but its record data\/0 has only 0 bytes/);
    refused(craft("frozen", (r) => (r.get("constants/0")!.data = r.get("constants/0")!.data.subarray(0, 10))),
      /constants\.pkl: storage 0 holds 16 elements of 4 bytes but its record constants\/0 has only 10 bytes/);
  });

  it("refuses a storage without its record, or with a record name that is not one", () => {
    refused(craft("control", (r) => r.delete("data/1")), /storage 1 has no record data\/1/);
    refused(craft("control", (r) => (r.get("data.pkl")!.data = setString(r.get("data.pkl")!.data, "0", "../0"))), /a storage key is "\.\.\/0", not a record name/);
  });

  it("refuses storage element counts that are negative or overflow (numel × itemsize)", () => {
    // The frozen module's constants.pkl: its first integer is storage 0's numel (16).
    const withNumel = (v: bigint) => craft("frozen", (r) => (r.get("constants.pkl")!.data = setInt(r.get("constants.pkl")!.data, 0, v)));
    refused(withNumel(-(2n ** 63n)), /storage 0 has -9223372036854775808 elements, not a count from 0 to 2\^53/);
    refused(withNumel(2n ** 62n), /storage 0 has 4611686018427387904 elements, not a count from 0 to 2\^53/);
    refused(withNumel(1000n), /storage 0 holds 1000 elements of 4 bytes but its record constants\/0 has only 64 bytes/);
  });

  it("refuses a tensor whose sizes, strides or offset reach past its storage", () => {
    // constants.pkl integers: numel 16, offset 0, size (4, 4), stride (4, 1), ...
    const edit = (n: number, v: bigint) => craft("frozen", (r) => (r.get("constants.pkl")!.data = setInt(r.get("constants.pkl")!.data, n, v)));
    refused(edit(0, 0n), /storage 0 has 0 elements|reaches element 15 of storage 0, which has 0/);
    refused(edit(1, 1n), /size \[4,4\], stride \[4,1\] and offset 1 reaches element 16 of storage 0, which has 16/);
    refused(edit(2, 2n ** 40n), /reaches element \d+ of storage 0, which has 16|too many elements/);
    refused(edit(4, 5n), /stride \[5,1\] and offset 0 reaches element 18 of storage 0/);
    refused(edit(2, 2n ** 70n), /has size \[1180591620717411303424,4\], not a tuple of integers from 0 to 2\^53/);
    refused(edit(4, -1n), /has stride \[-1,1\], not a tuple of integers from 0 to 2\^53/);
    refused(edit(1, -1n), /has offset -1, not an integer from 0 to 2\^53/);
  });

  it("refuses a storage of a type libtorch does not know", () => {
    const bytes = craft("control", (r) => {
      const pkl = Buffer.from(r.get("data.pkl")!.data).toString("latin1").replace("torch\nFloatStorage\n", "torch\nNoSuchStorage\n");
      r.get("data.pkl")!.data = new Uint8Array(Buffer.from(pkl, "latin1"));
    });
    refused(bytes, /data\.pkl: storage "0" has type torch\.NoSuchStorage, not a torch storage type/);
  });

  it("refuses pickles libtorch would pop an empty stack for, or allocate a giant string for", () => {
    // TUPLE1 on an empty stack: libtorch's unpickler popped past its stack (heap corruption).
    refused(craft("control", (r) => (r.get("constants.pkl")!.data = Uint8Array.of(0x80, 2, 0x85, 0x2e))),
      /constants\.pkl: the pickle is malformed/);
    // A BINUNICODE claiming 4 GiB: libtorch allocated it (3 GB resident before it failed).
    refused(craft("cnn_traced", (r) => {
      const pkl = r.get("data.pkl")!.data.slice();
      const op = pickleOps(pkl).find((o) => o.code === 0x58)!;
      new DataView(pkl.buffer).setUint32(op.at + 1, 0xffffffff, true);
      r.get("data.pkl")!.data = pkl;
    }), /data\.pkl: the pickle is malformed: pickle data was truncated/);
    // The debug pickles are read when libtorch prints a traceback: plain data, checked too.
    refused(craft("control", (r) => (r.get("code/__torch__.py.debug_pkl")!.data = Uint8Array.of(0x80, 2, 0x58, 0xff, 0xff, 0xff, 0x7f, 0x2e))),
      /code\/__torch__\.py\.debug_pkl: the pickle is malformed/);
  });

  it("refuses debug pickles whose string-table indices or source ranges point outside them", () => {
    // libtorch indexes the table with these unchecked when it prints a traceback (a SIGSEGV).
    const debug = "code/__torch__/torch/nn/modules/conv.py.debug_pkl";
    const pickled = (ints: (n: number) => bigint | null) => craft("cnn_traced", (r) => {
      const pkl = r.get(debug)!.data;
      const ops = pickleOps(pkl).filter((o) => o.int !== undefined);
      let out = pkl;
      for (let k = ops.length - 1; k >= 0; k--) {
        const v = ints(k);
        if (v !== null) out = concat(out.subarray(0, ops[k]!.at), encodeInt(v), out.subarray(ops[k]!.end));
      }
      r.get(debug)!.data = out;
    });
    // Its integers in order: entry 0 (0, (([], 0, 0), 0, 0), 0) is 0-5; entry 1
    // (307, (([1, 2, …, 9, 0], 10, 459), 0, 741), 17) is 6-23: text 7-18, filename 19, end 22.
    refused(pickled((k) => (k === 19 ? 99n : null)), /conv\.py\.debug_pkl: source range filename index 99 is past the 11-string table/);
    refused(pickled((k) => (k === 7 ? 1000n : null)), /source range text \[1000,2,3,4,5,3,4,6,…\] indexes past the 11-string table/);
    refused(pickled((k) => (k === 22 ? 100000n : null)), /source range 0\.\.100000 is not inside its \d+-byte source/);
  });

  it("refuses a module class body assignment without an annotation (libtorch crashed reporting it)", () => {
    const withLine = (line: string) => craft("views", (r) => {
      const code = Buffer.from(r.get("code/__torch__.py")!.data).toString().replace("  __parameters__ = []\n", `  __parameters__ = []\n${line}\n`);
      r.get("code/__torch__.py")!.data = new Uint8Array(Buffer.from(code));
    });
    const crash = withLine("  foo = 1");
    // The crash needed an archive loaded before in the process: load one first.
    torch.jit.load(seeds[0]!.file);
    refused(crash, /code\/__torch__\.py line 3: the module class body assigns "foo" without a type annotation/);
    refused(withLine("  __parameter0__ = []"), /assigns "__parameter0__" without a type annotation/);
    expect(() => checkScriptArchive(withLine("  foo : Final[int] = 1"), "final")).not.toThrow();
  });

  it("refuses a version libtorch 1.13 does not read", () => {
    for (const v of ["0\n", "11\n", "99", "-1\n", "abc\n", "", "3.5\n", "18446744073709551616\n"]) {
      refused(craft("control", (r) => (r.get("version")!.data = new Uint8Array(Buffer.from(v)))), /file format version .* is not one this libtorch reads \(an integer from 1 to 10\)/);
    }
    for (const v of ["1\n", "3\n", "10"]) {
      expect(() => checkScriptArchive(craft("control", (r) => (r.get("version")!.data = new Uint8Array(Buffer.from(v)))), "v")).not.toThrow();
    }
  });

  it("refuses a record whose bytes do not match its CRC-32, and truncated archives", () => {
    // data.pkl is stored, not deflated: its bytes are in the file as they are.
    const bytes = bytesOf("control").slice();
    const at = Buffer.from(bytes).indexOf("_is_full_backward_hook");
    expect(at).toBeGreaterThan(0);
    bytes[at] ^= 1;
    refused(bytes, /CRC-32 check failed/);
    refused(bytesOf("control").subarray(0, 1000), /is not a readable archive/);
  });
});

it("fuzz: 600 mutated TorchScript archives load or fail with a TorchError, none crashes or hangs", async () => {
  const report = await runJitFuzz({ seed: 1, count: 600, seeds, caseTimeoutMs: 20_000, saveDir: path.join(dir, "failures") });
  expect(report.failures).toEqual([]);
  expect(report.outcomes.crash + report.outcomes.hang + report.outcomes.rss + report.outcomes["bad-error"]).toBe(0);
  // The record mutations must reach libtorch (the rewrite fixes CRCs) and some archives must load and run.
  expect(report.outcomes["refused-load"]).toBeGreaterThan(30);
  expect(report.outcomes.ran).toBeGreaterThan(30);
  expect(report.outcomes["refused-check"]).toBeGreaterThan(100);
}, 180_000);

it("fuzz: a crash while running the loaded code that PyTorch has too is the program's, reported apart", async () => {
  // Case 1667 of seed 1 (its mutation depends only on the seeds' code records): mutated code calls torch._convolution with padding 2^63 - 1, and the
  // aten kernel crashes, in Python as here. The archive is well formed; its program is hostile.
  const report = await runJitFuzz({ seed: 1, first: 1667, count: 1, seeds, saveDir: path.join(dir, "failures") });
  expect(report.failures).toEqual([]);
  expect(report.asPython).toMatchObject([{ i: 1667, kind: "code-number", failure: "crash" }]);
  expect(report.outcomes["forward-crash-as-python"]).toBe(1);
}, 60_000);
