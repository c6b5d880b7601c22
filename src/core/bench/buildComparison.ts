// The benchmarks of an experiment's variants on both llama.cpp builds (shared/domain/buildComparison.ts):
// per variant and machine, the newest run on the build for this machine and the newest run on the
// prebuilt binaries with the same thread count (otherwise the threads, not the build, would make the
// difference). A machine's id covers the backend (CPU or a GPU type), so runs of one machine ran on the
// same kind of device. Runs recorded before the build was kept with them are left out.
import { z } from "zod";
import type {
  BuildBenchRun,
  BuildComparison,
  VariantBuildRuns,
} from "../../shared/domain/buildComparison.js";
import type { RunRecord } from "../../shared/domain/run.js";
import { benchRunDevice } from "../../shared/domain/runDevice.js";
import { isSpeedMetric } from "../../shared/metrics/compareBuildMetrics.js";
import { getMachine } from "../machine/machineStore.js";
import { listExperimentModels } from "../store/experiments.js";
import { listRuns } from "../store/runs.js";
import type { Db } from "../store/Store.js";

const recordedThreads = z.object({ threads: z.number().int() });

function threadsOf(run: RunRecord): number | null {
  return recordedThreads.safeParse(run.settings).data?.threads ?? null;
}

function toBuildRun(run: RunRecord, build: string): BuildBenchRun {
  return {
    runId: run.id,
    createdAt: run.createdAt,
    build,
    threads: threadsOf(run),
    metrics: run.metrics.filter((m) => isSpeedMetric(m.name)),
  };
}

function variantBuildRuns(db: Db, modelId: string, label: string): VariantBuildRuns[] {
  const byMachine = new Map<string, { prebuilt: BuildBenchRun[]; local: BuildBenchRun[] }>();
  for (const run of listRuns(db, { modelId, kind: "bench" })) {
    const backend = benchRunDevice(run).backend;
    if (!backend) continue;
    const runs = byMachine.get(run.machineId) ?? { prebuilt: [], local: [] };
    runs[backend.buildType === "localBuild" ? "local" : "prebuilt"].push(toBuildRun(run, backend.build));
    byMachine.set(run.machineId, runs);
  }
  if (byMachine.size === 0) return [{ modelId, label, machine: null, prebuilt: null, local: null }];
  return [...byMachine].map(([machineId, runs]) => {
    const local = runs.local[0] ?? null; // newest first
    const prebuilt = local
      ? (runs.prebuilt.find((run) => run.threads === local.threads) ?? null)
      : (runs.prebuilt[0] ?? null);
    return {
      modelId,
      label,
      machine: { id: machineId, cpu: getMachine(db, machineId)?.cpu ?? "unknown CPU" },
      prebuilt,
      local,
    };
  });
}

export function experimentBuildComparison(db: Db, experimentId: string): BuildComparison {
  const variants = listExperimentModels(db, experimentId).flatMap((member) =>
    variantBuildRuns(db, member.modelId, member.label),
  );
  return { variants, anyLocalRun: variants.some((variant) => variant.local !== null) };
}
