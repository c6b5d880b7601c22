// `results.import`: a results file from a device into the history. Reads and parses the whole file
// first (a bad row refuses the file, naming the line), recognises a file imported before by its
// content's SHA-256, matches every row to a variant, and records only when every row has one:
// rows that fit several variants come back with their candidates until a choice is made for them.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  benchTestMetricName,
  describeBenchTest,
  type DeviceBenchRow,
} from "../../shared/deviceResults/deviceBenchRow.js";
import type {
  DeviceResultsImport,
  DeviceResultsImportRequest,
  ImportedRow,
} from "../../shared/deviceResults/deviceResultsImport.js";
import { deviceResultsImportRequest } from "../../shared/deviceResults/deviceResultsImport.js";
import {
  parseDeviceResults,
  type ParsedDeviceResults,
} from "../../shared/deviceResults/parseDeviceResults.js";
import { ResultsFormatError } from "../../shared/deviceResults/ResultsFormatError.js";
import { CodedError } from "../errors.js";
import { getModel } from "../library/modelLibrary.js";
import type { Db } from "../store/Store.js";
import { checkDeviceId, deviceMachineId } from "./deviceMachine.js";
import { DeviceRowMatcher, type RowMatch } from "./matchDeviceRows.js";
import { recordDeviceResults, runsImportedFrom } from "./recordDeviceResults.js";

async function readResults(file: string): Promise<{ text: string; sha256: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new CodedError(
      "BAD_RESULTS_FILE",
      `${file}: cannot read the results file (${(error as Error).message})`,
      {
        file,
        cause: error,
      },
    );
  }
  return { text: bytes.toString("utf8"), sha256: createHash("sha256").update(bytes).digest("hex") };
}

function parse(file: string, text: string): ParsedDeviceResults {
  try {
    return parseDeviceResults(text);
  } catch (error) {
    if (error instanceof ResultsFormatError)
      throw new CodedError("BAD_RESULTS_FILE", `${file}: ${error.message}`, { file, cause: error });
    throw error;
  }
}

/** The variant chosen for a row, checked against the ones it fits. */
function chosenModel(
  db: Db,
  row: DeviceBenchRow,
  match: RowMatch & { kind: "ambiguous" },
  ref: string,
  file: string,
): string {
  const model = getModel(db, ref);
  if (!match.unnamed && !match.candidates.some((candidate) => candidate.modelId === model.id))
    throw new CodedError(
      "RESULTS_AMBIGUOUS",
      `${file}: line ${row.line} cannot be ${model.id} (${model.fileName}); it fits ${match.candidates.map((c) => c.modelId).join(", ")}`,
      { file },
    );
  return model.id;
}

function importedRowOf(row: DeviceBenchRow, match: RowMatch, chosen: string | null): ImportedRow {
  return {
    line: row.line,
    model: row.model.description,
    test: describeBenchTest(row.test),
    metric: benchTestMetricName(row.test),
    tokensPerSecond: row.tokensPerSecond,
    match:
      match.kind === "matched"
        ? { modelId: match.modelId, by: match.by }
        : chosen !== null
          ? { modelId: chosen, by: "chosen" }
          : null,
    candidates: match.kind === "ambiguous" && chosen === null ? match.candidates : [],
    reason: match.kind === "matched" || chosen !== null ? null : match.reason,
  };
}

export async function importDeviceResults(
  db: Db,
  request: DeviceResultsImportRequest,
): Promise<DeviceResultsImport> {
  const { path: given, device, variant, choices } = deviceResultsImportRequest.parse(request);
  checkDeviceId(device);
  const file = path.resolve(given);
  const { text, sha256 } = await readResults(file);
  const parsed = parse(file, text);
  const outcome = { file, sha256, format: parsed.format, device, machineId: deviceMachineId(device) };

  const earlier = runsImportedFrom(db, sha256);
  if (earlier.length > 0) return { ...outcome, status: "already-imported", rows: [], runs: earlier };

  const matcher = new DeviceRowMatcher(db);
  const unmatched: string[] = [];
  const resolved = parsed.rows.map((row) => {
    const match = matcher.match(row);
    const ref = choices[String(row.line)] ?? variant;
    const chosen =
      match.kind === "ambiguous" && ref !== undefined ? chosenModel(db, row, match, ref, file) : null;
    if (match.kind === "unmatched") unmatched.push(`line ${row.line}: ${match.reason}`);
    return {
      row,
      modelId: match.kind === "matched" ? match.modelId : chosen,
      imported: importedRowOf(row, match, chosen),
    };
  });
  if (unmatched.length > 0)
    throw new CodedError(
      "RESULTS_UNMATCHED",
      `${file}: nothing recorded; import the measured models into the library first (${unmatched.join("; ")})`,
      { file },
    );
  const rows = resolved.map((entry) => entry.imported);
  const complete = resolved.filter(
    (entry): entry is typeof entry & { modelId: string } => entry.modelId !== null,
  );
  if (complete.length < resolved.length) return { ...outcome, status: "needs-choice", rows, runs: [] };
  const runs = recordDeviceResults(db, device, { file, sha256, format: parsed.format }, complete);
  return { ...outcome, status: "recorded", rows, runs };
}
