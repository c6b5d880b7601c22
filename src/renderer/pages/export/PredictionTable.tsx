// Each variant on the chosen device, as predicted (never measured): whether it fits the memory one
// app may use, with the margin and which parts of the figure are estimates, and generation speed as
// a range. One row is chosen for export.
import type { DevicePredictionTable, VariantPrediction } from "../../../shared/domain/devicePrediction.js";
import { formatBytes, formatPercent, formatTokensPerSecond } from "../../../shared/format.js";
import { fitLook } from "../../components/FitBadge.js";

const efficiencyWords = {
  device: "results measured on this device",
  "this-machine": "this machine's benchmarks, widened for another device",
  default: "a default range (nothing measured yet)",
} as const;

function predictedRange(row: VariantPrediction): string {
  const { lowTokensPerSecond, highTokensPerSecond } = row.generation;
  return `${formatTokensPerSecond(lowTokensPerSecond)} – ${formatTokensPerSecond(highTokensPerSecond)}`;
}

export function PredictionTable({
  table,
  chosenId,
  onChoose,
}: {
  table: DevicePredictionTable;
  chosenId: string | undefined;
  onChoose: (modelId: string) => void;
}) {
  const { efficiency } = table;
  return (
    <div className="space-y-2">
      <table className="w-full text-sm" data-testid="export-predictions">
        <thead className="border-b border-zinc-200 text-left text-xs text-zinc-500">
          <tr>
            <th className="py-1.5 pr-3 font-medium">Export</th>
            <th className="px-3 py-1.5 font-medium">Variant</th>
            <th className="px-3 py-1.5 text-right font-medium">File</th>
            <th className="px-3 py-1.5 font-medium">Fit at {table.contextSize} tokens</th>
            <th className="px-3 py-1.5 text-right font-medium">Margin</th>
            <th className="px-3 py-1.5 text-right font-medium">Generation (predicted)</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100">
          {table.rows.map((row) => {
            const look = fitLook[row.fit];
            return (
              <tr
                key={row.path}
                data-testid="export-prediction-row"
                data-model={row.modelId ?? ""}
                data-fit={row.fit}
              >
                <td className="py-1.5 pr-3">
                  {row.modelId && (
                    <input
                      type="radio"
                      name="export-variant"
                      aria-label={`Export ${row.label}`}
                      checked={chosenId === row.modelId}
                      onChange={() => onChoose(row.modelId!)}
                      className="size-4 accent-indigo-600"
                    />
                  )}
                </td>
                <td className="px-3 py-1.5 font-mono text-xs text-zinc-900">{row.label}</td>
                <td className="px-3 py-1.5 text-right tabular-nums text-zinc-700">
                  {formatBytes(row.fileBytes)}
                </td>
                <td className="px-3 py-1.5">
                  <span
                    className={`rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${look.style}`}
                    title={`Estimated: ${row.estimated.join(", ")}`}
                  >
                    {look.text}
                  </span>{" "}
                  <span className="text-xs text-zinc-500">
                    {formatBytes(row.memory.totalBytes)} of {formatBytes(row.usableBytes)}; estimated:{" "}
                    {row.estimated.join(", ")}
                  </span>
                </td>
                <td
                  className={`whitespace-nowrap px-3 py-1.5 text-right tabular-nums ${row.marginBytes < 0 ? "text-red-700" : "text-zinc-700"}`}
                  data-testid="export-margin"
                >
                  {formatBytes(row.marginBytes)}
                </td>
                <td
                  className="px-3 py-1.5 text-right tabular-nums text-zinc-800"
                  data-testid="export-predicted-speed"
                >
                  {predictedRange(row)} <span className="text-xs text-zinc-500">predicted</span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="text-xs text-zinc-500">
        Predicted from the device's memory bandwidth ({formatBytes(table.bandwidthBytesPerSecond)}/s) at an
        efficiency of {formatPercent(efficiency.low, 0)} to {formatPercent(efficiency.high, 0)}, from{" "}
        {efficiencyWords[efficiency.basis]}
        {efficiency.samples > 0 ? ` (${efficiency.samples} samples)` : ""}. The low end is at a full context,
        the high end at an empty one. Measure on the device to replace it.
      </p>
    </div>
  );
}
