// Speculative decoding on Compare, for a sweep that ran some (docs/speculative.md): for a chosen
// target, its drafts ranked by speedup beyond noise with a chart of speedup against draft size, and
// "the best target+draft pair that fits N GB" — the fastest pair (speedup × the target's own speed)
// whose memory fits; its quality is its target's, as greedy speculative output is the target's own.
import { useMemo, useState } from "react";
import type { ExperimentRow, SpeculationRow } from "../../../shared/domain/experiment.js";
import { formatBytes, formatKld, formatWithSpread } from "../../../shared/format.js";
import {
  bestDraftColumns,
  bestDraftNote,
  bestDraftTable,
  bestPairWithinBudget,
  speculativeTargets,
  type PairMemoryBasis,
} from "../../../shared/metrics/bestDraft.js";
import { SpeedupChart } from "../../charts/SpeedupChart.js";
import { Card } from "../../components/Card.js";
import { Field, NumberInput, Select } from "../../components/Field.js";

const textColumn = 1;

function PairBudget({ runs, rows }: { runs: readonly SpeculationRow[]; rows: readonly ExperimentRow[] }) {
  const [maxGb, setMaxGb] = useState<number | null>(4);
  const [basis, setBasis] = useState<PairMemoryBasis>("measured");
  const answer = bestPairWithinBudget(runs, rows, { maxBytes: (maxGb ?? 0) * 1e9, basis });
  const best = answer.best;
  const tokensPerSecond = (v: number | null) => (v === null ? "—" : `${v.toFixed(1)} tok/s`);
  return (
    <div className="flex flex-wrap items-end gap-4 border-t border-zinc-200 px-4 py-3">
      <Field label="Pair fits in (GB)" className="w-32">
        <NumberInput
          aria-label="Pair memory limit in GB"
          min={0}
          step={0.5}
          value={maxGb}
          onValue={setMaxGb}
        />
      </Field>
      <Field label="Measured as" className="w-52">
        <Select
          aria-label="Pair memory basis"
          value={basis}
          onChange={(event) => setBasis(event.target.value as PairMemoryBasis)}
        >
          <option value="measured">memory of both models</option>
          <option value="fileSize">both files</option>
        </Select>
      </Field>
      <div
        className="min-w-64 flex-1 pb-0.5 text-sm"
        data-testid="pair-answer"
        data-best={best ? `${best.run.targetLabel}+${best.run.draftLabel}` : ""}
      >
        {best ? (
          <div className="rounded-md bg-emerald-50 px-3 py-2 text-emerald-900 ring-1 ring-inset ring-emerald-200">
            <span className="font-semibold">
              {best.run.targetLabel} with {best.run.draftLabel} as draft
            </span>{" "}
            — {formatBytes(best.memoryBytes)},{" "}
            {formatWithSpread(tokensPerSecond, best.tokensPerSecond.mean, best.tokensPerSecond.stddev)}, KLD{" "}
            {formatKld(best.kld)} (the target&apos;s)
            <span className="text-emerald-700">
              {" "}
              · fastest of {answer.fitting} pair{answer.fitting === 1 ? "" : "s"} that fit
              {answer.tied.length > 0
                ? `; within noise of ${answer.tied.map((r) => `${r.targetLabel}+${r.draftLabel}`).join(", ")}`
                : ""}
            </span>
          </div>
        ) : (
          <div className="rounded-md bg-zinc-50 px-3 py-2 text-zinc-600 ring-1 ring-inset ring-zinc-200">
            {answer.reason}
          </div>
        )}
      </div>
    </div>
  );
}

/** Nothing when the experiment has no speculative runs. */
export function BestDraftPanel({
  runs,
  rows,
}: {
  runs: readonly SpeculationRow[];
  rows: readonly ExperimentRow[];
}) {
  const targets = speculativeTargets(runs);
  const [chosen, setChosen] = useState<string | null>(null);
  const targetId = targets.find((t) => t.modelId === chosen)?.modelId ?? targets[0]?.modelId;
  const table = useMemo(() => (targetId ? bestDraftTable(runs, targetId) : []), [runs, targetId]);
  if (!targetId) return null;
  return (
    <Card
      title="Speculative decoding: best draft"
      actions={
        <Field label="Target" className="w-56">
          <Select
            aria-label="Speculative target"
            value={targetId}
            onChange={(e) => setChosen(e.target.value)}
          >
            {targets.map((t) => (
              <option key={t.modelId} value={t.modelId}>
                {t.label} ({t.drafts} draft{t.drafts === 1 ? "" : "s"})
              </option>
            ))}
          </Select>
        </Field>
      }
    >
      <div className="grid 2xl:grid-cols-2">
        <div className="overflow-x-auto">
          <table className="w-full text-[13px]" data-testid="best-draft-table">
            <thead className="border-b border-zinc-200 bg-zinc-50/60 text-left text-xs text-zinc-500">
              <tr>
                {bestDraftColumns.map((c, i) => (
                  <th
                    key={c.label}
                    className={`px-3 py-2 font-medium ${i === textColumn ? "" : "text-right"}`}
                  >
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {table.map((row) => (
                <tr
                  key={row.run.runId}
                  data-testid="best-draft-row"
                  data-draft={row.run.draftLabel}
                  data-rank={row.rank}
                  className={row.best ? "bg-emerald-50/60" : ""}
                >
                  {bestDraftColumns.map((c, i) => (
                    <td
                      key={c.label}
                      className={`whitespace-nowrap px-3 py-2 ${i === textColumn ? "font-medium text-zinc-900" : "text-right tabular-nums"}`}
                    >
                      {c.format(row)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <p className="px-4 py-2 text-xs text-zinc-500">{bestDraftNote}</p>
        </div>
        <SpeedupChart rows={table} />
      </div>
      <PairBudget runs={runs} rows={rows} />
    </Card>
  );
}
