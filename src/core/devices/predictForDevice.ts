// The prediction table for some variants on one device: their shapes come from the library (the
// metadata recorded from the GGUF header by the pure reader at import) or, for a file not in the
// library, from reading its header now; nothing here loads llama.cpp. The efficiency factor comes
// from results measured on the device itself when there are any (imported with the profile's id as
// the device, docs/device-results.md), else from this data folder's CPU benchmarks (tg as a share
// of the bandwidth the benchmark measured).
import path from "node:path";
import type { DeviceProfile } from "../../shared/domain/deviceProfile.js";
import type { DevicePredictionTable, EfficiencySample } from "../../shared/domain/devicePrediction.js";
import type { ModelMetadata } from "../../shared/domain/model.js";
import {
  deviceEfficiencySample,
  efficiencyRange,
  predictOnDevice,
  type PredictedVariant,
} from "../../shared/metrics/devicePrediction.js";
import { fitShapeOf } from "../../shared/metrics/fit.js";
import { weightBytesPerToken } from "../../shared/metrics/weightBytesPerToken.js";
import { ProtocolError } from "../../shared/protocol/wire.js";
import { LibraryError } from "../library/LibraryError.js";
import { getModel } from "../library/modelLibrary.js";
import { readModelMetadata } from "../library/readModelMetadata.js";
import { getExperiment, listExperimentModels } from "../store/experiments.js";
import { getModelById, listModelRecords } from "../store/models.js";
import { listRuns } from "../store/runs.js";
import type { Db } from "../store/Store.js";
import { deviceMachineId } from "../deviceResults/deviceMachine.js";
import { getDevice } from "./deviceProfiles.js";

export interface PredictRequest {
  deviceId: string;
  contextSize: number;
  /** Library references (ids, prefixes, paths) or GGUF files not in the library. */
  models?: readonly string[];
  /** Every variant of this experiment (the base included). */
  experimentId?: string;
  /**
   * Efficiency samples measured on this device; default: those of the results imported for it.
   * When there are any they replace this machine's.
   */
  deviceSamples?: readonly EfficiencySample[];
}

/** How many recent benchmark runs an efficiency is taken from. */
const runsConsidered = 50;

/** A generation test at an empty context ("tg.128"; not "tg.128.d4096", whose KV reads add up). */
export const emptyContextGeneration = /^tg\.\d+$/;

/**
 * The efficiency of each generation result imported for the device (machine "device:<id>"): its
 * tokens/s × the variant's weight bytes per token / the profile's bandwidth, with the variant it
 * measured (so a variant's own results can be left out of the prediction checked against them).
 */
export function importedDeviceSamplesByModel(
  db: Db,
  device: DeviceProfile,
): { modelId: string; sample: EfficiencySample }[] {
  const samples: { modelId: string; sample: EfficiencySample }[] = [];
  const runs = listRuns(db, { kind: "bench", machineId: deviceMachineId(device.id), limit: runsConsidered });
  for (const run of runs) {
    const model = getModelById(db, run.modelId);
    const bytes = model ? weightBytesPerToken(model.metadata.tensors) : 0;
    if (bytes <= 0) continue;
    for (const metric of run.metrics.filter((m) => emptyContextGeneration.test(m.name) && m.value > 0))
      samples.push({
        modelId: run.modelId,
        sample: deviceEfficiencySample(metric.value, metric.stddev, bytes, device.memoryBandwidth.value),
      });
  }
  return samples;
}

export function importedDeviceSamples(db: Db, device: DeviceProfile): EfficiencySample[] {
  return importedDeviceSamplesByModel(db, device).map((s) => s.sample);
}

/**
 * tg's share of the measured bandwidth in this data folder's CPU benchmarks, newest first. GPU runs
 * are left out: the probe measures system memory, not the GPU's. Imported device results have no
 * bandwidth measurement, so only this machine's own benchmarks carry the share.
 */
export function machineEfficiencySamples(db: Db): EfficiencySample[] {
  const samples: EfficiencySample[] = [];
  for (const run of listRuns(db, { kind: "bench", limit: runsConsidered })) {
    const backend = (run.settings as { backend?: unknown } | null)?.backend;
    const share = run.metrics.find((m) => m.name === "tg.bandwidth_share");
    if (backend === "cpu" && share && share.value > 0)
      samples.push({ value: share.value, stddev: share.stddev });
  }
  return samples;
}

/** node-llama-cpp's memory estimate in the model's latest benchmark here, with that run's context. */
function nodeLlamaCppEstimate(db: Db, modelId: string): PredictedVariant["nodeLlamaCppEstimate"] {
  const [run] = listRuns(db, { kind: "bench", modelId, limit: 1 });
  const estimate = run?.metrics.find((m) => m.name === "memory.estimate");
  const contextSize = (run?.settings as { contextSize?: unknown } | undefined)?.contextSize;
  return estimate && typeof contextSize === "number" ? { bytes: estimate.value, contextSize } : null;
}

function variantOf(
  db: Db,
  model: { id: string | null; path: string; sizeBytes: number; metadata: ModelMetadata },
  label: string,
): PredictedVariant {
  const { metadata } = model;
  return {
    modelId: model.id,
    label,
    path: model.path,
    shape: fitShapeOf(model),
    weightBytesPerToken: weightBytesPerToken(metadata.tensors),
    nodeLlamaCppEstimate: model.id === null ? null : nodeLlamaCppEstimate(db, model.id),
  };
}

/** A library model, or a GGUF file outside the library read with the pure header reader. */
async function resolveVariant(db: Db, ref: string): Promise<PredictedVariant> {
  try {
    const model = getModel(db, ref);
    return variantOf(db, model, model.fileName);
  } catch (error) {
    if (!(error instanceof LibraryError && error.code === "NOT_FOUND")) throw error;
    const filePath = path.resolve(ref);
    const file = await readModelMetadata(filePath).catch((readError: unknown) => {
      if (readError instanceof LibraryError && readError.code === "NOT_FOUND") throw error;
      throw readError;
    });
    const model = { id: null, path: filePath, sizeBytes: file.sizeBytes, metadata: file.metadata };
    return variantOf(db, model, path.basename(filePath));
  }
}

async function resolveVariants(db: Db, request: PredictRequest): Promise<PredictedVariant[]> {
  if (request.experimentId !== undefined) {
    if (!getExperiment(db, request.experimentId))
      throw new ProtocolError("NOT_FOUND", `experiment ${request.experimentId} not found`);
    return listExperimentModels(db, request.experimentId).flatMap((member) => {
      const model = getModelById(db, member.modelId);
      return model ? [variantOf(db, model, member.label)] : [];
    });
  }
  if (request.models && request.models.length > 0) {
    const variants: PredictedVariant[] = [];
    for (const ref of request.models) variants.push(await resolveVariant(db, ref));
    return variants;
  }
  return listModelRecords(db).map((model) => variantOf(db, model, model.fileName));
}

export async function predictForDevice(db: Db, request: PredictRequest): Promise<DevicePredictionTable> {
  const device = getDevice(db, request.deviceId).profile;
  const variants = await resolveVariants(db, request);
  const deviceSamples = request.deviceSamples ?? importedDeviceSamples(db, device);
  const efficiency = efficiencyRange(deviceSamples, machineEfficiencySamples(db));
  return {
    device: { id: device.id, name: device.name },
    contextSize: request.contextSize,
    bandwidthBytesPerSecond: device.memoryBandwidth.value,
    efficiency,
    rows: variants.map((variant) => predictOnDevice(variant, device, request.contextSize, efficiency)),
  };
}
