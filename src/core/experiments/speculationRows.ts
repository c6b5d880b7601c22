// The speculative runs an experiment's summary shows: for each member model as the target, the newest
// run with each other member as its draft (listRuns gives the newest first). Runs of a draft outside
// the experiment belong to another comparison and are left out.
import type { SpeculationRow } from "../../shared/domain/experiment.js";
import type { ModelRecord } from "../../shared/domain/model.js";
import type { Metric } from "../../shared/domain/run.js";
import { listRuns } from "../store/runs.js";
import type { Db } from "../store/Store.js";

function repeated(metrics: readonly Metric[], name: string): SpeculationRow["speedup"] | null {
  const m = metrics.find((x) => x.name === name);
  return m ? { mean: m.value, stddev: m.stddev, samples: m.samples ?? 1 } : null;
}

const valueOf = (metrics: readonly Metric[], name: string): number | null =>
  metrics.find((m) => m.name === name)?.value ?? null;

export function speculationRows(
  db: Db,
  members: readonly { model: ModelRecord; label: string }[],
): SpeculationRow[] {
  const byId = new Map(members.map((m) => [m.model.id, m]));
  const rows: SpeculationRow[] = [];
  for (const target of members) {
    const seen = new Set<string>();
    for (const run of listRuns(db, { modelId: target.model.id, kind: "speculate", limit: 500 })) {
      const settings = run.settings as { draftModelId?: string; draftMax?: number };
      const draft = settings.draftModelId ? byId.get(settings.draftModelId) : undefined;
      if (!draft || seen.has(draft.model.id)) continue;
      const speedup = repeated(run.metrics, "speedup");
      const alone = repeated(run.metrics, "target_tokens_per_second");
      const withDraft = repeated(run.metrics, "spec_tokens_per_second");
      if (!speedup || !alone || !withDraft) continue;
      seen.add(draft.model.id);
      const memory = (run.details as { memory?: { targetBytes: number; draftBytes: number } } | null)?.memory;
      rows.push({
        runId: run.id,
        targetModelId: target.model.id,
        targetLabel: target.label,
        draftModelId: draft.model.id,
        draftLabel: draft.label,
        targetSizeBytes: target.model.sizeBytes,
        draftSizeBytes: draft.model.sizeBytes,
        draftMax: settings.draftMax ?? 0,
        acceptanceRate: valueOf(run.metrics, "acceptance_rate"),
        meanAcceptedLength: valueOf(run.metrics, "mean_accepted_length"),
        speedup,
        targetTokensPerSecond: alone,
        speculativeTokensPerSecond: withDraft,
        combinedMemoryBytes: memory ? memory.targetBytes + memory.draftBytes : null,
      });
    }
  }
  return rows;
}
