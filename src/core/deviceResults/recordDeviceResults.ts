// Writes matched result rows as bench runs on the device's machine, all in one transaction: rows
// of one variant measured with the same settings and build make one run (pp512 and tg128 side by
// side, like the app's own benchmark), each test one metric in tokens per second with its spread.
// Every run keeps the file's SHA-256, so the same file is recognised when it comes back.
import type { Metric } from "../../shared/domain/run.js";
import { benchTestMetricName, type DeviceBenchRow } from "../../shared/deviceResults/deviceBenchRow.js";
import type { DeviceResultsFormat } from "../../shared/deviceResults/deviceBenchRow.js";
import { CodedError } from "../errors.js";
import { upsertMachine } from "../machine/machineStore.js";
import { insertRun } from "../store/runs.js";
import type { Db } from "../store/Store.js";
import { deviceMachine } from "./deviceMachine.js";

export interface ResultsSource {
  file: string;
  sha256: string;
  format: DeviceResultsFormat;
}

export interface RecordedRun {
  runId: string;
  modelId: string;
  metrics: string[];
}

/** The settings a row ran with, as recorded on its run; rows with equal settings share a run. */
function runSettings(row: DeviceBenchRow) {
  return {
    tool: row.format === "llama-rn" ? "llama.rn" : "llama-bench",
    backend: row.backend,
    devices: row.devices,
    threads: row.threads,
    gpuLayers: row.gpuLayers,
    batchSize: row.batchSize,
    ubatchSize: row.ubatchSize,
    flashAttention: row.flashAttention,
    typeK: row.typeK,
    typeV: row.typeV,
  };
}

function llamaBuildOf(row: DeviceBenchRow): string {
  const { commit, number } = row.build;
  if (commit === null && number === null) return "unknown";
  return [number === null ? null : `b${number}`, commit === null ? null : `(${commit})`]
    .filter(Boolean)
    .join(" ");
}

function metricOf(row: DeviceBenchRow): Metric {
  const { mean, stddev, samples } = row.tokensPerSecond;
  return { name: benchTestMetricName(row.test), value: mean, unit: "tok/s", stddev, samples };
}

interface RunGroup {
  modelId: string;
  settings: ReturnType<typeof runSettings>;
  llamaBuild: string;
  rows: DeviceBenchRow[];
}

function groupIntoRuns(rows: readonly { row: DeviceBenchRow; modelId: string }[], file: string): RunGroup[] {
  const groups = new Map<string, RunGroup>();
  for (const { row, modelId } of rows) {
    const settings = runSettings(row);
    const llamaBuild = llamaBuildOf(row);
    const key = JSON.stringify([modelId, settings, llamaBuild, row.cpuInfo, row.gpuInfo]);
    const group = groups.get(key) ?? { modelId, settings, llamaBuild, rows: [] };
    const name = benchTestMetricName(row.test);
    const twin = group.rows.find((other) => benchTestMetricName(other.test) === name);
    if (twin)
      throw new CodedError(
        "BAD_RESULTS_FILE",
        `${file}: lines ${twin.line} and ${row.line} both measure ${name} of ${modelId} with the same settings`,
        { file },
      );
    group.rows.push(row);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** The earliest test time of the rows, when they carry one (the run dates from the measurement). */
function measuredAt(rows: readonly DeviceBenchRow[]): string | undefined {
  const times = rows
    .map((row) => row.testTime)
    .filter((time): time is string => time !== null && !Number.isNaN(Date.parse(time)));
  return times.length === 0
    ? undefined
    : new Date(Math.min(...times.map((time) => Date.parse(time)))).toISOString();
}

export function recordDeviceResults(
  db: Db,
  deviceId: string,
  source: ResultsSource,
  rows: readonly { row: DeviceBenchRow; modelId: string }[],
): RecordedRun[] {
  const groups = groupIntoRuns(rows, source.file);
  const machine = deviceMachine(
    deviceId,
    rows.map(({ row }) => row),
  );
  return db.transaction(() => {
    upsertMachine(db, machine);
    return groups.map((group) => {
      const first = group.rows[0]!;
      const metrics = group.rows.map(metricOf);
      const runId = insertRun(
        db,
        {
          kind: "bench",
          modelId: group.modelId,
          machineId: machine.id,
          llamaBuild: group.llamaBuild,
          nodeLlamaCpp: "none",
          settings: group.settings,
          details: {
            import: { ...source, device: deviceId, lines: group.rows.map((row) => row.line) },
            modelDescription: first.model.description,
            modelFileName: first.model.fileName,
            cpuInfo: first.cpuInfo,
            gpuInfo: first.gpuInfo,
          },
          createdAt: measuredAt(group.rows),
        },
        metrics,
      );
      return { runId, modelId: group.modelId, metrics: metrics.map((metric) => metric.name) };
    });
  })();
}

/** The runs an earlier import of the same file content recorded (none: it was never imported). */
export function runsImportedFrom(db: Db, sha256: string): RecordedRun[] {
  const rows = db
    .prepare(
      `SELECT r.id, r.model_id, (SELECT json_group_array(m.name) FROM metrics m WHERE m.run_id = r.id) AS metrics
       FROM runs r WHERE json_extract(r.details_json, '$.import.sha256') = ? ORDER BY r.created_at, r.id`,
    )
    .all(sha256) as { id: string; model_id: string; metrics: string }[];
  return rows.map((row) => ({
    runId: row.id,
    modelId: row.model_id,
    metrics: JSON.parse(row.metrics) as string[],
  }));
}
