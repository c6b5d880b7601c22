// Plans an export.bundle job from what the library recorded about a model: identity, lineage (the
// recipe, parent and base model hashes, importance matrix, calibration text, llama.cpp build), the
// runs measured here, and the runtime settings the bundle recommends (the fastest generation among
// the model's benchmark runs, else defaults). The worker then only writes files.
import { existsSync } from "node:fs";
import path from "node:path";
import { flashAttentionMode, resolvedBenchSettings } from "../../shared/domain/bench.js";
import type { ExportBundleParamsInput, RuntimeFileSet } from "../../shared/domain/exportBundle.js";
import type { ExportDevice } from "../../shared/domain/exportDevice.js";
import {
  deviceRuntimeSettings,
  type MeasuredDeviceSettings,
} from "../../shared/metrics/deviceRuntimeSettings.js";
import { fitShapeOf } from "../../shared/metrics/fit.js";
import type { MeasuredRun, RuntimeSettings } from "../../shared/domain/exportManifest.js";
import type { SplitLimit } from "../../shared/domain/ggufSplit.js";
import type { ModelRecord } from "../../shared/domain/model.js";
import type { RunRecord } from "../../shared/domain/run.js";
import { deviceMachineId } from "../deviceResults/deviceMachine.js";
import { getDevice } from "../devices/deviceProfiles.js";
import { predictForDevice } from "../devices/predictForDevice.js";
import { resolveModel } from "../eval/planEvaluation.js";
import { CodedError } from "../errors.js";
import { OutputExistsError } from "../jobs/commitOutput.js";
import { getArtifact } from "../store/artifacts.js";
import { getModelById } from "../store/models.js";
import { listRuns } from "../store/runs.js";
import type { Db } from "../store/Store.js";
import { getTextSet } from "../store/textSets.js";
import { getVariant, listAncestors } from "../store/variants.js";
import { appVersion, llamaVersions } from "../versions.js";
import { stat } from "node:fs/promises";
import { readGgufLayout } from "../library/ggufLayout.js";

export interface ExportRequest {
  /** Library id/name or GGUF path. */
  model: string;
  outPath: string;
  split: SplitLimit | null;
  /** null: the model's training context, at most 4,096 tokens. */
  contextLength: number | null;
  /** Which desktop runtimes get files; default: all. */
  runtimeFiles?: readonly RuntimeFileSet[];
  /** A device profile id: the manifest then carries the profile, the prediction and settings for it. */
  deviceId: string | null;
}

/** Default context when none is asked for: enough for a chat on a phone without exhausting its RAM. */
const defaultContextCap = 4096;

function hashed(model: ModelRecord | undefined): { sha256: string; name: string | null } | null {
  return model ? { sha256: model.sha256, name: model.metadata.name ?? model.fileName } : null;
}

/** A name usable in file names and by Ollama: the model's name or its file's, in safe characters. */
export function bundleBaseName(model: ModelRecord): string {
  const raw = model.fileName.replace(/\.gguf$/i, "") || model.metadata.name || "model";
  const safe = raw.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "");
  return (safe || "model").slice(0, 120);
}

/** The bench run whose generation was fastest, with its settings. */
function fastestBench(
  runs: readonly RunRecord[],
): { run: RunRecord; settings: ReturnType<typeof resolvedBenchSettings.parse> } | null {
  let best: { run: RunRecord; tg: number; settings: ReturnType<typeof resolvedBenchSettings.parse> } | null =
    null;
  for (const run of runs) {
    if (run.kind !== "bench") continue;
    const settings = resolvedBenchSettings.safeParse(run.settings);
    const tg = run.metrics.find((m) => /^tg\.\d+$/.test(m.name))?.value;
    if (!settings.success || tg === undefined) continue;
    if (!best || tg > best.tg) best = { run, tg, settings: settings.data };
  }
  return best && { run: best.run, settings: best.settings };
}

export function recommendedSettings(
  model: ModelRecord,
  runs: readonly RunRecord[],
  contextLength: number | null,
): RuntimeSettings {
  const context =
    contextLength ?? Math.min(model.metadata.contextLength ?? defaultContextCap, defaultContextCap);
  const fastest = fastestBench(runs);
  if (!fastest) {
    return {
      contextLength: context,
      threads: 4,
      gpuLayers: 0,
      flashAttention: "auto",
      kvCacheType: "f16",
      batchSize: 512,
      basis: "defaults (no benchmark recorded for this model): 4 threads, CPU only",
    };
  }
  const s = fastest.settings;
  return {
    contextLength: context,
    threads: s.threads,
    gpuLayers: s.gpuLayers,
    flashAttention: flashAttentionMode(s.flashAttention),
    kvCacheType: "f16",
    batchSize: s.batchSize,
    basis: `the fastest generation among this model's benchmark runs (run ${fastest.run.id} on machine ${fastest.run.machineId}, ${s.backend})`,
  };
}

/** The settings of the fastest generation imported for the device: this model's results first, else any model's. */
function measuredOnDevice(db: Db, deviceId: string, modelId: string): MeasuredDeviceSettings | null {
  const runs = listRuns(db, { kind: "bench", machineId: deviceMachineId(deviceId) });
  const fastest = (candidates: readonly RunRecord[]): MeasuredDeviceSettings | null => {
    let best: (MeasuredDeviceSettings & { tg: number }) | null = null;
    for (const run of candidates) {
      const s = run.settings as {
        threads?: unknown;
        gpuLayers?: unknown;
        batchSize?: unknown;
        flashAttention?: unknown;
      } | null;
      const tg = run.metrics.find((m) => /^tg\.\d+$/.test(m.name));
      if (!s || !tg || typeof s.threads !== "number" || s.threads <= 0) continue;
      if (best && tg.value <= best.tg) continue;
      const flash = s.flashAttention;
      best = {
        tg: tg.value,
        threads: s.threads,
        gpuLayers: typeof s.gpuLayers === "number" ? s.gpuLayers : 0,
        batchSize: typeof s.batchSize === "number" && s.batchSize > 0 ? s.batchSize : 512,
        flashAttention: flash === "on" || flash === "off" || flash === "auto" ? flash : null,
        from: `run ${run.id}, ${tg.name} ${tg.value.toFixed(1)} tok/s`,
      };
    }
    if (!best) return null;
    const { tg: _tg, ...settings } = best;
    return settings;
  };
  return fastest(runs.filter((run) => run.modelId === modelId)) ?? fastest(runs);
}

/** The manifest's device section and the runtime settings recommended for the device. */
async function planForDevice(
  db: Db,
  deviceId: string,
  model: ModelRecord,
  contextLength: number | null,
): Promise<{ device: ExportDevice; runtime: RuntimeSettings }> {
  const profile = getDevice(db, deviceId).profile;
  const { metadata } = model;
  const recommended = deviceRuntimeSettings({
    device: profile,
    shape: fitShapeOf(model),
    contextLength,
    contextCap: Math.min(metadata.contextLength ?? defaultContextCap, defaultContextCap),
    measured: measuredOnDevice(db, profile.id, model.id),
  });
  const table = await predictForDevice(db, {
    deviceId: profile.id,
    contextSize: recommended.settings.contextLength,
    models: [model.id],
  });
  return {
    runtime: recommended.settings,
    device: {
      profile,
      prediction: {
        kind: "prediction",
        contextSize: table.contextSize,
        bandwidthBytesPerSecond: table.bandwidthBytesPerSecond,
        efficiency: table.efficiency,
        variant: table.rows[0]!,
      },
      settingSources: recommended.sources,
    },
  };
}

function measuredRuns(runs: readonly RunRecord[]): MeasuredRun[] {
  // A speculative run measures a pair of models, not the exported one alone: not part of its manifest.
  const ownRuns = runs.filter(
    (run): run is RunRecord & { kind: MeasuredRun["kind"] } => run.kind !== "speculate",
  );
  return ownRuns.map((run) => ({
    runId: run.id,
    kind: run.kind,
    createdAt: run.createdAt,
    machineId: run.machineId,
    llamaBuild: run.llamaBuild,
    settings: run.settings,
    metrics: run.metrics,
  }));
}

async function tokenizerModel(modelPath: string): Promise<string | null> {
  const { metadata } = await readGgufLayout(modelPath, (await stat(modelPath)).size);
  const value = metadata.get("tokenizer.ggml.model");
  return typeof value === "string" ? value : null;
}

export async function planExport(db: Db, request: ExportRequest): Promise<ExportBundleParamsInput> {
  const model = await resolveModel(db, request.model);
  const outPath = path.resolve(request.outPath);
  if (existsSync(outPath)) throw new OutputExistsError(outPath);
  if (!existsSync(path.dirname(outPath)))
    throw new CodedError("FAILED", `${path.dirname(outPath)}: no such folder to create the bundle in`, {
      file: path.dirname(outPath),
      remedies: ["choose-other-output"],
    });

  const variant = getVariant(db, model.id);
  const ancestors = listAncestors(db, model.id);
  const parent = variant?.parentId ? getModelById(db, variant.parentId) : undefined;
  const base = ancestors.length > 0 ? getModelById(db, ancestors.at(-1)!) : model;
  const imatrix = variant?.imatrixId ? getArtifact(db, variant.imatrixId) : undefined;
  const text = variant?.textSetId ? getTextSet(db, variant.textSetId) : undefined;
  const runs = listRuns(db, { modelId: model.id });
  const versions = llamaVersions();
  const forDevice =
    request.deviceId === null
      ? null
      : await planForDevice(db, request.deviceId, model, request.contextLength);

  return {
    modelId: model.id,
    modelPath: model.path,
    modelBytes: model.sizeBytes,
    outPath,
    split: request.split,
    baseName: bundleBaseName(model),
    ...(request.runtimeFiles ? { runtimeFiles: [...request.runtimeFiles] } : {}),
    manifest: {
      model: {
        name: model.metadata.name ?? bundleBaseName(model),
        architecture: model.metadata.architecture,
        parameterCount: model.metadata.parameterCount,
        layers: model.metadata.layers,
        contextLength: model.metadata.contextLength,
        fileType: model.metadata.fileType,
        bitsPerWeight: model.metadata.bitsPerWeight,
        sha256: model.sha256,
        bytes: model.sizeBytes,
      },
      lineage: {
        recipeKind: variant?.recipeKind ?? null,
        recipe: variant?.recipe ?? null,
        parent: hashed(parent),
        base: hashed(base ?? model)!,
        imatrix: imatrix?.sha256 ? { sha256: imatrix.sha256, name: path.basename(imatrix.path) } : null,
        calibrationText: text ? { sha256: text.sha256, name: text.name } : null,
        llamaBuild: variant?.llamaBuild ?? null,
        exportedWith: {
          app: appVersion(),
          llamaBuild: versions.llamaCppRelease ?? "unknown",
          nodeLlamaCpp: versions.nodeLlamaCpp ?? "unknown",
        },
      },
      tokenizer: { model: await tokenizerModel(model.path), vocabularySize: model.metadata.vocabularySize },
      chatTemplate: model.metadata.chatTemplate,
      runtime: forDevice?.runtime ?? recommendedSettings(model, runs, request.contextLength),
      measured: measuredRuns(runs),
      device: forDevice?.device ?? null,
    },
  };
}
