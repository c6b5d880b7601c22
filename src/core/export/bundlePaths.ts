// Where an export bundle is staged: beside its destination (same filesystem, so the final rename is
// atomic), under a name tied to the job so a crash's leftovers can be recognised and removed.
import path from "node:path";

export type BundleFormat = "folder" | "zip";

export function bundleFormat(outPath: string): BundleFormat {
  return outPath.toLowerCase().endsWith(".zip") ? "zip" : "folder";
}

export function bundleStagingPath(outPath: string, jobId: string): string {
  const target = path.resolve(outPath);
  return path.join(path.dirname(target), `.${path.basename(target)}.cwb-partial-${jobId}`);
}
