// Checks a bundle against its manifest: the manifest against its schema, then every file listed,
// its size and its sha256. The first problem is refused with a coded error naming the file.
// (Loading the model is the worker's part: worker/runners/exportVerify.ts.)
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import {
  exportManifest,
  exportManifestSchemaVersion,
  type ExportManifest,
} from "../../shared/domain/exportManifest.js";
import { describeIssues } from "../../shared/protocol/jobKinds.js";
import { CodedError } from "../errors.js";
import { sha256File } from "../library/hashFile.js";
import { manifestFileName } from "./writeBundle.js";

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
    if (size < entry.bytes)
      throw invalid(file, `truncated: ${size} bytes, the manifest lists ${entry.bytes}`);
    if (size > entry.bytes) throw invalid(file, `${size} bytes, the manifest lists ${entry.bytes}`);
    const { sha256 } = await sha256File(file, {
      signal: options.signal,
      onProgress: ({ bytesDone }) =>
        options.onProgress?.({ bytesDone: before + bytesDone, bytesTotal, file: entry.path }),
    });
    if (sha256 !== entry.sha256)
      throw invalid(file, `altered: its sha256 is ${sha256}, the manifest lists ${entry.sha256}`);
    before += entry.bytes;
  }
  return { files: manifest.files.length, bytes: bytesTotal };
}
