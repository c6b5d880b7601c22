// History's view of a sweep's chain: original → pruned → healed, each stage's model and the quant
// variants made from it, with the state of each step (running, succeeded, failed, reused, ...).
import type { ExperimentSummary } from "../../../shared/domain/experiment.js";
import { Card } from "../../components/Card.js";
import { LineageChain } from "../../components/LineageChain.js";
import { useJobs } from "../../hooks/useJobs.js";
import { chainColumns, type ChainItem } from "./chainStages.js";

const stageTitle = { original: "Original", pruned: "Pruned", healed: "Healed (distilled from the original)" };

const stateTone: Record<string, string> = {
  succeeded: "text-emerald-700",
  reused: "text-emerald-700",
  original: "text-zinc-500",
  running: "text-indigo-700",
  queued: "text-zinc-500",
  failed: "text-red-700",
  interrupted: "text-amber-700",
  cancelled: "text-zinc-500",
  "not made": "text-zinc-400",
};

function Item({ item, strong }: { item: ChainItem; strong?: boolean }) {
  return (
    <li className="flex items-baseline justify-between gap-3" data-testid="chain-item">
      <span className={strong ? "font-medium text-zinc-900" : "text-zinc-700"}>{item.label}</span>
      <span className={`text-xs ${stateTone[item.state] ?? "text-zinc-500"}`}>{item.state}</span>
    </li>
  );
}

/**
 * Nothing for an experiment without a chain. The last stage's own lineage (pruning recipe, teacher,
 * data, loss) is shown once here; each quant variant adds only its quantization to it.
 */
export function ChainLineagePanel({ summary }: { summary: ExperimentSummary }) {
  const { jobs, loading } = useJobs(1000);
  const columns = chainColumns(summary, jobs);
  if (!columns) return null;
  // Until the job list arrives every step would read "reused" (no job seen for it).
  if (loading && jobs.length === 0)
    return (
      <Card title="Chain">
        <p className="px-4 py-3 text-sm text-zinc-500">Reading the experiment's steps…</p>
      </Card>
    );
  // The last stage's model, or (reused from before, no job to name it) its first quant variant.
  const last = columns.at(-1)!;
  const lastStageModel = last.model.modelId ?? last.quants.find((q) => q.modelId)?.modelId;
  return (
    <Card title="Chain">
      <div className="grid gap-4 px-4 py-3 md:grid-cols-3" data-testid="chain-lineage">
        {columns.map((column, index) => (
          <section key={column.stage} className="min-w-0">
            <h3 className="mb-1.5 text-xs font-semibold uppercase tracking-wide text-zinc-500">
              {index > 0 && <span aria-hidden="true">→ </span>}
              {stageTitle[column.stage]}
            </h3>
            <ul className="space-y-1 text-sm">
              <Item item={column.model} strong />
              {column.quants.map((quant) => (
                <Item key={quant.label} item={quant} />
              ))}
            </ul>
          </section>
        ))}
      </div>
      {lastStageModel && (
        <div className="border-t border-zinc-100 px-4 py-3">
          <h3 className="mb-1.5 text-xs font-semibold uppercase tracking-wide text-zinc-500">
            How the {last.stage} model was made
          </h3>
          <LineageChain modelId={lastStageModel} />
        </div>
      )}
    </Card>
  );
}
