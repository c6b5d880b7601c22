// Every tensor in file order, filterable by name or type.
import { useDeferredValue, useMemo, useState } from "react";
import type { TensorInfo } from "../../../shared/domain/model.js";
import { formatBytes, formatInteger, formatShape } from "../../../shared/format.js";

export function TensorTable({ tensors }: { tensors: readonly TensorInfo[] }) {
  const [filter, setFilter] = useState("");
  const deferred = useDeferredValue(filter.trim().toLowerCase());
  const shown = useMemo(
    () =>
      deferred === ""
        ? tensors
        : tensors.filter(
            (tensor) =>
              tensor.name.toLowerCase().includes(deferred) || tensor.type.toLowerCase() === deferred,
          ),
    [tensors, deferred],
  );
  return (
    <div>
      <div className="flex items-center justify-between gap-3 border-b border-zinc-200 px-4 py-2">
        <input
          type="search"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
          placeholder="Filter by name or type (e.g. attn_q, Q4_K)"
          aria-label="Filter tensors"
          className="w-96 rounded-md border-0 px-2.5 py-1 text-sm ring-1 ring-inset ring-zinc-300 placeholder:text-zinc-400 focus:ring-2 focus:ring-indigo-500 focus:outline-none"
        />
        <span className="text-xs tabular-nums text-zinc-500">
          {shown.length === tensors.length
            ? `${formatInteger(tensors.length)} tensors`
            : `${formatInteger(shown.length)} of ${formatInteger(tensors.length)} tensors`}
        </span>
      </div>
      <div className="max-h-[40rem] overflow-auto">
        <table className="w-full text-sm" data-testid="tensor-table">
          <thead className="sticky top-0 border-b border-zinc-200 bg-white text-left text-xs text-zinc-500">
            <tr>
              <th className="px-4 py-2 font-medium">Name</th>
              <th className="px-3 py-2 font-medium">Type</th>
              <th className="px-3 py-2 text-right font-medium">Shape</th>
              <th className="px-3 py-2 text-right font-medium">Elements</th>
              <th className="px-4 py-2 text-right font-medium">Size</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100">
            {shown.map((tensor) => (
              <tr key={tensor.name} data-testid="tensor-row" className="hover:bg-zinc-50">
                <td className="px-4 py-1.5 font-mono text-xs text-zinc-800">{tensor.name}</td>
                <td className="px-3 py-1.5">
                  <span className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs text-zinc-700">
                    {tensor.type}
                  </span>
                </td>
                <td className="px-3 py-1.5 text-right font-mono text-xs tabular-nums text-zinc-700">
                  {formatShape(tensor.shape)}
                </td>
                <td className="px-3 py-1.5 text-right tabular-nums text-zinc-700">
                  {formatInteger(tensor.shape.reduce((product, dim) => product * dim, 1))}
                </td>
                <td className="px-4 py-1.5 text-right tabular-nums text-zinc-700">
                  {formatBytes(tensor.bytes)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
