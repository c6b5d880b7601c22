// What every kind that writes a new model file does when its worker succeeds (quantize, prune, and
// the later kinds that derive models): move the file from the job's temp folder to where the user
// asked, record it as a variant of its parent with the recipe that made it, and tell the screens.
import { unlink } from "node:fs/promises";
import path from "node:path";
import type { ModelFileFacts } from "../../../shared/domain/model.js";
import { recordModel, type ImportResult, type Lineage } from "../../library/importModel.js";
import { crashPoint } from "../../crashPoint.js";
import { commitOutput } from "../commitOutput.js";
import type { CompletionContext } from "../JobKindHost.js";

export interface VariantOutput {
  /** The worker's facts about the file it wrote in the job's temp folder. */
  facts: ModelFileFacts;
  outPath: string;
  lineage: Omit<Lineage, "jobId" | "experimentId">;
}

export async function recordVariant(
  { facts, outPath, lineage }: VariantOutput,
  { db, events, job }: CompletionContext,
): Promise<ImportResult> {
  const finalPath = path.resolve(outPath);
  await commitOutput(facts.path, finalPath);
  crashPoint("record.before");
  const recorded = recordModel(
    db,
    { ...facts, path: finalPath, fileName: path.basename(finalPath) },
    { lineage: { ...lineage, jobId: job.id, experimentId: job.experimentId ?? null } },
  );
  // The same file recorded at another path (an earlier run of this step died before its finish):
  // the copy just moved into place is ours and would be left unregistered.
  if (recorded.model.path !== finalPath) await unlink(finalPath);
  if (!recorded.alreadyPresent) events.emit("models.changed", { id: recorded.model.id });
  return recorded;
}
