// A child process for test/file_faults.test.ts: saves checkpoints so the parent can kill it
// (kill -9) or starve it of disk space mid-save. Also exports the version scheme, so the
// parent can tell a complete version from a torn one.
//   loop <dir> <id> [layout.json]
//                            print "ready", wait for "go" on stdin, then save versions to
//                            <dir>/resnet-best-model.pth and <dir>/last.pth alternately,
//                            forever, printing "begin <kind> <seq>" / "done <kind> <seq>"
//   fault <dir> <sync|async> save a small last.pth, then a 4 MB one that the environment
//                            (ulimit -f, a tiny tmpfs) refuses; print a JSON report
// Imports the library by path (run with `node --import tsx`), as scripts do.
import fs from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import * as torch from "../../lib/index.js";

export const FILES = { best: "resnet-best-model.pth", last: "last.pth" } as const;
export type Kind = keyof typeof FILES;

/**
 * The fill value of tensor `k` (role 0: model, 1: momentum buffer) in version `seq`:
 * an integer below 2^24, so exact in float32, and different for every recent seq, so a file
 * mixing two versions' bytes cannot pass for one.
 */
export const valueOf = (seq: number, k: number, role: number): number => (seq % 4096) * 4096 + k * 4 + role;

/** ResNet-18's state-dict keys, shapes and dtypes (~45 MB of float32): a realistic checkpoint. */
export function resnetLayout(): { key: string; shape: number[]; dtype: torch.DType }[] {
  return torch.tidy(() => [...torch.vision.resnet18({ numClasses: 10, inChannels: 1 }).stateDict()].map(([key, t]) => ({ key, shape: t.shape, dtype: t.dtype })));
}

/**
 * The tensors a saver reuses for every version (filled in place, so saving allocates nothing
 * new). `empty`: each version fills every element, and a saver starts faster without zeroing.
 */
function buffers(layout: ReturnType<typeof resnetLayout>) {
  const make = () => layout.map(({ shape, dtype }) => torch.empty(shape, { dtype }));
  return { model: make(), momentum: make() };
}

const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Version `seq` of a checkpoint of `kind`: a state dict (~45 MB), or {epoch, model,
 * optimizer} as train.ts writes it, with SGD momentum state (~90 MB).
 */
function version(kind: Kind, seq: number, layout: ReturnType<typeof resnetLayout>, b: ReturnType<typeof buffers>): Map<string, unknown> {
  let checksum = 0;
  const fill = (ts: torch.Tensor[], role: number) => ts.forEach((t, k) => {
    const v = valueOf(seq, k, role);
    t.fill_(v);
    checksum += numel(layout[k]!.shape) * v;
  });
  fill(b.model, 0);
  const model = new Map(layout.map(({ key }, k) => [key, b.model[k]!] as [string, unknown]));
  let out: Map<string, unknown>;
  if (kind === "best") {
    out = model;
  } else {
    fill(b.momentum, 1);
    const state = new Map(layout.map((_, k) => [k, new Map<string, unknown>([["momentum_buffer", b.momentum[k]]])]));
    const groups = [new Map<string, unknown>([["lr", 0.1], ["momentum", 0.9], ["params", layout.map((_, k) => k)]])];
    out = new Map<string, unknown>([["epoch", seq], ["model", model], ["optimizer", new Map<string, unknown>([["state", state], ["param_groups", groups]])]]);
  }
  out.set("seq", torch.tensor([BigInt(seq)]));
  out.set("checksum", torch.tensor([checksum], { dtype: "float64" }));
  return out;
}

/**
 * Loads `file` and checks that it is one complete version of `kind`: every tensor holds its
 * value for the file's seq, and the checksum matches. Returns the seq; throws on anything else.
 */
export function verifyVersion(file: string, kind: Kind, layout: ReturnType<typeof resnetLayout>): number {
  // tidy: the loaded tensors and every temporary of the checks are freed on the way out.
  return torch.tidy(() => {
    const obj = torch.load(file) as Map<string, unknown>;
    const seq = Number((obj.get("seq") as torch.Tensor).item());
    let checksum = 0;
    const check = (t: unknown, k: number, role: number, where: string) => {
      const v = valueOf(seq, k, role);
      if (!(t instanceof torch.Tensor)) throw new Error(`${file}: ${where} is not a tensor`);
      if (t.shape.join() !== layout[k]!.shape.join()) throw new Error(`${file}: ${where} has shape [${t.shape}]`);
      if (t.numel() > 0 && (Number(t.min().item()) !== v || Number(t.max().item()) !== v)) throw new Error(`${file}: ${where} is not version ${seq} throughout`);
      checksum += t.numel() * v;
    };
    const model = (kind === "best" ? obj : obj.get("model")) as Map<string, unknown>;
    const keys = [...model.keys()].filter((key) => key !== "seq" && key !== "checksum");
    if (keys.join() !== layout.map((l) => l.key).join()) throw new Error(`${file}: state dict keys differ`);
    layout.forEach(({ key }, k) => check(model.get(key), k, 0, key));
    if (kind === "last") {
      if (obj.get("epoch") !== seq) throw new Error(`${file}: epoch ${String(obj.get("epoch"))} is not seq ${seq}`);
      const state = (obj.get("optimizer") as Map<string, unknown>).get("state") as Map<number, Map<string, unknown>>;
      layout.forEach((_, k) => check(state.get(k)?.get("momentum_buffer"), k, 1, `optimizer state ${k} momentum_buffer`));
    }
    const stored = Number((obj.get("checksum") as torch.Tensor).item());
    if (stored !== checksum) throw new Error(`${file}: checksum ${stored} is not ${checksum}`);
    return seq;
  });
}

async function loop(dir: string, id: number, layoutFile: string | undefined): Promise<void> {
  // The parent passes the layout it made: building a ResNet in every saver costs ~0.3 s each.
  const layout = layoutFile ? (JSON.parse(fs.readFileSync(layoutFile, "utf8")) as ReturnType<typeof resnetLayout>) : resnetLayout();
  const b = buffers(layout);
  process.stdout.write("ready\n");
  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => lines.once("line", () => resolve()));
  // Pipes are written synchronously on Linux: a "done" line printed is in the pipe when we die.
  for (let n = 0; ; n++) {
    const kind: Kind = n % 2 === 0 ? "best" : "last";
    const seq = id * 64 + (n % 64);
    process.stdout.write(`begin ${kind} ${seq}\n`);
    torch.tidy(() => torch.save(version(kind, seq, layout, b), path.join(dir, FILES[kind])));
    process.stdout.write(`done ${kind} ${seq}\n`);
  }
}

async function fault(dir: string, how: string): Promise<void> {
  const file = path.join(dir, "last.pth");
  const fresh = path.join(dir, "fresh.pth");
  const save = (obj: unknown, f: string) => (how === "async" ? torch.saveAsync(obj, f) : Promise.resolve(torch.save(obj, f)));
  const checkpoint = (seq: number, mb: number) => new Map<string, unknown>([["seq", torch.tensor([BigInt(seq)])], ["w", torch.full([mb * 262144], seq)]]);
  await save(checkpoint(1, 0.25), file);
  const attempt = async (f: string) => {
    try {
      await save(checkpoint(2, 4), f);
      return null;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return { name: e.name, message: e.message, code: e.code ?? null, isTorchError: err instanceof torch.TorchError };
    }
  };
  const over = await attempt(file);
  const created = await attempt(fresh);
  const after = torch.load(file) as Map<string, torch.Tensor>;
  const report = { over, created, seqAfter: Number(after.get("seq")!.item()), entries: fs.readdirSync(dir).sort() };
  torch.dispose(after);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [mode, dir, arg, extra] = process.argv.slice(2);
  if (mode === "loop") await loop(dir!, Number(arg), extra);
  else if (mode === "fault") await fault(dir!, arg!);
  else throw new Error(`save_child: unknown mode ${mode}`);
}
