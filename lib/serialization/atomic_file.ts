// Writing a checkpoint so that no failure damages the previous one: the bytes go to a temp
// file in the same directory, are fsynced, and the temp file is renamed over the target
// (atomic on POSIX), then the directory is fsynced so the rename survives a power cut.
// (`fsync: false` keeps the temp file and the rename, and leaves flushing to the kernel.)
//
// What is replaced is decided as Python's open(path, "wb") decides what it writes to (see
// saveTarget): a symbolic link is followed and its target replaced, the link kept; a device
// or a FIFO is written in place, never renamed over (that would replace the node itself).
//
// Failures: an I/O error (ENOSPC on a full disk, EFBIG past `ulimit -f`, EDQUOT, EACCES…)
// becomes one TorchError naming the file, the cause and what happened to the previous file;
// the temp file is removed. A process killed mid-save (kill -9, OOM killer, power loss)
// cannot clean up, so its temp file stays behind: the next process that saves into the same
// directory removes the temp files left there by processes that are gone (see
// removeStaleTemps), so they never pile up across restarts.
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { native } from "../binding.js";
import { TorchError } from "../errors.js";

/** What a temp file for `target` is called: `.<name>.<pid>.<12 hex digits>.torch-ts.tmp`, beside it. */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.torch-ts.tmp`);
}

/** Our temp files (and no one else's: the pid, random part and suffix make the name unmistakable). */
export const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{12}\.torch-ts\.tmp$/;

function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Directories whose stale temps this process has already looked for (once is enough: see below). */
const swept = new Set<string>();

/**
 * Removes the temp files in `dir` left by writers that died mid-save. A temp file is stale
 * when the process that wrote it no longer exists *and* it was last written before this
 * process started: a writer in another PID namespace (a container sharing the volume) may
 * look gone while it still writes, but then its file is newer than us. Temps of writers that
 * die after we start are left to the next process, so looking once per directory suffices.
 * Best effort: a temp we cannot remove is left alone.
 */
export function removeStaleTemps(dir: string): void {
  if (swept.has(dir)) return;
  swept.add(dir);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  const started = performance.timeOrigin;
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (m === null) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || !processIsGone(pid)) continue;
    const file = path.join(dir, name);
    try {
      if (fs.lstatSync(file).mtimeMs < started) fs.unlinkSync(file);
    } catch {
      // gone already, or not ours to remove
    }
  }
}

const CAUSES: Record<string, string> = {
  ENOSPC: "no space left on device (ENOSPC)",
  EFBIG: "file too large (EFBIG: the process's file size limit, ulimit -f, or the file system's)",
  EDQUOT: "disk quota exceeded (EDQUOT)",
  EACCES: "permission denied (EACCES)",
  EPERM: "operation not permitted (EPERM)",
  EROFS: "read-only file system (EROFS)",
  ENOENT: "no such directory (ENOENT)",
  ENOTDIR: "a parent is not a directory (ENOTDIR)",
  EISDIR: "the path is a directory (EISDIR)",
  EIO: "input/output error (EIO)",
  EMFILE: "too many open files (EMFILE)",
  ENFILE: "too many open files in the system (ENFILE)",
  ELOOP: "too many levels of symbolic links (ELOOP)",
  ENXIO: "no such device or address (ENXIO)",
};

/** An I/O error of a save, as a TorchError that says which file, why, and that nothing was damaged. */
export function saveError(what: string, target: string, step: string, err: unknown, hadPrevious: boolean): Error {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code !== "string") return err as Error; // not an I/O error: the caller's own bug or bad value
  const cause = CAUSES[e.code] ?? e.message;
  const after = hadPrevious ? `the previous ${path.basename(target)} is unchanged` : "no file was written";
  const out = new TorchError(`${what}: could not write ${target}: ${cause} while ${step}; ${after}`);
  Object.assign(out, { code: e.code, cause: err });
  return out;
}

/**
 * Where a save to `file` goes. A symbolic link is followed (links to links too, as the kernel
 * does, up to 40) to the name it points at, which may not exist yet: the link stays and its
 * target gets the new file. A regular file, or a name that does not exist, is replaced
 * atomically (`inPlace: false`). A character or block device or a FIFO is written in place
 * (`inPlace: true`), as open(path, "wb") does: renaming a temp file over it would put a
 * regular file where the node was (as root, `torch.save(sd, "/dev/full")` replaced /dev/full).
 * A directory or a socket is refused by the caller's open.
 */
export function saveTarget(what: string, file: string): { path: string; inPlace: boolean; kind: string } {
  try {
    return followLinks(file);
  } catch (err) {
    throw saveError(what, path.resolve(file), "following a symbolic link", err, true);
  }
}

function followLinks(file: string): { path: string; inPlace: boolean; kind: string } {
  let p = path.resolve(file);
  for (let hops = 0; ; hops++) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return { path: p, inPlace: false, kind: "file" }; // a new name, or a missing directory the open reports
    }
    if (st.isSymbolicLink()) {
      if (hops >= 40) throw Object.assign(new Error("too many levels of symbolic links"), { code: "ELOOP" });
      // Relative link targets are relative to the link's real directory, not to its spelling.
      p = path.resolve(fs.realpathSync(path.dirname(p)), fs.readlinkSync(p));
      continue;
    }
    if (st.isCharacterDevice()) return { path: p, inPlace: true, kind: "character device" };
    if (st.isBlockDevice()) return { path: p, inPlace: true, kind: "block device" };
    if (st.isFIFO()) return { path: p, inPlace: true, kind: "FIFO" };
    return { path: p, inPlace: false, kind: st.isFile() ? "file" : "other" };
  }
}

/**
 * Opens a device or FIFO for writing in place. A FIFO nobody reads would block the open
 * forever: a non-blocking open first tells (ENXIO). It stays open until the blocking one is
 * made, or the reader would see every writer gone (end of file) in between.
 */
function openInPlace(target: { path: string; kind: string }): number {
  const probe = target.kind === "FIFO" ? fs.openSync(target.path, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK) : undefined;
  try {
    return fs.openSync(target.path, fs.constants.O_WRONLY);
  } finally {
    if (probe !== undefined) fs.closeSync(probe);
  }
}

function inPlaceError(what: string, target: { path: string; kind: string }, err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code !== "string") return err as Error;
  const cause = e.code === "ENXIO" && target.kind === "FIFO" ? "no process has the FIFO open for reading (ENXIO)" : CAUSES[e.code] ?? e.message;
  const out = new TorchError(`${what}: could not write ${target.path} (a ${target.kind}, written in place): ${cause}`);
  Object.assign(out, { code: e.code, cause: err });
  return out;
}

function writeInPlace(what: string, target: { path: string; kind: string }, produce: (sink: (chunk: Uint8Array) => void) => void): void {
  let fd: number | undefined;
  try {
    fd = openInPlace(target);
    const out = fd;
    produce((chunk) => {
      for (let done = 0; done < chunk.length;) done += fs.writeSync(out, chunk, done, chunk.length - done);
    });
  } catch (err) {
    throw inPlaceError(what, target, err);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

async function writeInPlaceAsync(what: string, target: { path: string; kind: string }, chunks: readonly Uint8Array[]): Promise<void> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    const probe = target.kind === "FIFO" ? await fs.promises.open(target.path, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK) : undefined;
    try {
      handle = await fs.promises.open(target.path, fs.constants.O_WRONLY); // see openInPlace
    } finally {
      await probe?.close();
    }
    for (const chunk of chunks) {
      for (let done = 0; done < chunk.length;) done += (await handle.write(chunk, done, chunk.length - done)).bytesWritten;
    }
  } catch (err) {
    throw inPlaceError(what, target, err);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function exists(file: string): boolean {
  try {
    fs.statSync(file);
    return true;
  } catch {
    return false;
  }
}

function fsyncDir(dir: string): void {
  // Best effort: not every platform or file system can fsync a directory.
  try {
    const dfd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    // ignore
  }
}

function modeOf(target: string): number {
  try {
    return fs.statSync(target).mode & 0o7777;
  } catch {
    return 0o666;
  }
}

/**
 * Renames `tmp` over `target` without making the caller wait while the previous file's blocks
 * are freed. Replacing a file frees its old blocks inside rename(), and that is slow for a big
 * checkpoint (measured: 32 ms for 98 MiB on ext4 mounted with `discard`, which trims the
 * blocks there and then). So the old file first gets a second name (a hard link: free), the
 * rename then only drops a name, and the last name is unlinked on libuv's thread pool. Readers
 * see the old file or the new one at every moment, as with a plain rename. The extra name is
 * a temp file name, so a process killed before the unlink leaves it to removeStaleTemps.
 * Where hard links are impossible (some file systems), it is a plain rename.
 */
function replaceFile(tmp: string, target: string): void {
  const old = tempPathFor(target);
  let linked = false;
  try {
    fs.linkSync(target, old);
    linked = true;
  } catch {
    // no previous file, or no hard links here
  }
  try {
    fs.renameSync(tmp, target);
  } catch (err) {
    if (linked) fs.rmSync(old, { force: true });
    throw err;
  }
  if (linked) unlinkSoon(old);
}

/** Old files being unlinked in the background; process.exit() does not wait for those. */
const unlinking = new Set<string>();

function unlinkSoon(file: string): void {
  if (unlinking.size === 0 && !exitHookInstalled) {
    exitHookInstalled = true;
    // Finish what the thread pool has not: an exit right after a save (train.ts on Ctrl-C)
    // must not leave the previous checkpoint on disk under a hidden name.
    process.on("exit", () => {
      for (const f of unlinking) fs.rmSync(f, { force: true });
    });
  }
  unlinking.add(file);
  fs.unlink(file, () => unlinking.delete(file)); // a failure leaves it to removeStaleTemps
}
let exitHookInstalled = false;

/** How much a save writes before asking the kernel to start putting it on disk. */
const WRITEBACK_STEP = 8 << 20;

/**
 * Returns what to call after each write of `n` bytes to fd: every WRITEBACK_STEP bytes it lets
 * the disk start on what was written, so the fsync at the end waits for the tail only.
 */
function writebackOf(fd: number): (n: number) => void {
  let written = 0;
  let kicked = 0;
  return (n) => {
    written += n;
    if (written - kicked >= WRITEBACK_STEP) {
      native.startWriteback(fd, kicked, written - kicked);
      kicked = written;
    }
  };
}

/**
 * Writes `file` atomically; `produce` emits its bytes through `sink`. `what` names the API in
 * errors. With `fsync: false` the temp file and the directory are not flushed: a process that
 * dies mid-save still never damages the previous file, but a power cut or a kernel crash soon
 * after may (the file system decides what reached the disk).
 */
export function writeFileAtomic(file: string, produce: (sink: (chunk: Uint8Array) => void) => void, what = "torch.save", fsync = true): void {
  const where = saveTarget(what, file);
  if (where.inPlace) return writeInPlace(what, where, produce);
  const target = where.path;
  removeStaleTemps(path.dirname(target));
  const hadPrevious = exists(target);
  const tmp = tempPathFor(target);
  let step = "creating a temp file";
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, "wx", modeOf(target));
    step = "writing";
    const out = fd;
    const wrote = fsync ? writebackOf(out) : undefined;
    produce((chunk) => {
      let done = 0;
      while (done < chunk.length) done += fs.writeSync(out, chunk, done, chunk.length - done);
      wrote?.(chunk.length);
    });
    step = "flushing to disk (fsync)";
    if (fsync) fs.fsyncSync(fd);
    step = "closing";
    const closing = fd;
    fd = undefined;
    fs.closeSync(closing);
    step = "renaming the temp file over it";
    replaceFile(tmp, target);
  } catch (err) {
    // Clean up without letting a second failure hide the first.
    try {
      if (fd !== undefined) fs.closeSync(fd);
      if (step !== "creating a temp file") fs.rmSync(tmp, { force: true });
    } catch {
      // the temp file stays; the next process's removeStaleTemps takes it
    }
    throw saveError(what, target, step, err, hadPrevious);
  }
  if (fsync) fsyncDir(path.dirname(target));
}

/** writeFileAtomic with asynchronous I/O, for bytes already in memory. */
export async function writeFileAtomicAsync(file: string, chunks: readonly Uint8Array[], what = "torch.save", fsync = true): Promise<void> {
  const where = saveTarget(what, file);
  if (where.inPlace) return writeInPlaceAsync(what, where, chunks);
  const target = where.path;
  removeStaleTemps(path.dirname(target));
  const hadPrevious = exists(target);
  const tmp = tempPathFor(target);
  let step = "creating a temp file";
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(tmp, "wx", modeOf(target));
    step = "writing";
    const wrote = fsync ? writebackOf(handle.fd) : undefined;
    for (const chunk of chunks) {
      for (let done = 0; done < chunk.length;) done += (await handle.write(chunk, done, chunk.length - done)).bytesWritten;
      wrote?.(chunk.length);
    }
    step = "flushing to disk (fsync)";
    if (fsync) await handle.sync();
    step = "closing";
    const h = handle;
    handle = undefined;
    await h.close();
    step = "renaming the temp file over it";
    replaceFile(tmp, target); // metadata only: a link and a rename, quick enough to do in place
  } catch (err) {
    await handle?.close().catch(() => undefined);
    if (step !== "creating a temp file") await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    throw saveError(what, target, step, err, hadPrevious);
  }
  if (fsync) fsyncDir(path.dirname(target));
}
