// Evaluates the call plans test/reference/opinfo_plan.py makes of OpInfo's own wrappers (lambdas
// such as `lambda x, *args, **kwargs: x.contiguous(*args, **kwargs)`), with torch-ts, by the
// calling rule: torch.a.b_c is torch.a.bC, x.m_n(...) is x.mN(...), Python keyword arguments
// become one trailing options object with camelCase keys, wrapper_set_seed is manualSeed(42)
// then the call (as OpInfo's helper does). A name torch-ts lacks throws a TypeError naming it,
// which the replay reports as the entry's reason.
import type * as Torch from "torch-ts";
import { camel } from "../../lib/tensor/op_call.js";
import { decodeValue, type Encoded } from "./opinfo.js";

type TorchModule = typeof Torch;
type Kwargs = Record<string, unknown>;
/** A callable in the plan's world: Python positional arguments and Python keyword arguments. */
export type PyCallable = (pos: unknown[], kw: Kwargs) => unknown;

export type PlanNode =
  | { ref: string } | { const: Encoded } | { torch: string } | { builtin: string }
  | { call: PlanNode | { method: PlanNode; name: string }; args: (PlanNode | { star: PlanNode })[]; kwargs: Record<string, PlanNode>; dstar: PlanNode[] }
  | { attr: PlanNode; name: string } | { index: PlanNode; key: PlanNode }
  | { binop: "matmul" | "mul" | "add" | "sub"; left: PlanNode; right: PlanNode } | { fn: PlanFn };
export interface PlanFn { params: string[]; defaults: Record<string, PlanNode>; vararg: string | null; kwarg: string | null; body: PlanStmt[] }
type PlanStmt = { assign: string; value: PlanNode } | { expr: PlanNode } | { nograd: PlanStmt[] } | { return: PlanNode };

const CALLABLE = Symbol("PyCallable");
const pyCallable = (f: PyCallable): PyCallable => Object.assign(f, { [CALLABLE]: true });
const isPyCallable = (f: unknown): f is PyCallable => typeof f === "function" && CALLABLE in f;

/** Python's name for a torch-ts one: snake_case to camelCase, dunders (__radd__) as they are. */
export const tsName = (name: string): string => (/^__\w+__$/.test(name) ? name : camel(name));

/** Calls a torch-ts function (or a plan callable) with Python positional and keyword arguments. */
export function callByRule(f: unknown, pos: unknown[], kw: Kwargs, what: string): unknown {
  if (isPyCallable(f)) return f(pos, kw);
  if (typeof f !== "function") throw new TypeError(`no torch-ts function ${what}`);
  const keys = Object.keys(kw);
  return keys.length === 0 ? f(...pos) : f(...pos, Object.fromEntries(keys.map((k) => [camel(k), kw[k]])));
}

function torchPath(torch: TorchModule, path: string): unknown {
  const parts = path.split(".");
  if (parts[0] === "Tensor" && parts.length === 2) {
    const name = tsName(parts[1]!);
    return pyCallable((pos, kw) => {
      const self = pos[0] as Record<string, unknown> | undefined;
      return callByRule(self?.[name] === undefined ? undefined : (self[name] as (...a: unknown[]) => unknown).bind(self), pos.slice(1), kw, `Tensor.${name}`);
    });
  }
  let at: unknown = torch;
  for (const p of parts) at = (at as Record<string, unknown> | undefined)?.[tsName(p)];
  if (at === undefined) throw new TypeError(`no torch-ts function torch.${parts.map(tsName).join(".")}`);
  return at;
}

export class PlanEvaluator {
  constructor(private readonly torch: TorchModule) {}

  /** The root function of a plan, as a PyCallable. */
  function(fn: PlanFn): PyCallable {
    return this.closure(fn, new Map());
  }

  private closure(fn: PlanFn, outer: Map<string, unknown>): PyCallable {
    return pyCallable((pos, kw) => {
      const env = new Map(outer);
      const rest = { ...kw };
      fn.params.forEach((p, i) => {
        if (i < pos.length) env.set(p, pos[i]);
        else if (p in rest) {
          env.set(p, rest[p]);
          delete rest[p];
        } else if (p in fn.defaults) env.set(p, this.eval(fn.defaults[p]!, env));
        else throw new TypeError(`OpInfo wrapper: missing argument ${p}`);
      });
      if (pos.length > fn.params.length) {
        if (fn.vararg === null) throw new TypeError(`OpInfo wrapper: ${pos.length} positional arguments, takes ${fn.params.length}`);
      }
      if (fn.vararg !== null) env.set(fn.vararg, pos.slice(fn.params.length));
      if (fn.kwarg !== null) env.set(fn.kwarg, rest);
      else if (Object.keys(rest).length > 0) throw new TypeError(`OpInfo wrapper: unexpected keyword ${Object.keys(rest)[0]}`);
      const r = this.run(fn.body, env);
      return r === undefined ? null : r.value;
    });
  }

  private run(body: PlanStmt[], env: Map<string, unknown>): { value: unknown } | undefined {
    for (const s of body) {
      if ("return" in s) return { value: this.eval(s.return, env) };
      if ("assign" in s) env.set(s.assign, this.eval(s.value, env));
      else if ("expr" in s) this.eval(s.expr, env);
      else {
        const r = this.torch.noGrad(() => this.run(s.nograd, env));
        if (r !== undefined) return r;
      }
    }
    return undefined;
  }

  private eval(n: PlanNode, env: Map<string, unknown>): unknown {
    const torch = this.torch;
    if ("ref" in n) {
      if (!env.has(n.ref)) throw new TypeError(`OpInfo wrapper: unbound ${n.ref}`);
      return env.get(n.ref);
    }
    if ("const" in n) return decodeValue(n.const, torch);
    if ("torch" in n) return torchPath(torch, n.torch);
    if ("builtin" in n) {
      if (n.builtin !== "wrapper_set_seed") throw new TypeError(`OpInfo helper ${n.builtin}`);
      return pyCallable((pos, kw) => {
        torch.manualSeed(42);
        return callByRule(pos[0], pos.slice(1), kw, "wrapper_set_seed's function");
      });
    }
    if ("fn" in n) return this.closure(n.fn, env);
    if ("call" in n) {
      const pos: unknown[] = [];
      for (const a of n.args) {
        if ("star" in a) pos.push(...(this.eval(a.star, env) as unknown[]));
        else pos.push(this.eval(a as PlanNode, env));
      }
      const kw: Kwargs = {};
      for (const [k, v] of Object.entries(n.kwargs)) kw[k] = this.eval(v, env);
      for (const d of n.dstar) Object.assign(kw, this.eval(d, env) as Kwargs);
      if ("method" in n.call) {
        const self = this.eval(n.call.method, env) as Record<string, unknown>;
        const name = tsName(n.call.name);
        const m = self?.[name];
        if (typeof m !== "function") throw new TypeError(`no torch-ts method Tensor.${name}`);
        return callByRule((m as (...a: unknown[]) => unknown).bind(self), pos, kw, `Tensor.${name}`);
      }
      const f = this.eval(n.call, env);
      return callByRule(f, pos, kw, "torch." + ("torch" in n.call ? n.call.torch : "?"));
    }
    if ("attr" in n) {
      const obj = this.eval(n.attr, env) as Record<string, unknown>;
      const name = tsName(n.name);
      if (obj?.[name] === undefined) throw new TypeError(`no torch-ts property Tensor.${name}`);
      return obj[name];
    }
    if ("index" in n) {
      const obj = this.eval(n.index, env);
      const key = this.eval(n.key, env);
      if (obj instanceof torch.Tensor) return obj.index(key as number);
      return (obj as unknown[])[key as number];
    }
    const l = this.eval(n.left, env);
    const r = this.eval(n.right, env);
    if (n.binop === "matmul") return torch.matmul(l as Torch.Tensor, r as Torch.Tensor);
    return (l as Record<string, (o: unknown) => unknown>)[n.binop]!(r);
  }
}
