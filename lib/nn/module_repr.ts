// Module.__repr__ of torch/nn/modules/module.py: the extra_repr lines, then one line per child
// (its own repr indented by two spaces), as print(model) shows them.

/** Python's `_addindent(s, 2)`: every line after the first indented by two spaces. */
const addIndent = (text: string) => text.split("\n").join("\n  ");

/** The repr of a module named `name` with `extra` (its extraRepr) and these children. */
export function moduleRepr(name: string, extra: string, children: ReadonlyMap<string, { toString(): string } | null>): string {
  const extraLines = extra ? extra.split("\n") : [];
  const childLines = [...children].map(([key, m]) => `(${key}): ${addIndent(m === null ? "None" : m.toString())}`);
  const lines = [...extraLines, ...childLines];
  if (lines.length === 0) return `${name}()`;
  if (extraLines.length === 1 && childLines.length === 0) return `${name}(${extraLines[0]})`;
  return `${name}(\n  ${lines.join("\n  ")}\n)`;
}
