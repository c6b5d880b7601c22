// `cwb layers MODEL --text FILE --view channels|heads`: per block, a summary of its FFN channels'
// importance (the spread, and how little the least important quarter carries) or each head's.
import type { ChannelsJobResult } from "../../../shared/domain/widthPruning.js";
import { formatDuration } from "../../../shared/format.js";
import { groupScores } from "../../../core/quantize/selectWidth.js";
import type { Output } from "../output.js";

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;
}

/** Share of the block's summed squared activation carried by its least important quarter of channels. */
export function lowestQuarterShare(ffn: readonly number[]): number {
  const energy = ffn.map((v) => v * v).sort((a, b) => a - b);
  const total = energy.reduce((a, b) => a + b, 0);
  const quarter = energy.slice(0, Math.floor(energy.length / 4)).reduce((a, b) => a + b, 0);
  return total > 0 ? quarter / total : 0;
}

export function printChannels(output: Output, r: ChannelsJobResult): void {
  output.table(r.layers, [
    { header: "BLOCK", value: (l) => String(l.layer), align: "right" },
    { header: "CHANNELS", value: (l) => String(l.ffn.length), align: "right" },
    { header: "MIN", value: (l) => Math.min(...l.ffn).toExponential(2), align: "right" },
    {
      header: "P25",
      value: (l) =>
        quantile(
          [...l.ffn].sort((a, b) => a - b),
          0.25,
        ).toExponential(2),
      align: "right",
    },
    {
      header: "MEDIAN",
      value: (l) =>
        quantile(
          [...l.ffn].sort((a, b) => a - b),
          0.5,
        ).toExponential(2),
      align: "right",
    },
    { header: "MAX", value: (l) => Math.max(...l.ffn).toExponential(2), align: "right" },
    {
      header: "LOWEST 25% CARRY",
      value: (l) => `${(lowestQuarterShare(l.ffn) * 100).toFixed(1)}%`,
      align: "right",
    },
  ]);
  printFooter(output, r, "channel score: RMS over tokens of the gated FFN state (ffn_down's input)");
}

export function printHeads(output: Output, r: ChannelsJobResult): void {
  output.table(r.layers, [
    { header: "BLOCK", value: (l) => String(l.layer), align: "right" },
    { header: "HEADS (mean |output|)", value: (l) => l.heads.map((h) => h.toFixed(3)).join(" ") },
    {
      header: "KV GROUPS",
      value: (l) =>
        groupScores(l.heads, r.headCountKv)
          .map((g) => g.toFixed(3))
          .join(" "),
    },
  ]);
  printFooter(output, r, "head score: mean over tokens of the L2 norm of the head's attention output");
}

function printFooter(output: Output, r: ChannelsJobResult, what: string): void {
  output.line();
  output.fields([
    ["score", what],
    ["heads / KV groups", `${r.headCount} / ${r.headCountKv}`],
    ["tokens", String(r.tokens)],
    ["time", formatDuration(r.seconds)],
  ]);
}
