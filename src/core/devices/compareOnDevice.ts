// A device's measured numbers next to the predictions, per variant: the newest generation (tg at an
// empty context) and prompt-processing (pp) results imported for the device, the prediction made
// with every device result (fit and generation range, what stands where nothing was measured), and
// for each measured generation speed the error of a prediction made WITHOUT that variant's own
// results (leave-one-out: the other variants' device results, else this machine's benchmarks or the
// default, i.e. the spec-sheet path), so the error is not the measurement predicting itself.
import type {
  DeviceComparison,
  DeviceComparisonRow,
  MeasuredSpeed,
} from "../../shared/domain/deviceComparison.js";
import type { VariantPrediction } from "../../shared/domain/devicePrediction.js";
import type { DeviceProfile } from "../../shared/domain/deviceProfile.js";
import type { RunRecord } from "../../shared/domain/run.js";
import {
  deviceEfficiencySample,
  efficiencyRange,
  generationRange,
} from "../../shared/metrics/devicePrediction.js";
import { predictionError } from "../../shared/metrics/predictionError.js";
import { deviceMachineId } from "../deviceResults/deviceMachine.js";
import { listRuns } from "../store/runs.js";
import type { Db } from "../store/Store.js";
import { getDevice } from "./deviceProfiles.js";
import {
  emptyContextGeneration,
  importedDeviceSamplesByModel,
  machineEfficiencySamples,
  predictForDevice,
  type PredictRequest,
} from "./predictForDevice.js";

/** Prompt processing at an empty context ("pp.512"). */
const emptyContextPrompt = /^pp\.\d+$/;

/** The newest metric matching `name` among the runs (newest first). */
function newestSpeed(runs: readonly RunRecord[], name: RegExp): MeasuredSpeed | null {
  for (const run of runs) {
    const metric = run.metrics.find((m) => name.test(m.name) && m.value > 0);
    if (metric)
      return {
        metric: metric.name,
        tokensPerSecond: metric.value,
        stddev: metric.stddev,
        samples: metric.samples,
        runId: run.id,
        measuredAt: run.createdAt,
      };
  }
  return null;
}

function compareRow(
  db: Db,
  device: DeviceProfile,
  prediction: VariantPrediction,
  samples: ReturnType<typeof importedDeviceSamplesByModel>,
  machineSamples: ReturnType<typeof machineEfficiencySamples>,
): DeviceComparisonRow {
  const runs =
    prediction.modelId === null
      ? []
      : listRuns(db, { kind: "bench", machineId: deviceMachineId(device.id), modelId: prediction.modelId });
  const generation = newestSpeed(runs, emptyContextGeneration);
  const measured = {
    generation,
    prompt: newestSpeed(runs, emptyContextPrompt),
    efficiency:
      generation &&
      deviceEfficiencySample(
        generation.tokensPerSecond,
        generation.stddev,
        prediction.generation.weightBytesPerToken,
        device.memoryBandwidth.value,
      ),
  };
  if (!generation) return { prediction, measured, check: null };
  const heldOut = efficiencyRange(
    samples.filter((s) => s.modelId !== prediction.modelId).map((s) => s.sample),
    machineSamples,
  );
  // tg.N runs at an empty context: the range it is checked against reads the weights alone.
  const range = generationRange(
    device.memoryBandwidth.value,
    heldOut,
    prediction.generation.weightBytesPerToken,
    0,
  );
  return {
    prediction,
    measured,
    check: { efficiency: heldOut, ...range, ...predictionError(generation.tokensPerSecond, range) },
  };
}

export interface CompareRequest extends PredictRequest {
  /** Only the variants with results imported for the device (models and experimentId are ignored). */
  measuredOnly?: boolean;
}

export async function compareOnDevice(db: Db, request: CompareRequest): Promise<DeviceComparison> {
  const device = getDevice(db, request.deviceId).profile;
  const samples = importedDeviceSamplesByModel(db, device);
  const measuredModels = [...new Set(samples.map((s) => s.modelId))];
  const table = await predictForDevice(
    db,
    request.measuredOnly
      ? { deviceId: request.deviceId, contextSize: request.contextSize, models: measuredModels }
      : request,
  );
  if (request.measuredOnly && measuredModels.length === 0) table.rows = [];
  const machineSamples = machineEfficiencySamples(db);
  return {
    ...table,
    rows: table.rows.map((prediction) => compareRow(db, device, prediction, samples, machineSamples)),
  };
}
