// The TorchScript source of an archive (code/**.py), checked for the one shape found to
// crash libtorch 1.13's importer (scripts/soak/jit_fuzz.ts, seed 2): a module class whose
// body assigns a name without a type annotation (`  foo = 1` where PyTorch writes
// `  foo : Final[int] = 1`). libtorch's importClass takes it for a class constant, fails on
// the missing annotation with "… is not a valid Expr", and its error report then reads freed
// memory: a SIGSEGV whenever another archive was loaded before in the process (Python too).
// The code is otherwise libtorch's to compile: an archive is a program (see load.ts), and
// what it may do once compiled no check here bounds.
import { TorchError } from "../errors.js";

/** The body-level assignments importClass treats specially (import_source.cpp). */
const SPECIAL = new Set(["__parameters__", "__buffers__", "__forward_pre_hooks__", "__forward_hooks__"]);

/** Checks one code record (`name`, e.g. "code/__torch__.py") of the archive `what`. */
export function checkArchiveCode(bytes: Uint8Array, name: string, what: string): void {
  const lines = Buffer.from(bytes).toString("latin1").split("\n");
  let body: string | null = null; // the indentation of the current Module class's body
  let inModule = false;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/\r$/, "");
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const indent = /^[ \t]*/.exec(line)![0];
    if (indent === "") {
      inModule = /^class\s+[A-Za-z_][A-Za-z0-9_]*\s*\(\s*Module\s*\)\s*:/.test(line);
      body = null;
      continue;
    }
    if (!inModule) continue;
    body ??= indent;
    if (indent !== body) continue; // inside a method
    const text = line.slice(indent.length);
    if (/^(def|class|@)\b|^@/.test(text)) continue;
    // An assignment whose target has no annotation: an "=" (not "==") before any ":".
    const m = /^([^:=]*?)\s*=(?!=)/.exec(text);
    if (m === null) continue;
    const target = m[1]!.trim();
    if (SPECIAL.has(target) || /^__annotations__\s*\[/.test(target)) continue;
    throw new TorchError(
      `torch.jit.load: ${what}: ${name} line ${n + 1}: the module class body assigns ${JSON.stringify(target.slice(0, 60))} without a type ` +
      "annotation (PyTorch writes class constants as `name : Final[T] = value`); libtorch 1.13 crashes reporting this error, so the archive is refused",
    );
  }
}
