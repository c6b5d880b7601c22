// What healing bought, on Compare: for a sweep with a prune → distill chain, at each quant level
// (the unquantized models first) the KL divergence and perplexity against the original base of the
// unhealed pruned variant and the healed one, with 95 % intervals, the original's own variant for
// reference, and whether the difference is beyond the noise (shared/metrics/healingGain.ts).
import type { ExperimentRow } from "../../../shared/domain/experiment.js";
import {
  formatInterval,
  healingLevels,
  healingVerdictWords,
  originalKld,
  type HealingComparison,
  type HealingLevel,
} from "../../../shared/metrics/healingGain.js";
import { Card } from "../../components/Card.js";

const verdictTone: Record<HealingComparison["verdict"], string> = {
  lower: "text-emerald-700",
  higher: "text-red-700",
  same: "text-zinc-500",
  unknown: "text-zinc-400",
};

function Figures({ comparison, digits }: { comparison: HealingComparison | null; digits: number }) {
  if (!comparison)
    return (
      <>
        <td className="px-3 py-2 text-right text-zinc-400">—</td>
        <td className="px-3 py-2 text-right text-zinc-400">—</td>
        <td className="px-3 py-2 text-zinc-400">not measured</td>
      </>
    );
  return (
    <>
      <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">
        {formatInterval(comparison.pruned, digits)}
      </td>
      <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">
        {formatInterval(comparison.healed, digits)}
      </td>
      <td className={`whitespace-nowrap px-3 py-2 ${verdictTone[comparison.verdict]}`} data-testid="verdict">
        {healingVerdictWords(comparison)}
      </td>
    </>
  );
}

function original(level: HealingLevel): string {
  const kld = originalKld(level);
  return kld ? formatInterval(kld, 4) : "—";
}

/** Nothing when the experiment healed nothing. */
export function HealingPanel({ rows }: { rows: readonly ExperimentRow[] }) {
  const levels = healingLevels(rows);
  if (levels.length === 0) return null;
  return (
    <Card title="What healing bought">
      <div className="overflow-x-auto">
        <table className="w-full text-[13px]" data-testid="healing-panel">
          <thead className="border-b border-zinc-200 bg-zinc-50/60 text-left text-xs text-zinc-500">
            <tr>
              <th className="px-4 py-2 font-medium">Quant level</th>
              <th className="px-3 py-2 text-right font-medium">KLD original</th>
              <th className="px-3 py-2 text-right font-medium">KLD pruned</th>
              <th className="px-3 py-2 text-right font-medium">KLD healed</th>
              <th className="px-3 py-2 font-medium">KLD: healing</th>
              <th className="px-3 py-2 text-right font-medium">PPL pruned</th>
              <th className="px-3 py-2 text-right font-medium">PPL healed</th>
              <th className="px-3 py-2 font-medium">PPL: healing</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100">
            {levels.map((level) => (
              <tr
                key={level.quantType ?? "unquantized"}
                data-testid="healing-level"
                data-quant={level.quantType ?? ""}
              >
                <td className="whitespace-nowrap px-4 py-2 font-medium text-zinc-900">
                  {level.quantType ?? "unquantized"}
                  <span className="block text-xs font-normal text-zinc-500">
                    {level.pruned.label} → {level.healed.label}
                  </span>
                </td>
                <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums text-zinc-500">
                  {original(level)}
                </td>
                <Figures comparison={level.kld} digits={4} />
                <Figures comparison={level.ppl} digits={2} />
              </tr>
            ))}
          </tbody>
        </table>
        <p className="border-t border-zinc-200 px-4 py-2 text-xs text-zinc-500">
          KL divergence and perplexity against the original base on the evaluation text, ± the 95 % interval.
          Healing counts only when pruned and healed differ by more than 1.96 standard errors of their
          difference (two-sided, 5 %); otherwise it is within the noise.
        </p>
      </div>
    </Card>
  );
}
