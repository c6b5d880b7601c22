// "Will it fit" as a coloured pill: the part of the estimate one memory holds (shared/metrics/fit.ts)
// against the RAM or the VRAM.
import type { FitVerdict, MemoryPart } from "../../shared/metrics/fit.js";
import { formatBytes, formatPercent } from "../../shared/format.js";

/** Each fit level's words and colours, shared by every place that shows one. */
export const fitLook = {
  fits: { text: "fits", style: "bg-emerald-50 text-emerald-700 ring-emerald-200" },
  tight: { text: "tight", style: "bg-amber-50 text-amber-800 ring-amber-200" },
  no: { text: "won't fit", style: "bg-red-50 text-red-700 ring-red-200" },
} as const;

export function FitBadge({
  verdict,
  part,
  memory,
  availableBytes,
  holds,
  guessed,
}: {
  verdict: FitVerdict;
  part: MemoryPart;
  memory: "RAM" | "VRAM";
  availableBytes: number;
  /** What this memory holds, e.g. "12 of 32 layers". */
  holds: string;
  guessed: readonly string[];
}) {
  const { text, style } = fitLook[verdict.level];
  const pieces = [
    `weights ${formatBytes(part.weightsBytes)}`,
    `KV cache ${formatBytes(part.kvCacheBytes)}`,
    part.computeBytes > 0 ? `compute ${formatBytes(part.computeBytes)}` : null,
    part.overheadBytes > 0 ? `overhead ${formatBytes(part.overheadBytes)}` : null,
  ].filter((piece): piece is string => piece !== null);
  const detail =
    `${holds}: needs about ${formatBytes(part.totalBytes)} of ${formatBytes(availableBytes)} ${memory} (${formatPercent(verdict.share, 0)}): ` +
    pieces.join(", ") +
    (guessed.length > 0 ? `; guessed: ${guessed.join(", ")}` : "");
  return (
    <span
      className={`inline-flex items-center gap-1 whitespace-nowrap rounded-md px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset ${style}`}
      title={detail}
      data-testid="fit-badge"
      data-memory={memory}
      data-level={verdict.level}
    >
      {memory} {text}
    </span>
  );
}
