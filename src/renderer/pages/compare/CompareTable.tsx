// Every metric of every variant: sortable by any column, filterable, with units in the header, speed
// and memory ± their spread, the best value of each column marked only when it is best beyond noise
// (values within noise of the leader carry "≈"), benchmarks that saw interference flagged, one of
// the two generation speeds hideable, and rows linked to the charts through the selection.
import { useEffect, useMemo, useRef, useState } from "react";
import type { ExperimentRow } from "../../../shared/domain/experiment.js";
import { Checkbox, Select, TextInput } from "../../components/Field.js";
import { compareColumns } from "../../../shared/metrics/experimentColumns.js";
import { columnStanding } from "../../../shared/metrics/bestBeyondNoise.js";
import { bestByColumn, filterRows, sortRows, type RowFilter, type RowSort } from "./compareRows.js";
import { LineageDisclosure } from "../../components/LineageDisclosure.js";
import { SpeedViewChoice, shownSpeedColumns, useSpeedView } from "./SpeedViewChoice.js";

export function CompareTable({
  rows,
  selected,
  onToggle,
  focused,
}: {
  rows: readonly ExperimentRow[];
  selected: ReadonlySet<string>;
  onToggle: (modelId: string) => void;
  /** The row last picked in a chart: scrolled into view. */
  focused: string | null;
}) {
  const [sort, setSort] = useState<RowSort>({ key: "size", descending: true });
  const [filter, setFilter] = useState<RowFilter>({ text: "", front: null, measuredOnly: false });
  const visible = useMemo(() => sortRows(filterRows(rows, filter), sort), [rows, filter, sort]);
  const best = useMemo(() => bestByColumn(rows), [rows]);
  const [speedView, setSpeedView] = useSpeedView();
  const columns = useMemo(() => shownSpeedColumns(compareColumns, speedView), [speedView]);
  // Column key → the labels of the rows within noise of that column's leader.
  const tied = useMemo(() => {
    const map = new Map<string, { leader: string; ids: Set<string> }>();
    for (const column of compareColumns) {
      const standing = column.measured ? columnStanding(rows, column) : null;
      if (standing && standing.tied.length > 0)
        map.set(column.key, {
          leader: standing.leader.label,
          ids: new Set([standing.leader, ...standing.tied].map((r) => r.modelId)),
        });
    }
    return map;
  }, [rows]);
  const body = useRef<HTMLTableSectionElement>(null);

  useEffect(() => {
    if (!focused) return;
    body.current
      ?.querySelector(`[data-model-id="${CSS.escape(focused)}"]`)
      ?.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }, [focused]);

  return (
    <div>
      <div className="flex flex-wrap items-center gap-3 border-b border-zinc-200 px-4 py-2.5">
        <TextInput
          aria-label="Filter variants"
          placeholder="Filter by name or type"
          value={filter.text}
          onChange={(event) => setFilter({ ...filter, text: event.target.value })}
          className="w-56"
        />
        <Select
          aria-label="Pareto front filter"
          value={filter.front ?? ""}
          onChange={(event) =>
            setFilter({ ...filter, front: (event.target.value || null) as RowFilter["front"] })
          }
          className="w-60"
        >
          <option value="">All variants</option>
          <option value="sizeVsKld">On the size–KLD front</option>
          <option value="speedVsKld">On the speed–KLD front</option>
          <option value="memoryVsKld">On the memory–KLD front</option>
        </Select>
        <Checkbox
          label="Fully measured only"
          checked={filter.measuredOnly}
          onChange={(measuredOnly) => setFilter({ ...filter, measuredOnly })}
        />
        <SpeedViewChoice value={speedView} onChange={setSpeedView} />
        <span className="ml-auto text-xs text-zinc-500">
          {visible.length} of {rows.length} · click a row to select it for the charts and side-by-side
          generation
        </span>
      </div>
      <div className="overflow-x-auto">
        <table className="w-full text-[13px]" data-testid="compare-table">
          <thead className="border-b border-zinc-200 bg-zinc-50/60 text-xs text-zinc-500">
            <tr>
              <th className="w-8 px-3 py-2" />
              {columns.map((column) => {
                const active = sort.key === column.key;
                const numeric = column.better !== null;
                return (
                  <th
                    key={column.key}
                    aria-sort={active ? (sort.descending ? "descending" : "ascending") : "none"}
                    title={column.title}
                    className={`whitespace-nowrap px-2 py-2 align-bottom font-medium ${numeric ? "text-right" : "text-left"}`}
                  >
                    <button
                      type="button"
                      onClick={() =>
                        setSort((current) =>
                          current.key === column.key
                            ? { key: column.key, descending: !current.descending }
                            : { key: column.key, descending: false },
                        )
                      }
                      className={`inline-flex flex-col hover:text-zinc-900 ${numeric ? "items-end" : "items-start"} ${active ? "text-zinc-900" : ""}`}
                    >
                      <span>
                        {column.label}
                        <span className={`ml-1 text-[10px] ${active ? "" : "opacity-0"}`} aria-hidden="true">
                          {sort.descending ? "▼" : "▲"}
                        </span>
                      </span>
                      <span className="font-normal text-zinc-400">{column.shownUnit || "\u00a0"}</span>
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody ref={body} className="divide-y divide-zinc-100">
            {visible.map((row) => {
              const isSelected = selected.has(row.modelId);
              return (
                <tr
                  key={row.modelId}
                  data-testid="compare-row"
                  data-model-id={row.modelId}
                  data-label={row.label}
                  data-searched={row.searched === true}
                  aria-selected={isSelected}
                  onClick={() => onToggle(row.modelId)}
                  className={`cursor-pointer ${isSelected ? "bg-amber-50 outline-1 -outline-offset-1 outline-amber-300" : "hover:bg-zinc-50"}`}
                >
                  <td className="px-3 py-2">
                    <input
                      type="checkbox"
                      aria-label={`Select ${row.label}`}
                      checked={isSelected}
                      onChange={() => onToggle(row.modelId)}
                      onClick={(event) => event.stopPropagation()}
                      className="size-4 accent-amber-500"
                    />
                  </td>
                  {columns.map((column) =>
                    column.key === "label" ? (
                      <td key={column.key} className="whitespace-nowrap px-2 py-2">
                        <span className="font-medium text-zinc-900">{row.label}</span>
                        {row.isBase && (
                          <span className="ml-2 rounded bg-zinc-100 px-1.5 py-0.5 text-[10px] font-medium uppercase text-zinc-600">
                            base
                          </span>
                        )}
                        {row.searched && (
                          <span
                            className="ml-2 rounded bg-violet-50 px-1.5 py-0.5 text-[10px] font-medium uppercase text-violet-700"
                            title="A mix chosen by the search (Compress → Find the best mix), not a member of this sweep"
                          >
                            searched
                          </span>
                        )}
                        <FrontMarks row={row} />
                        {row.noise && row.noise.length > 0 && (
                          <span
                            data-testid="noisy-badge"
                            title={`Benchmark disturbed: ${row.noise.join("; ")}`}
                            className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-[10px] font-medium uppercase text-amber-800"
                          >
                            noisy
                          </span>
                        )}
                        {!row.isBase && <LineageDisclosure modelId={row.modelId} />}
                      </td>
                    ) : (
                      <td
                        key={column.key}
                        className={`whitespace-nowrap px-2 py-2 text-right tabular-nums ${best.get(column.key) === row.modelId ? "font-semibold text-emerald-700" : "text-zinc-700"}`}
                      >
                        {tied.get(column.key)?.ids.has(row.modelId) && (
                          <span
                            className="mr-1 text-zinc-400"
                            title={`Within noise of the leader (${tied.get(column.key)!.leader}): Welch's t-test, p ≥ 0.05`}
                          >
                            ≈
                          </span>
                        )}
                        {column.format(row)}
                      </td>
                    ),
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {visible.length === 0 && (
        <p className="px-4 py-6 text-center text-sm text-zinc-500">No variant matches the filter.</p>
      )}
    </div>
  );
}

/** Small dots for the fronts a row is on: S(ize), G(eneration speed), M(emory). */
function FrontMarks({ row }: { row: ExperimentRow }) {
  const marks = [
    { on: row.front.sizeVsKld, letter: "S", title: "on the size–KLD Pareto front" },
    { on: row.front.speedVsKld, letter: "G", title: "on the generation speed–KLD Pareto front" },
    { on: row.front.memoryVsKld, letter: "M", title: "on the peak memory–KLD Pareto front" },
  ].filter((mark) => mark.on);
  if (marks.length === 0) return null;
  return (
    <span className="ml-2 inline-flex gap-0.5 align-middle">
      {marks.map((mark) => (
        <span
          key={mark.letter}
          title={mark.title}
          className="grid size-4 place-items-center rounded-sm bg-indigo-100 text-[9px] font-bold text-indigo-700"
        >
          {mark.letter}
        </span>
      ))}
    </span>
  );
}
