// What torch-ts checks in a TorchScript archive before libtorch sees it. libtorch's reader
// (caffe2/serialize/inline_container.cc over miniz, built without CRC checks) trusts offsets
// and sizes it reads from the file; here the project's own zip reader (serialization/zip.ts)
// walks the whole archive first — every record in bounds, every CRC-32 right, names safe,
// the records a TorchScript archive must have present — so a truncated or mutated file is a
// TorchError naming the problem instead of undefined behaviour inside native code. Then the
// records libtorch trusts: the version must be one libtorch 1.13 reads, the pickles are run
// inert and their storage references, tensors and source ranges checked (archive_pickles.ts),
// and the code is checked for the class-body shape that crashes libtorch's importer
// (archive_code.ts).
import { TorchError } from "../errors.js";
import { bufferSource, ZipReader } from "../serialization/zip.js";
import { checkArchiveCode } from "./archive_code.js";
import { checkArchivePickle } from "./archive_pickles.js";

/** The file format versions libtorch 1.13 reads (caffe2/serialize/versions.h). */
export const MIN_FILE_FORMAT_VERSION = 1;
export const MAX_FILE_FORMAT_VERSION = 10;

/** Checks `bytes` is a well-formed TorchScript archive; `what` names it in errors. */
export function checkScriptArchive(bytes: Uint8Array, what: string): void {
  let zip: ZipReader;
  try {
    zip = new ZipReader(bufferSource(bytes), { checkCrc: true });
  } catch (err) {
    throw new TorchError(`torch.jit.load: ${what} is not a readable archive: ${err instanceof Error ? err.message : String(err)}`);
  }
  const first = zip.entries[0];
  if (first === undefined) throw new TorchError(`torch.jit.load: ${what} is an empty archive`);
  const slash = first.name.indexOf("/");
  if (slash < 0) throw new TorchError(`torch.jit.load: ${what}: archive record ${JSON.stringify(first.name)} is not in a directory (not a TorchScript archive)`);
  const prefix = first.name.slice(0, slash + 1);
  for (const entry of zip.entries) {
    if (!entry.name.startsWith(prefix)) throw new TorchError(`torch.jit.load: ${what}: record ${JSON.stringify(entry.name)} is outside the archive directory ${JSON.stringify(prefix)}`);
    zip.read(entry); // bounds, decompression and CRC-32 of every record
  }
  const has = (name: string) => zip.get(prefix + name) !== undefined;
  const read = (name: string) => new Uint8Array(zip.read(zip.get(prefix + name)!));
  if (!has("data.pkl")) throw new TorchError(`torch.jit.load: ${what} has no data.pkl: not a TorchScript archive`);
  if (!has("constants.pkl")) {
    throw new TorchError(`torch.jit.load: ${what} has no constants.pkl: this is a torch.save checkpoint, not a TorchScript archive — read it with torch.load`);
  }
  if (!has("version") && !has(".data/version")) throw new TorchError(`torch.jit.load: ${what} has no version record`);
  checkVersion(read(has(".data/version") ? ".data/version" : "version"), what);
  const recordSize = (name: string) => zip.get(prefix + name)?.size;
  for (const entry of zip.entries) {
    const name = entry.name.slice(prefix.length);
    if (name.startsWith("code/") && name.endsWith(".py")) checkArchiveCode(read(name), name, what);
    // The pickles libtorch's torch::jit::load reads; others (extra files a user named x.pkl,
    // a lite-interpreter bytecode.pkl) it never unpickles, and they may hold anything.
    if (name !== "data.pkl" && name !== "constants.pkl" && !(name.startsWith("code/") && name.endsWith(".debug_pkl"))) continue;
    // data.pkl's storages are data/<key>, constants.pkl's constants/<key> (import.cpp's readArchive).
    const top = name === "data.pkl" || name === "constants.pkl";
    checkArchivePickle(read(name), { record: name, storageDir: top ? name.slice(0, -".pkl".length) + "/" : null, recordSize, what });
  }
}

/** libtorch parses the version with stoull and refuses what it cannot read; here both are a TorchError. */
function checkVersion(bytes: Uint8Array, what: string): void {
  const text = Buffer.from(bytes).toString("latin1");
  const m = /^(\d{1,6})\n?$/.exec(text);
  const v = m ? Number(m[1]) : NaN;
  if (!(v >= MIN_FILE_FORMAT_VERSION && v <= MAX_FILE_FORMAT_VERSION)) {
    throw new TorchError(
      `torch.jit.load: ${what}: file format version ${JSON.stringify(text.slice(0, 40))} is not one this libtorch reads ` +
      `(an integer from ${MIN_FILE_FORMAT_VERSION} to ${MAX_FILE_FORMAT_VERSION})`,
    );
  }
}
