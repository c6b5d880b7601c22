// The layer-pruning steps the Compress screen starts over the protocol: per-block importance on a
// calibration text, then "drop the N least important blocks" of such a run. Both are planned here,
// in the process that owns the database (text sets, output paths), then queued as ordinary jobs.
import type { Job } from "../../shared/domain/job.js";
import type { LayersJobParams, LayersJobResult } from "../../shared/domain/compression.js";
import { ProtocolError } from "../../shared/protocol/wire.js";
import type { JobQueue } from "../jobs/JobQueue.js";
import { planLayers } from "../quantize/planLayers.js";
import { planPrune } from "../quantize/planPrune.js";
import type { Db } from "../store/Store.js";

export interface LayerJobsHost {
  readonly db: Db;
  readonly dataDir: string;
  readonly jobs: JobQueue;
}

export async function startLayersJob(
  host: LayerJobsHost,
  request: { modelId: string; textPath: string; contextSize: number; chunks: number },
): Promise<Job> {
  const params = await planned(() =>
    planLayers(host.db, host.dataDir, {
      model: request.modelId,
      text: request.textPath,
      settings: { contextSize: request.contextSize, chunks: request.chunks },
    }),
  );
  return host.jobs.enqueue("layers", params);
}

export async function startPruneJob(
  host: LayerJobsHost,
  request: { modelId: string; layersJobId: string; drop: number },
): Promise<Job> {
  const layers = host.jobs.get(request.layersJobId);
  if (layers.kind !== "layers" || layers.state !== "succeeded") {
    throw new ProtocolError(
      "BAD_REQUEST",
      `job ${request.layersJobId} is not a finished layer-importance job`,
    );
  }
  const params = layers.params as LayersJobParams;
  const result = layers.result as LayersJobResult;
  if (params.model.modelId !== request.modelId) {
    throw new ProtocolError(
      "BAD_REQUEST",
      `job ${request.layersJobId} measured another model (${params.model.modelId})`,
    );
  }
  const plan = await planned(() =>
    planPrune(host.db, host.dataDir, {
      model: request.modelId,
      drop: request.drop,
      ranking: { layersRunId: result.runId, order: result.ranking, textSetId: params.text.textSetId },
    }),
  );
  return host.jobs.enqueue("prune", plan);
}

/** Planning errors are the user's input (a missing file, too many blocks): say so in words. */
async function planned<T>(plan: () => Promise<T>): Promise<T> {
  try {
    return await plan();
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    throw new ProtocolError("BAD_REQUEST", error instanceof Error ? error.message : String(error));
  }
}
