// Every TypeScript example in README.md runs, and the README's commands are the real ones.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const readme = readFileSync(path.join(root, "README.md"), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe("README", () => {
  it("has examples", () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  it.each(blocks.map((code, i) => [i, code] as const))("example %i runs and prints what its comments say", async (i, code) => {
    const dir = path.join(root, "test", ".tmp");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `readme-${i}.ts`);
    writeFileSync(file, code);
    const printed: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      printed.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    });
    try {
      await import(/* @vite-ignore */ file);
    } finally {
      spy.mockRestore();
    }
    // A `console.log(x); // value` comment is an expectation.
    const expected = [...code.matchAll(/console\.log\(.*\);\s*\/\/\s*(.+)$/gm)].map((m) => m[1]!.trim());
    expect(printed.length).toBe(expected.length);
    expected.forEach((want, j) => expect(printed[j]!.replace(/,/g, ", ").replace(/\s+/g, " ")).toBe(want.replace(/,\s*/g, ", ")));
  });

  it("every example compiles under strict, as a user's file importing torch-ts would", async () => {
    const dir = path.join(root, "test", ".tmp", "readme-typecheck");
    mkdirSync(dir, { recursive: true });
    blocks.forEach((code, i) => writeFileSync(path.join(dir, `example-${i}.ts`), code));
    // tsconfig.check.json's settings ("torch-ts" resolved to lib/), for these files only; an example may
    // show a value it does not use, which is no type error.
    writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ extends: "../../../tsconfig.check.json", compilerOptions: { noUnusedLocals: false }, include: ["example-*.ts"], exclude: [] }));
    const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
    const out = await new Promise<string>((resolve) => {
      execFile(process.execPath, [tsc, "-p", path.join(dir, "tsconfig.json")], { cwd: root, maxBuffer: 1 << 24 }, (_e, stdout, stderr) => resolve(stdout + stderr));
    });
    expect(out).toBe("");
  }, 300_000);

  it("quick start is exactly the two sacred commands, and CI runs them", () => {
    const quick = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1]?.trim().split("\n");
    expect(quick).toEqual(["scripts/setup.sh && npm run train", "npm test"]);
    const ci = readFileSync(path.join(root, ".ci", "run"), "utf8");
    expect(ci).toMatch(/scripts\/setup\.sh/);
    expect(ci).toMatch(/npm test/);
  });
});
