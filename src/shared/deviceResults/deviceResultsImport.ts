// The "results.import" call: a results file from a device, the device's id, and the choices for the
// rows that fit several variants; what was matched and recorded comes back. A first call without
// choices returns "needs-choice" with each open row's candidates; the caller asks and calls again.
import { z } from "zod";
import { deviceResultsFormat } from "./deviceBenchRow.js";

export const deviceResultsImportRequest = z.object({
  path: z.string().min(1),
  device: z.string().min(1),
  /** The variant for every row that fits more than one (or does not say which model it measured). */
  variant: z.string().min(1).optional(),
  /** Per row, by its line in the file: the chosen variant's id. */
  choices: z.record(z.string(), z.string().min(1)).default({}),
});
export type DeviceResultsImportRequest = z.input<typeof deviceResultsImportRequest>;

/** Results files are small text (a bench's rows); anything bigger is not one. */
export const maxUploadedResultsBytes = 8 * 1024 * 1024;

/**
 * The same import for a file the screen holds rather than a path the app can read (a browser gives
 * dropped files' content, not their path): the content is kept in the data folder and imported from there.
 */
export const deviceResultsUploadRequest = deviceResultsImportRequest.omit({ path: true }).extend({
  fileName: z.string().min(1).max(255),
  content: z.string().max(maxUploadedResultsBytes, "a results file is at most 8 MB of text"),
});
export type DeviceResultsUploadRequest = z.input<typeof deviceResultsUploadRequest>;

export const importCandidate = z.object({ modelId: z.string(), fileName: z.string(), path: z.string() });

export const importedRow = z.object({
  line: z.number().int(),
  /** llama.cpp's description of the model, when the row has one. */
  model: z.string().nullable(),
  /** "pp512", "tg128 @ d4096". */
  test: z.string(),
  metric: z.string(),
  tokensPerSecond: z.object({
    mean: z.number(),
    stddev: z.number().nullable(),
    samples: z.number().int().nullable(),
  }),
  /** The variant and how it was found; null while the row waits for a choice. */
  match: z.object({ modelId: z.string(), by: z.enum(["hash", "size", "chosen"]) }).nullable(),
  /** For a row waiting for a choice: the variants it fits, and why it needs one. */
  candidates: z.array(importCandidate),
  reason: z.string().nullable(),
});
export type ImportedRow = z.infer<typeof importedRow>;

export const deviceResultsImport = z.object({
  file: z.string(),
  sha256: z.string(),
  format: deviceResultsFormat,
  device: z.string(),
  machineId: z.string(),
  /**
   * recorded: the runs were written; already-imported: this file's content was imported before
   * (nothing written, runIds are the earlier runs); needs-choice: some rows fit several variants.
   */
  status: z.enum(["recorded", "already-imported", "needs-choice"]),
  rows: z.array(importedRow),
  runs: z.array(z.object({ runId: z.string(), modelId: z.string(), metrics: z.array(z.string()) })),
});
export type DeviceResultsImport = z.infer<typeof deviceResultsImport>;
