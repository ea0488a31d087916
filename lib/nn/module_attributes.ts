// Python's Module.__setattr__ / __delattr__ in TypeScript. A Module is created behind a Proxy
// whose only traps are defineProperty and deleteProperty: every data-property write lands in
// defineProperty (plain assignment `this.conv = …` goes through [[DefineOwnProperty]] on the
// receiver, and so do class fields), so children, nn.Parameters and buffers register themselves
// in assignment order exactly where Python's __setattr__ sees them. Reads have no trap: a
// field read costs one proxy lookup (~40 ns), nothing per tensor.
//
// The sink that applies Python's rules lives in module.ts (it needs the registries); this
// file only routes property writes to it.

/** What the traps call; `proxy` is the Module as user code sees it. */
export interface AttributeSink {
  /**
   * A data property `name` is about to be written with `value`: registers, replaces or refuses
   * it (a TypeError) as Python's __setattr__ would, and returns the value the field must hold.
   */
  set(proxy: object, name: string, value: unknown): unknown;
  /** `delete module[name]`: unregisters it, as Python's __delattr__. */
  delete(proxy: object, name: string): void;
}

let sink: AttributeSink | undefined;
const proxyOf = new WeakMap<object, object>();

/** Called once by module.ts. */
export function installAttributeSink(s: AttributeSink): void {
  sink = s;
}

const handler: ProxyHandler<object> = {
  defineProperty(target, key, desc) {
    const proxy = proxyOf.get(target);
    if (typeof key === "string" && proxy !== undefined && sink !== undefined && "value" in desc) {
      const value = sink.set(proxy, key, desc.value);
      if (value !== desc.value) desc = { ...desc, value };
    }
    return Reflect.defineProperty(target, key, desc);
  },
  deleteProperty(target, key) {
    const proxy = proxyOf.get(target);
    if (typeof key === "string" && proxy !== undefined && sink !== undefined) sink.delete(proxy, key);
    return Reflect.deleteProperty(target, key);
  },
};

/**
 * The base of nn.Module: its constructor returns the Proxy, so `this` in every subclass
 * constructor (and every private field of Module and its subclasses) is the Proxy itself.
 */
export class AttributeTrap {
  constructor() {
    const proxy = new Proxy(this, handler);
    proxyOf.set(this, proxy);
    return proxy;
  }
}
