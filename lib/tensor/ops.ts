// The generated op surface (lib/tensor/ops.generated.ts) made callable: torch.x(...) for an
// op's function variant, t.x(...) for its method variant, in PyTorch's namespaces. Each name is
// one OpEntry over its schemas (op_call.ts). Hand-written ops keep their fast paths: a method
// already on Tensor.prototype, or a function the package exports by hand, wins (they follow
// the same calling rule), so the generated entry serves only the names not written by hand.
import { Tensor } from "../tensor.js";
import { OpEntry } from "./op_call.js";

/** Marks what the generator made, so scripts/gen-ops.ts can tell hand-written names apart. */
export const GENERATED = Symbol.for("torch-ts.generated-op");

/** A torch.x function over the schemas of aten::x (`display` names it in errors). */
export function fn<F>(display: string, qualified: string, schemas: readonly string[]): F {
  const entry = new OpEntry(display, qualified, schemas);
  const f = (...args: unknown[]) => entry.call(args);
  Object.defineProperty(f, "name", { value: display.slice(display.lastIndexOf(".") + 1) });
  Object.defineProperty(f, GENERATED, { value: entry });
  return f as F;
}

/** Puts the method variants on Tensor.prototype, leaving hand-written methods in place. */
export function attachMethods(methods: Readonly<Record<string, readonly string[]>>): void {
  const proto = Tensor.prototype as unknown as Record<string, unknown>;
  for (const [name, schemas] of Object.entries(methods)) {
    if (name in proto) continue;
    const entry = new OpEntry(`Tensor.${name}`, name, schemas);
    const method = function (this: Tensor, ...args: unknown[]) {
      return entry.call([this, ...args]);
    };
    Object.defineProperty(method, "name", { value: name });
    Object.defineProperty(method, GENERATED, { value: entry });
    Object.defineProperty(proto, name, { value: method, writable: true, configurable: true, enumerable: false });
  }
}
