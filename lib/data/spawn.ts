// Starting a worker thread on a module of this package, from compiled .js or from sources.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

/**
 * Starts `entry` (a .js or .ts module URL) in a worker thread. A .ts entry (tests, `tsx`
 * scripts) first registers tsx's ESM loader inside the worker: a worker does not inherit the
 * parent's loader, and `--import tsx` in execArgv is not honoured by Node 20.
 */
export function startWorker(entry: URL, workerData: unknown): Worker {
  if (!entry.pathname.endsWith(".ts")) return new Worker(entry, { workerData });
  const require = createRequire(entry);
  const manifest = require.resolve("tsx/package.json");
  const exportsMap = JSON.parse(readFileSync(manifest, "utf8")).exports["./esm/api"] as { import: { default: string } };
  const api = pathToFileURL(path.join(path.dirname(manifest), exportsMap.import.default)).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(code, { eval: true, workerData });
}
