// A tiny zip rewriter for the TorchScript fuzz: reads an archive's records with the project's
// reader and writes them back with its writer (serialization/zip_writer.ts, PyTorch's own
// layout), so a mutated record carries a correct CRC-32 and sizes: it passes the zip check
// and what libtorch's readers make of its contents is what gets tested.
import { bufferSource, ZipReader, ZipWriter } from "../../../lib/serialization/zip.js";

export interface ArchiveRecord {
  /** The name inside the archive directory ("data.pkl", "data/0", "code/__torch__.py"). */
  name: string;
  data: Uint8Array;
}

/** The archive directory (without its slash) and each record, in the archive's order. */
export function readArchive(bytes: Uint8Array): { prefix: string; records: ArchiveRecord[] } {
  const zip = new ZipReader(bufferSource(bytes), { checkCrc: true });
  const first = zip.entries[0]?.name ?? "archive/";
  const prefix = first.slice(0, Math.max(0, first.indexOf("/")));
  const records = zip.entries.map((e) => ({ name: e.name.slice(prefix.length + 1), data: new Uint8Array(zip.read(e)) }));
  return { prefix: prefix || "archive", records };
}

/** The records written as PyTorch writes an archive: `<prefix>/<name>`, stored, 64-byte aligned. */
export function writeArchive(prefix: string, records: readonly ArchiveRecord[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const w = new ZipWriter((c) => chunks.push(c.slice()), prefix);
  for (const r of records) w.writeRecord(r.name, r.data);
  w.finish();
  return new Uint8Array(Buffer.concat(chunks));
}
