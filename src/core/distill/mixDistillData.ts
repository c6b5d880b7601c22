// Real text and a teacher's generated text in one training text, at a stated share of generated
// bytes. They are interleaved so that every prefix holds about that share: the teacher scores the
// first sequences of the text and training draws from them, so the ratio holds whatever the token
// budget. All of the generated set is used; real text (from its start) makes up the rest. The mix is recorded as a
// `distill-data` artifact keyed by both hashes and the share, and found again by that key.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import { sampleSeparator, splitPrompts, type DistillDataSetRef } from "../../shared/domain/distillData.js";
import { CodedError } from "../errors.js";
import { commitMarkerPath } from "../jobs/outputCommitMarker.js";
import { ensureDataPaths } from "../paths.js";
import type { Db } from "../store/Store.js";
import { findDistillData, keyIdOf, recordDistillData } from "./distillDataCache.js";

export interface RealText {
  path: string;
  sha256: string;
  textSetId: string | null;
}

/**
 * The mixed text: the generated paragraphs in order, each followed by as much real text (cut at a
 * space) as keeps the real bytes at their share of everything so far.
 */
export function interleave(generated: string[], real: string, generatedShare: number): string {
  const realPerGenerated = (1 - generatedShare) / generatedShare;
  const out: string[] = [];
  let generatedBytes = 0;
  let realBytes = 0;
  let at = 0;
  for (const piece of generated) {
    out.push(piece);
    generatedBytes += Buffer.byteLength(piece);
    const wanted = generatedBytes * realPerGenerated - realBytes;
    if (wanted <= 0 || at >= real.length) continue;
    // Characters stand in for bytes here; the byte count below corrects the next cut.
    const space = real.slice(at + Math.ceil(wanted)).search(/\s/);
    const end = space < 0 ? real.length : at + Math.ceil(wanted) + space;
    const slice = real.slice(at, end).trim();
    at = end;
    if (slice.length === 0) continue;
    out.push(slice);
    realBytes += Buffer.byteLength(slice);
  }
  return out.join(sampleSeparator);
}

export async function mixedDataSet(
  db: Db,
  dataDir: string,
  generated: DistillDataSetRef,
  real: RealText,
  generatedShare: number,
): Promise<DistillDataSetRef & { reused: boolean }> {
  if (!(generatedShare > 0 && generatedShare < 1))
    throw new CodedError(
      "BAD_DISTILL_SETTINGS",
      `share of generated text ${generatedShare}: a mix needs a share between 0 and 1 (exclusive)`,
    );
  const keyId = keyIdOf(["mix", generated.sha256, real.sha256, generatedShare]);
  const found = findDistillData(db, keyId);
  if (found) return { ...found, reused: true };

  const text = interleave(
    splitPrompts(readFileSync(generated.path, "utf8"), "paragraphs"),
    readFileSync(real.path, "utf8"),
    generatedShare,
  );
  const bytes = Buffer.from(text, "utf8");
  const temp = path.join(ensureDataPaths(dataDir).tmp, `distill-mix-${keyId}.${process.pid}.txt`);
  writeFileSync(temp, bytes);
  try {
    const set = await recordDistillData(db, {
      tempPath: temp,
      artifactsDir: ensureDataPaths(dataDir).artifacts,
      keyId,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      modelId: null,
      textSetId: real.textSetId,
      jobId: null,
      details: {
        role: "mix",
        generatedShare,
        generated: { artifactId: generated.artifactId, sha256: generated.sha256 },
        real: { sha256: real.sha256, textSetId: real.textSetId },
      },
    });
    return { ...set, reused: false };
  } finally {
    // Made outside any job's temp folder: its commit marker goes with it.
    rmSync(temp, { force: true });
    rmSync(commitMarkerPath(path.dirname(temp), temp), { force: true });
  }
}
