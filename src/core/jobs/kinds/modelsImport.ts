// models.import, parent half: the worker inspected and hashed the file (no database access there);
// here the facts are recorded in the library and the app is told the library changed.
import { recordModel } from "../../library/importModel.js";
import { defineJobKindHost } from "../JobKindHost.js";

export const modelsImportHost = defineJobKindHost({
  kind: "models.import",
  complete(facts, _params, { db, events }) {
    const recorded = recordModel(db, facts);
    if (!recorded.alreadyPresent) events.emit("models.changed", { id: recorded.model.id });
    return { model: recorded.model, alreadyPresent: recorded.alreadyPresent };
  },
});
