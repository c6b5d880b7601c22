// A failed job keeps its error as data (shared/domain/errors.ts: code, message, llama.cpp's reason,
// remedies) next to the message in `error`. Rows written before have only the message: NULL here.
import type { Migration } from "./Migration.js";

export const migration0004JobErrorDetail: Migration = {
  version: 4,
  name: "job-error-detail",
  up: `ALTER TABLE jobs ADD COLUMN error_json TEXT;`,
};
