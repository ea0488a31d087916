// PyTorch's own OpInfo database (common_methods_invocations.op_db) replayed against torch-ts:
// every entry whose function variant is a torch.* function, each of its CPU sample inputs in
// float32, float64, int64 and bool (as far as the op supports them), called by the calling rule
// (snake_case keyword arguments become one options object with camelCase keys), and compared
// with PyTorch's output at assert_close's default tolerances for the dtype; for float32
// samples of differentiable ops, the gradients of a random cotangent too. PyTorch computes every
// expected value at test time (test/reference/opinfo.py). An entry passes when all its samples
// pass in every dtype; skipped samples (values the replay cannot carry) and entries that are
// OpInfo lambdas or Tensor-only methods count as failures, with their reason.
//
// OPINFO_REPORT=1 writes the report to test/reports/opinfo.md (committed, so progress shows).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import * as torch from "torch-ts";
import { camel } from "../lib/tensor/op_call.js";
import { decodeValue, Ellipsis, OpInfoSession, PySlice, type CatalogDType, type OpInfoEntry, type Sample } from "./reference/opinfo.js";
import { callByRule, PlanEvaluator, tsName, type PyCallable } from "./reference/opinfo_plan.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const py = new OpInfoSession();
const plans = new PlanEvaluator(torch);
afterAll(() => py.close());


/** How the replay calls an OpInfo entry in torch-ts (Python positional and keyword arguments), or why it cannot. */
function resolve(op: OpInfoEntry): PyCallable | string {
  if (op.kind === "lambda" || op.kind === "other") {
    // OpInfo's own wrapper (a lambda or small def): the same call, made by its parsed plan.
    if (!op.plan || "unsupported" in op.plan) return `OpInfo calls it through a ${op.kind} the replay cannot translate (${op.plan?.unsupported ?? "no plan"}): ${op.source?.slice(0, 80)}`;
    return plans.function(op.plan.fn);
  }
  if (op.kind === "tensor_method") {
    const name = tsName(op.fn);
    if (name === "__getitem__") return (pos) => (pos[0] as torch.Tensor).index(...pythonIndex(pos[1]));
    return (pos, kw) => {
      const self = pos[0] as unknown as Record<string, unknown>;
      return callByRule(typeof self[name] === "function" ? (self[name] as (...a: unknown[]) => unknown).bind(self) : undefined, pos.slice(1), kw, `Tensor.${name}`);
    };
  }
  if (op.kind === "jiterator") return "OpInfo calls it through a jiterator (CUDA-only generated kernels)";
  // "function": torch.<name> itself; "aten": the torch.ops.aten overload, whose torch-ts function is torch.<atenName>.
  const fnName = op.kind === "aten" ? op.atenName : op.fn;
  const space = op.ns === "" ? torch : op.ns.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], torch);
  const f = (space as Record<string, unknown> | undefined)?.[camel(fnName)];
  const what = `torch.${op.ns ? `${op.ns}.` : ""}${camel(fnName)}`;
  return typeof f === "function" ? (pos, kw) => callByRule(f, pos, kw, what) : `no torch-ts function ${what}`;
}

/**
 * A Python __getitem__ key as x.index(...) elements: slices as "a:b:c", Ellipsis as "...", and a
 * tuple spread; a list too when PyTorch reads it as a tuple (treatSequenceAsTuple in
 * torch/csrc/autograd/python_variable_indexing.cpp: fewer than 32 items, one of them None,
 * Ellipsis, a slice, a tensor or a sequence).
 */
function pythonIndex(key: unknown): Parameters<torch.Tensor["index"]> {
  const one = (k: unknown): unknown => {
    if (k instanceof PySlice) return [k.start, k.stop, k.step].map((v) => (v === null ? "" : String(v))).join(":").replace(/:$/, "");
    if (k === Ellipsis) return "...";
    return k;
  };
  const asTuple = torch.serialization.isTuple(key) || (Array.isArray(key) && key.length < 32 &&
    key.some((k) => k === null || k === Ellipsis || k instanceof PySlice || k instanceof torch.Tensor || Array.isArray(k)));
  return (asTuple ? (key as unknown[]).map(one) : [one(key)]) as Parameters<torch.Tensor["index"]>;
}

function close(actual: unknown, expected: unknown, tol: { rtol: number; atol: number }, where: string): string | null {
  if (expected instanceof torch.Tensor) {
    if (!(actual instanceof torch.Tensor)) return `${where}: expected a Tensor, got ${typeof actual}`;
    if (actual.dtype !== expected.dtype) return `${where}: dtype ${actual.dtype}, PyTorch ${expected.dtype}`;
    if (JSON.stringify(actual.shape) !== JSON.stringify(expected.shape)) return `${where}: shape [${actual.shape}], PyTorch [${expected.shape}]`;
    if (actual.numel() === 0) return null;
    const ok = torch.tidy(() => {
      if (expected.dtype === "bool" || !torch.Tensor.prototype.isFloatingPoint.call(expected)) return actual.eq(expected).all().item() === true;
      const a = actual.to("float64");
      const e = expected.to("float64");
      const bothNan = a.isnan().logicalAnd(e.isnan());
      const diff = a.sub(e).abs();
      const fine = diff.le(e.abs().mul(tol.rtol).add(tol.atol)).logicalOr(bothNan).logicalOr(a.eq(e));
      return fine.all().item() === true;
    });
    return ok ? null : `${where}: values differ beyond rtol ${tol.rtol}, atol ${tol.atol}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return `${where}: expected ${expected.length} values`;
    for (let i = 0; i < expected.length; i++) {
      const r = close(actual[i], expected[i], tol, `${where}[${i}]`);
      if (r !== null) return r;
    }
    return null;
  }
  if (typeof expected === "number" && typeof actual === "number") {
    return Number.isNaN(expected) && Number.isNaN(actual) || Math.abs(actual - expected) <= tol.atol + tol.rtol * Math.abs(expected) ? null : `${where}: ${actual}, PyTorch ${expected}`;
  }
  return actual === expected || (actual instanceof torch.Tensor && actual.numel() === 1 && actual.item() === expected) ? null : `${where}: ${String(actual)}, PyTorch ${String(expected)}`;
}

const tensorsIn = (v: unknown, out: torch.Tensor[] = []): torch.Tensor[] => {
  if (v instanceof torch.Tensor) out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => tensorsIn(x, out));
  else if (v !== null && typeof v === "object") Object.values(v).forEach((x) => tensorsIn(x, out));
  return out;
};

/** One sample: the call by the calling rule, its output and (float32, differentiable) gradients. */
function replay(f: PyCallable, s: Sample, tol: { rtol: number; atol: number }, uninitialised: boolean): string | null {
  return torch.tidy(() => {
    const input = decodeValue(s.input, torch);
    const args = s.args.map((a) => decodeValue(a, torch));
    const kwargs = decodeValue(s.kwargs, torch) as Record<string, unknown>; // Python keys: callByRule camelCases them
    let out: unknown;
    try {
      out = f([input, ...args], kwargs);
    } catch (err) {
      if (s.outputError !== undefined) return null; // PyTorch refuses this sample too
      return `throws ${(err as Error).constructor.name}: ${(err as Error).message.split("\n")[0]!.slice(0, 160)}`;
    }
    if (s.outputError !== undefined) return `returns where PyTorch raises ${s.outputError.slice(0, 100)}`;
    if (s.varies) return null; // uninitialised memory or a non-deterministic driver: nothing to compare
    if (uninitialised) {
      // torch.empty*: the values are whatever memory held (two Python runs may even agree by chance).
      const [got, want] = [out as torch.Tensor, decodeValue(s.output, torch) as torch.Tensor];
      return got.dtype === want.dtype && JSON.stringify(got.shape) === JSON.stringify(want.shape) ? null : `output: ${got.dtype} [${got.shape}], PyTorch ${want.dtype} [${want.shape}]`;
    }
    const mismatch = close(out, decodeValue(s.output, torch), tol, "output");
    // No gradients to compare: none, PyTorch's backward raised, or it is not reproducible (grad.varies).
    if (mismatch !== null || !s.grad || s.grad.error || !s.grad.grads || s.grad.varies) return mismatch;
    const outs = tensorsIn(out).filter((t) => t.requiresGrad);
    const cot = s.grad.cotangents.map((c) => decodeValue(c, torch) as torch.Tensor);
    if (outs.length !== cot.length) return `gradient: ${outs.length} differentiable outputs, PyTorch ${cot.length}`;
    const where: Record<string, unknown> = { input, args, kwargs };
    const leaves = s.grad.paths.map((p) => p.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], where) as torch.Tensor);
    try {
      outs.map((o, i) => o.mul(cot[i]!).sum()).reduce((a, b) => a.add(b)).backward();
    } catch (err) {
      return `backward throws: ${(err as Error).message.split("\n")[0]!.slice(0, 160)}`;
    }
    for (let i = 0; i < leaves.length; i++) {
      const want = s.grad.grads[i] === null ? null : decodeValue(s.grad.grads[i]!, torch);
      const got = leaves[i]!.grad ?? null;
      if (want === null) continue; // unused in PyTorch; torch-ts may give zeros or nothing
      if (got === null) return `gradient of ${s.grad.paths[i]}: none, PyTorch has one`;
      const r = close(got, want, { rtol: tol.rtol * 10, atol: tol.atol * 10 }, `gradient of ${s.grad.paths[i]}`);
      if (r !== null) return r;
    }
    return null;
  });
}

interface OpResult { name: string; ns: string; variant: string; pass: boolean; reason: string; samples: Record<string, [number, number]> }

it("replays OpInfo's samples (float32, float64, int64, bool; float32 gradients) by the calling rule", async () => {
  const live = torch.liveTensors();
  const catalog = await py.catalog();
  const results: OpResult[] = [];
  const DTYPES: CatalogDType[] = ["float32", "float64", "int64", "bool"];
  // OPINFO_ONLY=<regex> replays only the matching op names (while working on them; no report, no ratchet).
  const only = process.env.OPINFO_ONLY === undefined ? null : new RegExp(process.env.OPINFO_ONLY);
  for (const op of catalog.ops.filter((o) => only === null || only.test(o.name))) {
    const r: OpResult = { name: op.name, ns: op.ns, variant: op.variant, pass: true, reason: "", samples: {} };
    results.push(r);
    const f = resolve(op);
    for (const dtype of DTYPES.filter((d) => op.dtypes.includes(d))) {
      const reply = await py.samples({ name: op.name, variant: op.variant, dtype, grad: dtype === "float32" && op.autograd });
      const total = reply.samples.length + reply.skipped.length;
      let passed = 0;
      if (typeof f === "string") {
        r.samples[dtype] = [0, total];
        continue;
      }
      for (const s of reply.samples) {
        let why: string | null;
        try {
          // Random ops run under wrapper_set_seed in OpInfo (manualSeed(42) in the plan): their values must match too.
          why = replay(f, s, reply.tolerance, /^(new_)?empty/.test(op.name));
        } catch (e) {
          why = `${(e as Error).constructor.name}: ${(e as Error).message.split("\n")[0]!.slice(0, 160)}`;
        }
        if (why === null) passed++;
        else if (r.reason === "") r.reason = `${dtype}: ${why}`;
      }
      if (reply.skipped.length > 0 && r.reason === "") r.reason = `${dtype}: ${reply.skipped.length} samples the replay cannot carry (${reply.skipped[0]!.reason})`;
      r.samples[dtype] = [passed, total];
      if (passed < total) r.pass = false;
    }
    if (typeof f === "string") {
      r.pass = false;
      r.reason = f;
    }
  }
  const names = new Map<string, boolean>();
  for (const r of results) names.set(r.name, (names.get(r.name) ?? true) && r.pass);
  const perDtype = Object.fromEntries(DTYPES.map((d) => {
    const [p, t] = results.reduce(([p, t], r) => [p + (r.samples[d]?.[0] ?? 0), t + (r.samples[d]?.[1] ?? 0)], [0, 0]);
    return [d, { passed: p, total: t }];
  }));
  const namesPassed = [...names.values()].filter(Boolean).length;
  const summary = `OpInfo replay (PyTorch ${catalog.torch}): ${namesPassed} / ${names.size} op names pass, ` +
    `${results.filter((r) => r.pass).length} / ${results.length} entries; samples ${DTYPES.map((d) => `${d} ${perDtype[d]!.passed}/${perDtype[d]!.total}`).join(", ")}`;
  console.log(summary);
  if (only !== null) {
    for (const r of results) console.log(`${r.pass ? "pass" : "FAIL"} ${r.name} ${r.variant} ${JSON.stringify(r.samples)} ${r.reason}`);
    return;
  }
  if (process.env.OPINFO_REPORT === "1") {
    const lines = [
      "# OpInfo replay report", "",
      "Generated by `OPINFO_REPORT=1 npx vitest run test/opinfo_replay.test.ts` (test/opinfo_replay.test.ts); do not edit.", "",
      summary, "",
      "| dtype | samples passing | total |", "|---|---|---|",
      ...DTYPES.map((d) => `| ${d} | ${perDtype[d]!.passed} | ${perDtype[d]!.total} |`), "",
      "## Failing entries", "", "| op | variant | samples (pass/total per dtype) | first reason |", "|---|---|---|---|",
      ...results.filter((r) => !r.pass).map((r) => `| ${r.ns ? `${r.ns}.` : ""}${r.name} | ${r.variant} | ${Object.entries(r.samples).map(([d, [p, t]]) => `${d} ${p}/${t}`).join(", ")} | ${r.reason.replace(/\|/g, "\\|").replace(/\n/g, " ")} |`),
    ];
    fs.mkdirSync(path.join(root, "test/reports"), { recursive: true });
    fs.writeFileSync(path.join(root, "test/reports/opinfo.md"), lines.join("\n") + "\n");
  }
  expect(torch.liveTensors()).toBe(live);
  // A ratchet, not a goal: the count this replay reached when it was written (the goal is 95 %).
  expect(namesPassed).toBeGreaterThanOrEqual(Number(process.env.OPINFO_FLOOR ?? 560));
}, 900_000);
