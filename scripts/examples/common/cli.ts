// argparse-like flags for the example ports: `--batch-size 64` sets batchSize, `--dry-run` sets
// a boolean, keeping each original's flag names (kebab-case or camelCase as the original spells them).
import path from "node:path";
import { pathToFileURL } from "node:url";

export type FlagValue = number | string | boolean | null;

export class UsageError extends Error {}

/** Parses argv against the defaults' keys and types; `flags` maps a CLI spelling to its key. */
export function parseFlags<T extends Record<string, FlagValue>>(argv: readonly string[], defaults: T, flags: Record<string, keyof T & string>, required: readonly (keyof T & string)[] = []): T {
  const out: Record<string, FlagValue> = { ...defaults };
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const key = flags[name];
    if (key === undefined) throw new UsageError(`unrecognized argument: ${arg} (known: ${Object.keys(flags).join(", ")})`);
    seen.add(key);
    if (typeof defaults[key] === "boolean") {
      if (inline !== undefined) throw new UsageError(`${name} takes no value`);
      out[key] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`${name} expects a value`);
    if (typeof defaults[key] === "string") out[key] = value;
    else {
      const v = Number(value);
      if (value.trim() === "" || !Number.isFinite(v)) throw new UsageError(`${name}: invalid number ${JSON.stringify(value)}`);
      out[key] = v;
    }
  }
  for (const key of required) if (!seen.has(key)) throw new UsageError(`the following argument is required: ${Object.entries(flags).find(([, k]) => k === key)?.[0] ?? key}`);
  return out as T;
}

/** True when the module at `url` is the script node was started with (not imported by a test). */
export function isMain(url: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(path.resolve(entry)).href === url;
}
