// Predicted sizes before anything is written: one dry-run "quantize" job per chosen type (llama.cpp
// plans every tensor's type and size without converting), shown as size and bits per weight.
import { useState } from "react";
import type { QuantizeJobResult } from "../../../shared/domain/compression.js";
import type { ModelSummary } from "../../../shared/domain/model.js";
import { formatBitsPerWeight, formatBytes, formatPercent } from "../../../shared/format.js";
import { Button } from "../../components/Button.js";
import { JobStatus } from "../../components/JobStatus.js";
import { Notice } from "../../components/Notice.js";
import { useClient } from "../../client/ClientContext.js";
import { useWatchedJobs } from "../../hooks/useWatchedJobs.js";
import { dryRunParams, type RecipeForm } from "./recipeForm.js";
import { errorText, thrownErrorWords } from "../../errorWords.js";

const MiB = 1024 * 1024;

export function DryRunPanel({ model, form }: { model: ModelSummary; form: RecipeForm }) {
  const client = useClient();
  const watched = useWatchedJobs();
  const [runs, setRuns] = useState<{ type: string; jobId: string }[]>([]);
  const [error, setError] = useState<string>();

  const start = async () => {
    setError(undefined);
    setRuns([]);
    try {
      const started: { type: string; jobId: string }[] = [];
      for (const type of form.types) {
        const job = await client.call("jobs.start", {
          kind: "quantize",
          params: dryRunParams(model, type, form),
        });
        watched.watch(job);
        started.push({ type, jobId: job.id });
        setRuns([...started]);
      }
    } catch (reason) {
      setError(`Dry run failed: ${errorText(thrownErrorWords(reason))}`);
    }
  };

  return (
    <div className="space-y-3 px-4 py-3">
      <div className="flex items-center gap-3">
        <Button onClick={() => void start()} disabled={form.types.length === 0}>
          Predict sizes (dry run)
        </Button>
        <span className="text-xs text-zinc-500">Nothing is written; takes seconds per type.</span>
      </div>
      {error && <Notice tone="error">{error}</Notice>}
      {runs.length > 0 && (
        <table className="w-full text-sm" data-testid="dry-run-table">
          <thead className="border-b border-zinc-200 text-left text-xs text-zinc-500">
            <tr>
              <th className="py-1.5 pr-3 font-medium">Type</th>
              <th className="px-3 py-1.5 text-right font-medium">Predicted size</th>
              <th className="px-3 py-1.5 text-right font-medium">Bits/weight</th>
              <th className="px-3 py-1.5 text-right font-medium">Of the original</th>
              <th className="w-[40%] px-3 py-1.5 font-medium">Status</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100">
            {runs.map((run) => {
              const job = watched.get(run.jobId);
              const result = job?.state === "succeeded" ? (job.result as QuantizeJobResult) : null;
              const report = result?.report;
              return (
                <tr key={run.jobId} data-testid="dry-run-row" data-type={run.type} data-state={job?.state}>
                  <td className="py-1.5 pr-3 font-mono text-xs font-medium text-zinc-900">{run.type}</td>
                  <td className="px-3 py-1.5 text-right tabular-nums text-zinc-800">
                    {report ? formatBytes(report.quantizedMiB * MiB) : "—"}
                  </td>
                  <td className="px-3 py-1.5 text-right tabular-nums text-zinc-700">
                    {report ? formatBitsPerWeight(report.quantizedBpw) : "—"}
                  </td>
                  <td className="px-3 py-1.5 text-right tabular-nums text-zinc-700">
                    {report ? formatPercent(report.quantizedMiB / report.originalMiB) : "—"}
                  </td>
                  <td className="px-3 py-1.5">
                    {job && job.state !== "succeeded" ? (
                      <JobStatus job={job} />
                    ) : job ? (
                      <span className="text-xs text-emerald-700">predicted</span>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
