// The library as a sortable table, each variant under the model it was made from; a row opens the
// model's detail view.
import { modelLabel } from "../../../shared/modelLabel.js";
import { groupByLineage } from "../../../shared/modelLineage.js";
import { useMemo, useState } from "react";
import type { ModelSummary } from "../../../shared/domain/model.js";
import {
  formatBitsPerWeight,
  formatBytes,
  formatDateTime,
  formatFileType,
  formatParams,
} from "../../../shared/format.js";
import { navigate, routeHref } from "../../routing/useHashRoute.js";

type SortKey = "name" | "architecture" | "parameters" | "size" | "fileType" | "bitsPerWeight" | "imported";

interface Column {
  readonly key: SortKey;
  readonly label: string;
  readonly numeric: boolean;
  readonly value: (model: ModelSummary) => string | number | null;
}

const columns: readonly Column[] = [
  { key: "name", label: "Name", numeric: false, value: (m) => modelLabel(m).toLowerCase() },
  { key: "architecture", label: "Architecture", numeric: false, value: (m) => m.metadata.architecture },
  { key: "parameters", label: "Parameters", numeric: true, value: (m) => m.metadata.parameterCount },
  { key: "size", label: "Size", numeric: true, value: (m) => m.sizeBytes },
  { key: "fileType", label: "File type", numeric: false, value: (m) => m.metadata.fileType },
  { key: "bitsPerWeight", label: "Bits/weight", numeric: true, value: (m) => m.metadata.bitsPerWeight },
  { key: "imported", label: "Imported", numeric: true, value: (m) => m.importedAt },
];

export function ModelTable({ models }: { models: readonly ModelSummary[] }) {
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({
    key: "imported",
    descending: true,
  });

  const sorted = useMemo(() => {
    const column = columns.find((candidate) => candidate.key === sort.key)!;
    return groupByLineage(models, (a, b) => {
      const order = compare(column.value(a), column.value(b));
      return sort.descending ? -order : order;
    });
  }, [models, sort]);

  const toggle = (key: SortKey, numeric: boolean) =>
    setSort((current) =>
      current.key === key ? { key, descending: !current.descending } : { key, descending: numeric },
    );

  return (
    <table className="w-full text-sm" data-testid="model-table">
      <thead className="border-b border-zinc-200 text-xs text-zinc-500">
        <tr>
          {columns.map((column) => {
            const active = sort.key === column.key;
            return (
              <th
                key={column.key}
                aria-sort={active ? (sort.descending ? "descending" : "ascending") : "none"}
                className={`px-4 py-2 font-medium first:pl-4 ${column.numeric ? "text-right" : "text-left"}`}
              >
                <button
                  type="button"
                  onClick={() => toggle(column.key, column.numeric)}
                  className={`inline-flex items-center gap-1 hover:text-zinc-900 ${active ? "text-zinc-900" : ""}`}
                >
                  {column.numeric && <SortArrow active={active} descending={sort.descending} />}
                  {column.label}
                  {!column.numeric && <SortArrow active={active} descending={sort.descending} />}
                </button>
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody className="divide-y divide-zinc-100">
        {sorted.map(({ model, depth }) => (
          <tr
            key={model.id}
            data-testid="model-row"
            onClick={() => navigate("models", model.id)}
            className="cursor-pointer hover:bg-indigo-50/40"
          >
            <td className="max-w-[22rem] px-4 py-2.5" style={{ paddingLeft: `${1 + depth * 1.25}rem` }}>
              <a
                href={routeHref("models", model.id)}
                className="block truncate font-medium text-zinc-900 hover:text-indigo-600"
                onClick={(event) => event.stopPropagation()}
              >
                {modelLabel(model)}
              </a>
              <div className="truncate text-xs text-zinc-500" title={model.path}>
                {depth > 0 ? "↳ " : ""}
                {model.fileName}
              </div>
            </td>
            <td className="px-4 py-2.5 text-zinc-700">{model.metadata.architecture}</td>
            <td className="px-4 py-2.5 text-right tabular-nums text-zinc-700">
              {formatParams(model.metadata.parameterCount)}
            </td>
            <td className="px-4 py-2.5 text-right tabular-nums text-zinc-700">
              {formatBytes(model.sizeBytes)}
            </td>
            <td className="px-4 py-2.5">
              <span className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs text-zinc-700">
                {formatFileType(model.metadata.fileType)}
              </span>
            </td>
            <td className="px-4 py-2.5 text-right tabular-nums text-zinc-700">
              {formatBitsPerWeight(model.metadata.bitsPerWeight)}
            </td>
            <td className="px-4 py-2.5 text-right whitespace-nowrap tabular-nums text-zinc-600">
              {formatDateTime(model.importedAt)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Sits on the inner side of the label, so labels stay flush with their column's values. */
function SortArrow({ active, descending }: { active: boolean; descending: boolean }) {
  return (
    <span className={`text-[10px] ${active ? "opacity-100" : "opacity-0"}`} aria-hidden="true">
      {descending ? "▼" : "▲"}
    </span>
  );
}

function compare(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return 1; // missing values last
  if (b === null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}
