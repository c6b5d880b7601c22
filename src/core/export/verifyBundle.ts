// Checks a bundle against its manifest: the manifest against its schema, then every file listed,
// its size and its sha256; for a .zip bundle the files are the archive's entries, each streamed once
// for its sha256 and its CRC-32. The first problem is refused with a coded error naming the file
// (for a zip, "<archive>:<entry>"). (Loading the model is the worker's part: worker/runners/exportVerify.ts.)
import { createHash } from "node:crypto";
import { mkdir, open, readFile, stat, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { crc32 } from "node:zlib";
import {
  exportManifest,
  exportManifestSchemaVersion,
  type BundleFile,
  type ExportManifest,
} from "../../shared/domain/exportManifest.js";
import { describeIssues } from "../../shared/protocol/jobKinds.js";
import { CodedError } from "../errors.js";
import { sha256File } from "../library/hashFile.js";
import { manifestFileName } from "./writeBundle.js";
import { readZipDirectory, streamZipEntry, type ZipDirectoryEntry } from "./zip/readZip.js";

function invalid(file: string, problem: string): CodedError {
  return new CodedError("BUNDLE_INVALID", `${file}: ${problem}`, { file });
}

/** The bundle folder a path names: the folder itself, or the folder of its manifest.json. */
export function bundleDirOf(bundlePath: string): string {
  const resolved = path.resolve(bundlePath);
  return path.basename(resolved) === manifestFileName ? path.dirname(resolved) : resolved;
}

export async function readBundleManifest(dir: string): Promise<ExportManifest> {
  const file = path.join(dir, manifestFileName);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw invalid(file, "missing: this is not an export bundle");
    throw error;
  }
  return parseBundleManifest(text, file);
}

/** A manifest's text checked: JSON, a schema version this app reads, the schema. */
function parseBundleManifest(text: string, file: string): ExportManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalid(file, `not valid JSON (${(error as Error).message})`);
  }
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === "number" && version > exportManifestSchemaVersion)
    throw invalid(
      file,
      `schema version ${version} is newer than this app reads (${exportManifestSchemaVersion})`,
    );
  const parsed = exportManifest.safeParse(json);
  if (!parsed.success)
    throw invalid(file, `does not match the manifest schema: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

function checkListedSize(file: string, size: number, listed: BundleFile): void {
  if (size < listed.bytes)
    throw invalid(file, `truncated: ${size} bytes, the manifest lists ${listed.bytes}`);
  if (size > listed.bytes) throw invalid(file, `${size} bytes, the manifest lists ${listed.bytes}`);
}

function checkListedHash(file: string, sha256: string, listed: BundleFile): void {
  if (sha256 !== listed.sha256)
    throw invalid(file, `altered: its sha256 is ${sha256}, the manifest lists ${listed.sha256}`);
}

export interface BundleCheckProgress {
  bytesDone: number;
  bytesTotal: number;
  file: string;
}

/** Every file of the manifest: present, of its size, with its sha256. */
export async function checkBundleFiles(
  dir: string,
  manifest: ExportManifest,
  options: { signal?: AbortSignal; onProgress?: (progress: BundleCheckProgress) => void } = {},
): Promise<{ files: number; bytes: number }> {
  const bytesTotal = manifest.files.reduce((sum, f) => sum + f.bytes, 0);
  let before = 0;
  for (const entry of manifest.files) {
    const file = path.join(dir, ...entry.path.split("/"));
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch {
      throw invalid(file, "missing (listed in the bundle's manifest)");
    }
    checkListedSize(file, size, entry);
    const { sha256 } = await sha256File(file, {
      signal: options.signal,
      onProgress: ({ bytesDone }) =>
        options.onProgress?.({ bytesDone: before + bytesDone, bytesTotal, file: entry.path }),
    });
    checkListedHash(file, sha256, entry);
    before += entry.bytes;
  }
  return { files: manifest.files.length, bytes: bytesTotal };
}

/** One stored entry streamed once: its CRC-32 and sha256, optionally copied to `copyTo`. */
async function digestEntry(
  handle: FileHandle,
  entry: ZipDirectoryEntry,
  options: { signal?: AbortSignal; copyTo?: string; onBytes?: (bytes: number) => void },
): Promise<{ crc32: number; sha256: string }> {
  const hash = createHash("sha256");
  let crc = 0;
  const copy = options.copyTo ? await open(options.copyTo, "wx") : null;
  try {
    await streamZipEntry(
      handle,
      entry,
      async (chunk) => {
        hash.update(chunk);
        crc = crc32(chunk, crc);
        if (copy) await copy.write(chunk);
        options.onBytes?.(chunk.length);
      },
      { signal: options.signal },
    );
  } finally {
    await copy?.close();
  }
  return { crc32: crc >>> 0, sha256: hash.digest("hex") };
}

/**
 * A .zip bundle: its central directory, manifest.json (CRC-checked, parsed, schema-checked), then
 * every listed file as an entry of its size, CRC-32 and sha256. With `extractModelTo`, the model
 * files are copied there while they are checked (llama.cpp loads files, not archive entries).
 */
export async function checkZipBundle(
  zipFile: string,
  options: {
    signal?: AbortSignal;
    onProgress?: (progress: BundleCheckProgress) => void;
    extractModelTo?: string;
  } = {},
): Promise<{ manifest: ExportManifest; files: number; bytes: number }> {
  const handle = await open(zipFile, "r").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") throw invalid(zipFile, "missing");
    throw error;
  });
  try {
    const entries = await readZipDirectory(handle, zipFile);
    const named = (name: string) => `${zipFile}:${name}`;
    const manifestEntry = entries.get(manifestFileName);
    if (!manifestEntry) throw invalid(named(manifestFileName), "missing: this is not an export bundle");
    const chunks: Buffer[] = [];
    let manifestCrc = 0;
    await streamZipEntry(handle, manifestEntry, (chunk) => {
      chunks.push(Buffer.from(chunk));
      manifestCrc = crc32(chunk, manifestCrc);
    });
    if (manifestCrc >>> 0 !== manifestEntry.crc32)
      throw invalid(named(manifestFileName), "altered: its CRC-32 does not match the archive's directory");
    const manifest = parseBundleManifest(Buffer.concat(chunks).toString("utf8"), named(manifestFileName));

    const bytesTotal = manifest.files.reduce((sum, f) => sum + f.bytes, 0);
    let bytesDone = 0;
    for (const file of manifest.files) {
      const entry = entries.get(file.path);
      if (!entry) throw invalid(named(file.path), "missing (listed in the bundle's manifest)");
      checkListedSize(named(file.path), entry.size, file);
      let copyTo: string | undefined;
      if (options.extractModelTo && file.role === "model") {
        copyTo = path.join(options.extractModelTo, ...file.path.split("/"));
        await mkdir(path.dirname(copyTo), { recursive: true });
      }
      const digest = await digestEntry(handle, entry, {
        signal: options.signal,
        copyTo,
        onBytes: (n) => {
          bytesDone += n;
          options.onProgress?.({ bytesDone, bytesTotal, file: file.path });
        },
      });
      if (digest.crc32 !== entry.crc32)
        throw invalid(named(file.path), "altered: its CRC-32 does not match the archive's directory");
      checkListedHash(named(file.path), digest.sha256, file);
    }
    return { manifest, files: manifest.files.length, bytes: bytesTotal };
  } finally {
    await handle.close();
  }
}
