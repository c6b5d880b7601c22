// A results file handed over as content (dropped on a screen) is kept in the data folder under its
// SHA-256 and name, so the runs it records point at a file that exists, like an imported path.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../writeFileAtomic.js";

export const uploadedResultsFolder = "device-results";

export function keepUploadedResults(dataDir: string, fileName: string, content: string): string {
  const sha256 = createHash("sha256").update(content).digest("hex");
  const safeName = path.basename(fileName).replace(/[^A-Za-z0-9._-]+/g, "-") || "results";
  const dir = path.join(dataDir, uploadedResultsFolder);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${sha256.slice(0, 16)}-${safeName}`);
  if (!existsSync(file)) writeFileAtomic(file, content);
  return file;
}
