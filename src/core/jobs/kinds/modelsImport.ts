// models.import, parent half: the worker inspected and hashed the file (no database access there);
// here the facts are recorded in the library and the app is told the library changed.
import { z } from "zod";
import { modelMetadata } from "../../../shared/domain/model.js";
import { recordModel } from "../../library/importModel.js";
import { defineJobKindHost } from "../JobKindHost.js";

/** What the worker's runner returns: library/importModel.ts's ModelFileFacts. */
export const modelFileFacts = z.object({
  path: z.string(),
  fileName: z.string(),
  sizeBytes: z.number(),
  sha256: z.string(),
  metadata: modelMetadata,
  warnings: z.array(z.string()),
});

export const modelsImportHost = defineJobKindHost({
  kind: "models.import",
  complete(value, _params, { db, events }) {
    const recorded = recordModel(db, modelFileFacts.parse(value));
    if (!recorded.alreadyPresent) events.emit("models.changed", { id: recorded.model.id });
    return { model: recorded.model, alreadyPresent: recorded.alreadyPresent };
  },
});
