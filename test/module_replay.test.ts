// PyTorch's own module tests replayed against torch-ts (the yardstick of the nn surface):
// common_modules.module_db (each ModuleInfo's inputs, float32 and float64, train mode and eval
// mode where they differ) and common_nn's module_tests, new_module_tests and criterion_tests
// (float64, as test_nn.py runs them). PyTorch builds and runs every case at test time
// (test/reference/module_replay.py): constructor arguments, state dict, inputs, outputs, buffers
// after the forward, a cotangent and the input and parameter gradients. torch-ts builds
// `new nn[Class](...args, { camelKwargs })` by the calling rule, loads the state dict (strict),
// runs `module.call(...)` in the same mode after the same manualSeed, and compares the output,
// the buffers and, after backward with the same cotangent, the gradients (assert_close's default
// tolerances for the dtype, 10x for gradients). wrap_functional entries make the same
// torch.nn.functional call through the parsed lambda (reference/opinfo_plan.ts). A class torch-ts
// lacks, a case PyTorch's side cannot encode, or a lambda the replay cannot translate is a
// failure with its reason. repr(module) is counted apart (it does not fail a case).
//
// MODULES_REPORT=1 writes test/reports/modules.md (committed, so progress shows);
// MODULES_ONLY=<regex> replays only the matching case ids (no report, no ratchet);
// MODULES_FLOOR overrides the ratchet on passing cases.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import * as torch from "torch-ts";
import type { Encoded } from "./reference/opinfo.js";
import { PlanEvaluator } from "./reference/opinfo_plan.js";
import {
  byRule, decodeArg, firstLine, mismatch, ModuleReplaySession, SOURCES, tensorsIn, type ModuleCase, type Source,
} from "./reference/module_replay.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const py = new ModuleReplaySession();
const plans = new PlanEvaluator(torch);
afterAll(() => py.close());

type Callable = { call(...a: unknown[]): unknown };
type Tol = { rtol: number; atol: number };
/** repr: null when no module was built, else whether String(module) is Python's repr (reprText: torch-ts's, when not). */
interface Result { id: string; source: Source; cls: string; reason: string | null; repr: boolean | null; reprText?: string; reprPython?: string }

/** The class name as the report groups it (wrap_functional entries by the functional they call). */
const group = (c: ModuleCase) => (c.functional ? "wrap_functional" : `nn.${c.cls ?? "?"}`);

function replay(c: ModuleCase, tol: Tol, result: Result): string | null {
  if (c.skip !== undefined) return `PyTorch side: ${c.skip}`;
  return torch.tidy(() => {
    let module: torch.nn.Module | null = null;
    let call: (args: unknown[]) => unknown;
    const args = c.inputs!.args.map((a) => decodeArg(a, torch));
    const kwargs = decodeArg(c.inputs!.kwargs, torch) as Record<string, unknown>;
    const callArgs = byRule(args, kwargs);
    if (c.functional !== undefined) {
      const plan = c.functional.plan;
      if ("unsupported" in plan) return `wrap_functional: a lambda the replay cannot translate (${plan.unsupported})`;
      const f = plans.function(plan.fn);
      const fkw = decodeArg(c.functional.kwargs, torch) as Record<string, unknown>;
      call = (a) => f(a, fkw);
    } else {
      const Cls = (torch.nn as unknown as Record<string, unknown>)[c.cls];
      if (typeof Cls !== "function") return `nn.${c.cls} missing`;
      if (c.ctorError !== undefined) return c.ctorError;
      let ctor: unknown[];
      try {
        ctor = byRule(c.ctor!.args.map((a) => decodeArg(a, torch)), decodeArg(c.ctor!.kwargs, torch) as Record<string, unknown>);
      } catch (err) {
        return `constructor argument: ${firstLine(err)}`;
      }
      try {
        module = new (Cls as new (...a: unknown[]) => torch.nn.Module)(...ctor);
      } catch (err) {
        return `constructor throws ${firstLine(err)}`;
      }
      try {
        const text = String(module);
        result.repr = text === c.repr;
        if (!result.repr) Object.assign(result, { reprText: text, reprPython: c.repr });
      } catch (err) {
        result.repr = false;
        Object.assign(result, { reprText: `String(module) throws ${firstLine(err)}`, reprPython: c.repr });
      }
      const m = module;
      try {
        if (c.dtype !== "float32") m.to(c.dtype);
        if (c.lazy) torch.noGrad(() => (m as unknown as Callable).call(...callArgs));
      } catch (err) {
        return `${c.lazy ? "lazy initialisation" : `to(${c.dtype})`} throws ${firstLine(err)}`;
      }
      try {
        m.loadStateDict(new Map(c.state!.map(([k, v]) => [k, decodeArg(v, torch) as torch.Tensor])));
      } catch (err) {
        return `loadStateDict: ${firstLine(err)}`;
      }
      m.train(c.training);
      call = (a) => (m as unknown as Callable).call(...a);
    }
    let out: unknown;
    torch.manualSeed(c.seed);
    try {
      out = call(c.functional !== undefined ? args : callArgs);
    } catch (err) {
      return c.outputError !== undefined ? null : `forward throws ${firstLine(err)}`;
    }
    if (c.outputError !== undefined) return `returns where PyTorch raises ${c.outputError.slice(0, 120)}`;
    const bad = mismatch(torch, out, decodeArg(c.output, torch), tol, "output");
    if (bad !== null) return bad;
    if (module !== null) {
      const buffers = new Map(module.namedBuffers());
      for (const [name, enc] of c.buffers ?? []) {
        const r = mismatch(torch, buffers.get(name) ?? null, decodeArg(enc, torch), tol, `buffer ${name} after forward`);
        if (r !== null) return r;
      }
    }
    const g = c.grad;
    if (g === null || g === undefined) return null;
    if ("error" in g) return null; // PyTorch's backward raised: nothing to compare
    const outs = tensorsIn(torch, out).filter((t) => t.requiresGrad && (t.isFloatingPoint() || t.isComplex()));
    if (outs.length !== g.cotangents.length) return `backward: ${outs.length} differentiable outputs, PyTorch ${g.cotangents.length}`;
    const where: Record<string, unknown> = { args, kwargs };
    const leaves = g.paths.map((p) => p.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], where) as torch.Tensor);
    try {
      const cot = g.cotangents.map((e) => decodeArg(e, torch) as torch.Tensor);
      // One backward per output, accumulating: the vector-Jacobian product autograd.grad takes (complex outputs too).
      outs.forEach((o, i) => o.backward(cot[i]!, { retainGraph: i < outs.length - 1 }));
    } catch (err) {
      return `backward throws ${firstLine(err)}`;
    }
    const gtol = { rtol: tol.rtol * 10, atol: tol.atol * 10 };
    for (let i = 0; i < leaves.length; i++) {
      if (g.grads[i] === null) continue; // unused in PyTorch; torch-ts may give zeros or nothing
      const got = leaves[i]?.grad ?? null;
      if (got === null) return `gradient of input ${g.paths[i]}: none, PyTorch has one`;
      const r = mismatch(torch, got, decodeArg(g.grads[i]!, torch), gtol, `gradient of input ${g.paths[i]}`);
      if (r !== null) return r;
    }
    if (module !== null) {
      const params = new Map(module.namedParameters());
      for (const [name, enc] of g.params) {
        if (enc === null) continue;
        const p = params.get(name);
        if (p === undefined) return `parameter ${name} missing`;
        if (p.grad === null) return `gradient of parameter ${name}: none, PyTorch has one`;
        const r = mismatch(torch, dense(p.grad), decodeArg(enc, torch), gtol, `gradient of parameter ${name}`);
        if (r !== null) return r;
      }
    }
    return null;
  });
}

/** Copies of a case with one expected value replaced by other data of the same shape and dtype. */
function tamper(c: ModuleCase): Record<string, ModuleCase> {
  const g = c.grad as { cotangents: Encoded[]; paths: string[]; grads: (Encoded | null)[]; params: [string, Encoded | null][] };
  const flip = (e: Encoded): Encoded => {
    const t = e as { $t: string; data: string };
    const bytes = Buffer.from(t.data, "base64");
    bytes[bytes.length - 1] ^= 0x40; // the last element's sign/exponent byte
    return { ...t, data: bytes.toString("base64") } as Encoded;
  };
  const firstTensor = (e: Encoded): Encoded => (Array.isArray(e) ? firstTensor(e[0]!) : "$tuple" in (e as object) ? firstTensor((e as { $tuple: Encoded[] }).$tuple[0]!) : e);
  const out = structuredClone(c.output!);
  const t = firstTensor(out) as { data: string };
  t.data = (flip(t as unknown as Encoded) as { data: string }).data;
  const p = g.params.findIndex(([, v]) => v !== null);
  return {
    output: { ...c, output: out },
    "a parameter gradient": { ...c, grad: { ...g, params: g.params.map(([n, v], i) => [n, i === p ? flip(v!) : v]) } },
    cotangent: { ...c, grad: { ...g, cotangents: g.cotangents.map((x, i) => (i === 0 ? flip(x) : x)) } },
  };
}

/** A sparse gradient (Embedding(sparse=True)) as PyTorch's side sends it: dense. */
function dense(t: torch.Tensor): torch.Tensor {
  try {
    return t.toDense();
  } catch {
    return t; // already strided
  }
}

const CHUNK = 60;

it("replays PyTorch's module tests (module_db, common_nn) against torch-ts", async () => {
  const live = torch.liveTensors();
  const only = process.env.MODULES_ONLY === undefined ? null : new RegExp(process.env.MODULES_ONLY);
  const results: Result[] = [];
  let version = "";
  let control: { c: ModuleCase; tol: Tol } | null = null;
  for (const source of SOURCES) {
    let total = Infinity;
    let next = py.cases(source, 0, CHUNK);
    for (let start = 0; start < total; start += CHUNK) {
      const reply = await next;
      total = reply.total;
      version = reply.torch;
      // Python builds the next chunk while this one replays (two cores).
      if (start + CHUNK < total) next = py.cases(source, start + CHUNK, start + 2 * CHUNK);
      for (const c of reply.cases) {
        if (only !== null && !only.test(c.id)) continue;
        const r: Result = { id: c.id, source, cls: group(c), reason: null, repr: null };
        try {
          r.reason = replay(c, reply.tolerance[c.dtype] ?? reply.tolerance.float64, r);
        } catch (err) {
          r.reason = `replay error ${firstLine(err)}`;
        }
        results.push(r);
        if (r.reason === null && control === null && c.source === "module_db" && c.grad && "params" in c.grad && c.grad.params.length > 0) control = { c, tol: reply.tolerance[c.dtype] };
      }
    }
  }
  const count = (rs: Result[]): Counts => ({
    passed: rs.filter((r) => r.reason === null).length, total: rs.length,
    reprPassed: rs.filter((r) => r.repr === true).length, reprTotal: rs.filter((r) => r.repr !== null).length,
  });
  const per = Object.fromEntries(SOURCES.map((s) => [s, count(results.filter((r) => r.source === s))]));
  const all = count(results);
  const summary = `Module replay (PyTorch ${version}): ${all.passed} / ${all.total} cases pass ` +
    `(${SOURCES.map((s) => `${s} ${per[s]!.passed}/${per[s]!.total}`).join(", ")}); repr ${all.reprPassed} / ${all.reprTotal}`;
  console.log(summary, `(worker CPU ${(process.cpuUsage().user / 1e6).toFixed(1)} s)`);
  if (only !== null) {
    for (const r of results) console.log(`${r.reason === null ? "pass" : "FAIL"} ${r.id} repr=${r.repr} ${r.reason ?? ""}`);
    return;
  }
  if (process.env.MODULES_REPORT === "1") writeReport(summary, per, results);
  // The comparison has teeth: a passing case with PyTorch's output, a parameter gradient or the
  // cotangent swapped for other data (the same shapes) fails.
  expect(control, "a passing module_db case with parameter gradients").not.toBeNull();
  const tampered = tamper(control!.c);
  for (const [what, c] of Object.entries(tampered)) {
    const why = replay(c, control!.tol, { id: c.id, source: c.source, cls: "", reason: null, repr: null });
    expect(why, `${control!.c.id} with ${what} tampered`).not.toBeNull();
  }
  expect(torch.liveTensors()).toBe(live);
  // A ratchet, not a goal: the count this replay reached when it was written.
  expect(all.passed).toBeGreaterThanOrEqual(Number(process.env.MODULES_FLOOR ?? 1477));
}, 600_000);

interface Counts { passed: number; total: number; reprPassed: number; reprTotal: number }

function writeReport(summary: string, per: Record<string, Counts>, results: Result[]): void {
  const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const lines = [
    "# Module replay report", "",
    "Generated by `MODULES_REPORT=1 npx vitest run test/module_replay.test.ts` (test/module_replay.test.ts); do not edit.", "",
    summary, "",
    "| source | cases passing | total | repr equal to Python's | modules built |", "|---|---|---|---|---|",
    ...SOURCES.map((s) => `| ${s} | ${per[s]!.passed} | ${per[s]!.total} | ${per[s]!.reprPassed} | ${per[s]!.reprTotal} |`), "",
  ];
  for (const source of SOURCES) {
    const failing = results.filter((r) => r.source === source && r.reason !== null);
    lines.push(`## ${source}: failing cases`, "");
    if (failing.length === 0) lines.push("None.", "");
    const classes = [...new Set(failing.map((r) => r.cls))].sort();
    for (const cls of classes) {
      const mine = results.filter((r) => r.source === source && r.cls === cls);
      const bad = mine.filter((r) => r.reason !== null);
      lines.push(`### ${cls} (${mine.length - bad.length} / ${mine.length} pass)`, "", "| case | reason |", "|---|---|");
      lines.push(...bad.map((r) => `| ${esc(r.id)} | ${esc(r.reason!)} |`), "");
    }
    const reprBad = results.filter((r) => r.source === source && r.repr === false);
    if (reprBad.length > 0) {
      lines.push(`#### ${source}: repr differs from Python's (${reprBad.length})`, "", "| case | torch-ts | Python |", "|---|---|---|");
      const clip = (t: string) => `\`${esc(t.split("\n")[0]!.slice(0, 100))}\``;
      lines.push(...reprBad.map((r) => `| ${esc(r.id)} | ${clip(r.reprText ?? "")} | ${clip(r.reprPython ?? "")} |`), "");
    }
  }
  fs.mkdirSync(path.join(root, "test/reports"), { recursive: true });
  fs.writeFileSync(path.join(root, "test/reports/modules.md"), lines.join("\n") + "\n");
}
