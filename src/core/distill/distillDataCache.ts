// The data sets of sequence-level distillation, recorded as artifacts of kind 'distill-data' under
// <dataDir>/artifacts/distill-data/: a generated set keyed by (format, teacher sha256, prompt file
// sha256, settings), and a mix of a generated set with real text keyed by (both hashes, ratio). A set
// is found again by its key while its file is present with the recorded size; files move into place
// complete (commitOutput), never over another.
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import path from "node:path";
import type { DistillDataSettings, DistillDataSetRef } from "../../shared/domain/distillData.js";
import { commitCachedOutput } from "../jobs/commitOutput.js";
import { insertArtifact, listArtifacts, type Artifact } from "../store/artifacts.js";
import type { Db } from "../store/Store.js";

/** Bumped whenever the way a set is generated or laid out changes. */
export const distillDataFormat = "cwb-distill-data-v1";

export function keyIdOf(parts: unknown[]): string {
  return createHash("sha256")
    .update(JSON.stringify([distillDataFormat, ...parts]))
    .digest("hex")
    .slice(0, 20);
}

/** The key of a generated set; thread counts do not change what is generated, so they are left out. */
export function generatedSetKeyId(
  teacherSha256: string,
  promptsSha256: string,
  settings: DistillDataSettings,
): string {
  const { threads: _threads, ...rest } = settings;
  return keyIdOf(["generated", teacherSha256, promptsSha256, rest]);
}

export function distillDataPath(artifactsDir: string, keyId: string): string {
  return path.join(artifactsDir, "distill-data", `${keyId}.txt`);
}

function asRef(a: Artifact): DistillDataSetRef {
  return { artifactId: a.id, path: a.path, sha256: a.sha256 ?? "" };
}

/** The recorded set for this key whose file is still present with the recorded size. */
export function findDistillData(db: Db, keyId: string): DistillDataSetRef | null {
  const found = listArtifacts(db, { kind: "distill-data" }).find((a) => {
    if (a.settings.keyId !== keyId || !a.sha256) return false;
    return statSync(a.path, { throwIfNoEntry: false })?.size === a.bytes;
  });
  return found ? asRef(found) : null;
}

export interface NewDistillData {
  tempPath: string;
  artifactsDir: string;
  keyId: string;
  sha256: string;
  modelId: string | null;
  textSetId: string | null;
  jobId: string | null;
  /** What the set is made of and how (recorded with it). */
  details: Record<string, unknown>;
}

/** Moves a finished set into place and records it; a set another job recorded for the key wins. */
export async function recordDistillData(db: Db, set: NewDistillData): Promise<DistillDataSetRef> {
  const finalPath = distillDataPath(set.artifactsDir, set.keyId);
  const existing = await commitCachedOutput(set.tempPath, finalPath, () => findDistillData(db, set.keyId));
  if (existing) return existing;
  const artifact = insertArtifact(db, {
    kind: "distill-data",
    path: finalPath,
    sha256: set.sha256,
    bytes: statSync(finalPath).size,
    modelId: set.modelId,
    textSetId: set.textSetId,
    jobId: set.jobId,
    settings: { format: distillDataFormat, keyId: set.keyId, ...set.details },
  });
  return asRef(artifact);
}
