// The tensor wing (lib/tensor/) is one import path: a module that imports Tensor from it, and
// nothing else of torch-ts, gets every method: hand-written, generated, indexing, Python-level
// and reflected ones, and the properties. Run in a fresh process, so no other test's imports help.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

it("importing Tensor from lib/tensor/index.js alone attaches all its methods", () => {
  const probe = `
    import { Tensor } from "./lib/tensor/index.js";
    const names = ["add", "sum", "reshape", "topk", "cumsum", "index", "indexPut_", "unique", "norm", "stft", "__radd__", "float"];
    const props = ["T", "mT", "H", "mH", "real", "imag"];
    const proto = Tensor.prototype;
    const missing = [...names.filter((n) => typeof proto[n] !== "function"), ...props.filter((p) => Object.getOwnPropertyDescriptor(proto, p)?.get === undefined)];
    console.log(JSON.stringify({ missing, methods: Object.getOwnPropertyNames(proto).length }));
  `;
  const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", probe], { cwd: root, encoding: "utf8" });
  const { missing, methods } = JSON.parse(out.trim().split("\n").pop()!) as { missing: string[]; methods: number };
  expect(missing).toEqual([]);
  expect(methods).toBeGreaterThan(500);
}, 60_000);
