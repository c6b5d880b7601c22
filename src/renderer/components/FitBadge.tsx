// "Will it fit" as a coloured pill: the estimate (shared/metrics/fit.ts) against RAM or VRAM.
import type { FitVerdict, MemoryEstimate } from "../../shared/metrics/fit.js";
import { formatBytes, formatPercent } from "../../shared/format.js";

const look = {
  fits: { text: "fits", style: "bg-emerald-50 text-emerald-700 ring-emerald-200" },
  tight: { text: "tight", style: "bg-amber-50 text-amber-800 ring-amber-200" },
  no: { text: "won't fit", style: "bg-red-50 text-red-700 ring-red-200" },
} as const;

export function FitBadge({
  verdict,
  estimate,
  memory,
  availableBytes,
}: {
  verdict: FitVerdict;
  estimate: MemoryEstimate;
  memory: "RAM" | "VRAM";
  availableBytes: number;
}) {
  const { text, style } = look[verdict.level];
  const detail =
    `needs about ${formatBytes(estimate.totalBytes)} of ${formatBytes(availableBytes)} ${memory} (${formatPercent(verdict.share, 0)}): ` +
    `weights ${formatBytes(estimate.modelBytes)}, KV cache ${formatBytes(estimate.kvCacheBytes)}, compute ${formatBytes(estimate.computeBytes)}, overhead ${formatBytes(estimate.overheadBytes)}` +
    (estimate.guessed.length > 0 ? `; guessed: ${estimate.guessed.join(", ")}` : "");
  return (
    <span
      className={`inline-flex items-center gap-1 whitespace-nowrap rounded-md px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset ${style}`}
      title={detail}
      data-testid="fit-badge"
      data-level={verdict.level}
    >
      {memory} {text}
    </span>
  );
}
