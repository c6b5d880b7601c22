// Count, bytes, share and effective bits/weight per ggml type.
import type { TensorInfo } from "../../../shared/domain/model.js";
import { formatBytes, formatInteger, formatPercent } from "../../../shared/format.js";
import { tensorTypeTotals } from "./tensorTypeTotals.js";

export function TensorTypeSummary({ tensors }: { tensors: readonly TensorInfo[] }) {
  const totals = tensorTypeTotals(tensors);
  const allBytes = totals.reduce((sum, total) => sum + total.bytes, 0);
  return (
    <table className="w-full text-sm" data-testid="tensor-type-summary">
      <thead className="border-b border-zinc-200 text-left text-xs text-zinc-500">
        <tr>
          <th className="px-4 py-2 font-medium">Type</th>
          <th className="px-3 py-2 text-right font-medium">Tensors</th>
          <th className="px-3 py-2 text-right font-medium">Size</th>
          <th className="px-3 py-2 text-right font-medium">Bits/weight</th>
          <th className="w-[35%] px-4 py-2 font-medium">Share of bytes</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-zinc-100">
        {totals.map((total) => {
          const share = allBytes > 0 ? total.bytes / allBytes : 0;
          return (
            <tr key={total.type}>
              <td className="px-4 py-2">
                <span className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs text-zinc-800">
                  {total.type}
                </span>
              </td>
              <td className="px-3 py-2 text-right tabular-nums">{formatInteger(total.count)}</td>
              <td className="px-3 py-2 text-right tabular-nums">{formatBytes(total.bytes)}</td>
              <td className="px-3 py-2 text-right tabular-nums">
                {total.elements > 0 ? ((total.bytes * 8) / total.elements).toFixed(2) : "—"}
              </td>
              <td className="px-4 py-2">
                <div className="flex items-center gap-2">
                  <div className="h-1.5 flex-1 overflow-hidden rounded-full bg-zinc-100">
                    <div className="h-full rounded-full bg-indigo-500" style={{ width: `${share * 100}%` }} />
                  </div>
                  <span className="w-14 text-right text-xs tabular-nums text-zinc-600">
                    {formatPercent(share)}
                  </span>
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
