// torch.masked (lib/masked/) against PyTorch itself: every sample OpInfo's op_db generates for its
// masked.* entries (CPU; float32, float64, int64 and bool as far as each op supports them), called
// by the calling rule and compared in value, dtype and shape at assert_close's default
// tolerances, with float32 gradients of a random cotangent for the differentiable ones; then the
// calls OpInfo leaves out (dtype=, integer inputs, fully masked-out rows, PyTorch's refusals),
// made the same way. Every expected value comes from test/reference/masked.py at test time.
import { afterAll, beforeAll, expect, it } from "vitest";
import * as torch from "torch-ts";
import { camel } from "../lib/tensor/op_call.js";
import { decodeValue, type CatalogDType, type Encoded, type OpInfoEntry, type Sample, type SamplesReply } from "./reference/opinfo.js";
import { ReferenceSession } from "./reference/session.js";

const py = new ReferenceSession("masked.py");
afterAll(() => py.close());
let live = 0;
beforeAll(() => {
  live = torch.liveTensors();
});

/** op_db's masked.* entries in PyTorch 1.13 (the catalog is checked against this list below). */
const OPS = ["sum", "prod", "cumsum", "cumprod", "amax", "amin", "argmax", "argmin", "mean", "median", "norm", "var", "std",
  "softmax", "log_softmax", "softmin", "normalize", "logaddexp", "logsumexp"];
const DTYPES: CatalogDType[] = ["float32", "float64", "int64", "bool"];
type Tol = { rtol: number; atol: number };
type Fn = (...a: unknown[]) => unknown;

const masked = torch.masked as unknown as Record<string, Fn>;
const catalog = py.request<{ ops: OpInfoEntry[] }>({ cmd: "catalog" });

/** assert_close's rule: |a - e| <= atol + rtol |e|, NaNs equal, dtypes and shapes exact. */
function close(actual: unknown, expected: unknown, tol: Tol, where: string): string | null {
  if (!(expected instanceof torch.Tensor)) return actual === expected ? null : `${where}: ${String(actual)}, PyTorch ${String(expected)}`;
  if (!(actual instanceof torch.Tensor)) return `${where}: expected a Tensor, got ${String(actual)}`;
  if (actual.dtype !== expected.dtype) return `${where}: dtype ${actual.dtype}, PyTorch ${expected.dtype}`;
  if (actual.shape.join() !== expected.shape.join() || actual.ndim !== expected.ndim) return `${where}: shape [${actual.shape}], PyTorch [${expected.shape}]`;
  if (actual.numel() === 0) return null;
  const ok = torch.tidy(() => {
    if (!torch.isFloatingPoint(expected)) return actual.eq(expected).all().item() === true;
    const [a, e] = [actual.to("float64"), expected.to("float64")];
    const fine = a.sub(e).abs().le(e.abs().mul(tol.rtol).add(tol.atol)).logicalOr(a.eq(e)).logicalOr(a.isnan().logicalAnd(e.isnan()));
    return fine.all().item() === true;
  });
  return ok ? null : `${where}: values differ beyond rtol ${tol.rtol}, atol ${tol.atol}`;
}

/** One sample by the calling rule (keyword arguments in one camelCase options object); null when it matches PyTorch. */
function replay(f: Fn, s: Sample, tol: Tol): string | null {
  return torch.tidy(() => {
    const input = decodeValue(s.input, torch);
    const args = s.args.map((a) => decodeValue(a, torch));
    const kwargs = decodeValue(s.kwargs as Encoded, torch) as Record<string, unknown>;
    const options = Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [camel(k), v]));
    let out: unknown;
    try {
      out = f(input, ...args, ...(Object.keys(options).length > 0 ? [options] : []));
    } catch (err) {
      if (s.outputError !== undefined) return null; // PyTorch refuses it too
      return `throws ${(err as Error).message.split("\n")[0]!.slice(0, 200)}`;
    }
    if (s.outputError !== undefined) return `returns where PyTorch raises ${s.outputError}`;
    const wrong = close(out, decodeValue(s.output, torch), tol, "output");
    if (wrong !== null || !s.grad) return wrong;
    if (s.grad.error !== undefined || !s.grad.grads) return `PyTorch's gradient failed: ${s.grad.error}`;
    const cot = decodeValue(s.grad.cotangents[0], torch) as torch.Tensor;
    if (s.grad.cotangents.length !== 1 || !(out instanceof torch.Tensor) || !out.requiresGrad) return "gradient: expected one differentiable output";
    out.mul(cot).sum().backward();
    const roots: Record<string, unknown> = { input, args, kwargs };
    for (const [i, path] of s.grad.paths.entries()) {
      const want = s.grad.grads[i] === null ? null : decodeValue(s.grad.grads[i]!, torch);
      const leaf = path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], roots) as torch.Tensor;
      if (want === null) continue; // unused in PyTorch
      const r = leaf.grad === null ? `gradient of ${path}: none, PyTorch has one` : close(leaf.grad, want, tol, `gradient of ${path}`);
      if (r !== null) return r;
    }
    return null;
  });
}

it("covers every masked.* entry of OpInfo's op_db", async () => {
  const names = (await catalog).ops.map((o) => o.name.replace(/^masked\./, ""));
  expect([...new Set(names)].sort()).toEqual([...OPS].sort());
  for (const name of OPS) expect(typeof masked[camel(name)], `torch.masked.${camel(name)}`).toBe("function");
});

it.each(OPS)("replays OpInfo's samples of masked.%s", async (name) => {
  const entries = (await catalog).ops.filter((o) => o.name === `masked.${name}`);
  const f = masked[camel(name)]!;
  const failures: string[] = [];
  const counts: string[] = [];
  for (const op of entries) {
    for (const dtype of DTYPES.filter((d) => op.dtypes.includes(d))) {
      const grad = dtype === "float32" && op.autograd;
      const reply = await py.request<SamplesReply>({ cmd: "samples", name: op.name, variant: op.variant, dtype, maxSamples: 1000, grad });
      let passed = 0;
      for (const [i, s] of reply.samples.entries()) {
        const why = replay(f, s, reply.tolerance);
        if (why === null) passed++;
        else failures.push(`${dtype} sample ${i}: ${why}`);
      }
      for (const s of reply.skipped) failures.push(`${dtype} sample ${s.index} not carried: ${s.reason}`);
      if (reply.generationError) failures.push(`${dtype}: the sample generator raised ${reply.generationError}`);
      counts.push(`${dtype} ${passed}/${reply.samples.length + reply.skipped.length}${grad ? " (+grad)" : ""}`);
      expect(reply.samples.length, `${dtype} samples`).toBeGreaterThan(0);
    }
  }
  console.log(`masked.${name}: ${counts.join(", ")}`);
  expect(failures.slice(0, 10)).toEqual([]);
});

it("matches PyTorch on the calls OpInfo leaves out (dtype=, integer inputs, fully masked-out rows, refusals)", async () => {
  const { cases } = await py.request<{ cases: (Sample & { fn: string; dtype: string; tolerance: Tol })[] }>({ cmd: "cases" });
  const failures: string[] = [];
  for (const [i, c] of cases.entries()) {
    const why = replay(masked[camel(c.fn)]!, c, c.tolerance);
    if (why !== null) failures.push(`case ${i} masked.${c.fn} (${c.dtype}, ${JSON.stringify(c.kwargs).slice(0, 60)}): ${why}`);
  }
  console.log(`masked cases: ${cases.length - failures.length}/${cases.length}`);
  expect(cases.length).toBeGreaterThan(40);
  expect(failures).toEqual([]);
});

it("takes Python's arguments positionally or in one options object", () => {
  torch.tidy(() => {
    torch.manualSeed(0);
    const x = torch.randn([3, 4]);
    const y = torch.randn([3, 4]);
    const mask = torch.rand([3, 4]).gt(0.4);
    const same = (a: torch.Tensor, b: torch.Tensor) => expect(close(a, b, { rtol: 0, atol: 0 }, "value")).toBeNull();
    same(torch.masked.sum(x, 1, { keepdim: true, mask }), torch.masked.sum(x, { dim: 1, keepdim: true, mask }));
    same(torch.masked.sum(x, [0, 1], { mask }), torch.masked.sum(x, null, { mask }));
    same(torch.masked.var(x, 1, true, { mask }), torch.masked.var(x, { dim: 1, unbiased: true, mask }));
    same(torch.masked.norm(x, 1, 0, { mask }), torch.masked.norm(x, { ord: 1, dim: 0, mask }));
    same(torch.masked.norm(x), torch.masked.norm(x, 2, null, { mask: null }));
    same(torch.masked.logSoftmax(x, 0, { mask }), torch.masked.logSoftmax(x, { dim: 0, mask }));
    same(torch.masked.normalize(x, 2, 1, { eps: 1e-6 }), torch.masked.normalize(x, { ord: 2, dim: 1, eps: 1e-6 }));
    same(torch.masked.logaddexp(x, y, { inputMask: mask }), torch.masked.logaddexp(x, { other: y, inputMask: mask }));
    same(torch.masked.median(x), torch.masked.median(x, -1));
    same(torch.masked.amax(x, 1, { mask: mask.to("int64") }), torch.masked.amax(x, 1, { mask }));
  });
});

it("refuses bad arguments naming masked.<name>, the argument, what was expected and what came", () => {
  torch.tidy(() => {
    const x = torch.ones([2, 3]);
    const mask = torch.ones([2, 3]).gt(0);
    expect(() => torch.masked.sum("x" as never)).toThrow(/^masked\.sum: expected input to be a Tensor, but received "x"$/);
    expect(() => torch.masked.sum(x, "1" as never)).toThrow(/masked\.sum: expected dim to be an integer, an array of integers or null, but received "1"/);
    expect(() => torch.masked.sum(x, 1, true as never)).toThrow(/masked\.sum: expected at most 2 positional arguments \(input, dim\), but received 3; keepdim, dtype, mask go in the options object/);
    expect(() => torch.masked.sum(x, { keep_dim: true } as never)).toThrow(/masked\.sum: unknown option "keep_dim" \(did you mean "keepdim"\?\)/);
    expect(() => torch.masked.mean(x, 0, { mask: [true] as never })).toThrow(/masked\.mean: expected mask to be a Tensor, but received \[true\]/);
    expect(() => torch.masked.amax(x, 0, { dtype: "float" as never })).toThrow(/masked\.amax: expected dtype to be one of .*float32.*, but received "float"/);
    expect(() => torch.masked.sum(x, 0, { keepdim: 1 as never })).toThrow(/masked\.sum: expected keepdim to be a boolean, but received 1/);
    expect(() => torch.masked.softmax(x as never)).toThrow(/masked\.softmax: missing argument dim/);
    expect(() => torch.masked.argmax(x, [0, 1] as never)).toThrow(/masked\.argmax: expected dim to be an integer, but received \[0, 1\]/);
    expect(() => torch.masked.normalize(x, 2 as never)).toThrow(/masked\.normalize: missing argument dim/);
    expect(() => torch.masked.norm(x, "fro" as never)).toThrow(/masked\.norm: expected ord to be a number, but received "fro"/);
    expect(() => torch.masked.logaddexp(x, 1 as never)).toThrow(/masked\.logaddexp: expected other to be a Tensor, but received 1/);
    expect(() => torch.masked.logaddexp(x, x, { otherMask: 0 as never })).toThrow(/masked\.logaddexp: expected otherMask to be a Tensor, but received 0/);
    expect(() => torch.masked.amax(mask, 0, { mask })).toThrow(TypeError);
    expect(() => torch.masked.amax(mask, 0, { mask })).toThrow(/masked\.amax: amax has no identity for bool input/);
    // torch-ts has sparse tensors only through toSparse(); the masked ops refuse them by layout.
    expect(() => torch.masked.sum(x.toSparse(), 0, { mask })).toThrow(TypeError);
    expect(() => torch.masked.softmax(x.toSparseCsr(), 0, { mask })).toThrow(/masked\.softmax: sparse layouts are unsupported/);
    expect(() => torch.masked.mean(x, 0, { mask: mask.toSparse() })).toThrow(/masked\.mean: sparse layouts are unsupported/);
  });
});

it("frees every tensor it makes", () => {
  expect(torch.liveTensors()).toBe(live);
});
