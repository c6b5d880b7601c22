// History: every experiment, searchable; the selected one with its recipe, provenance, machine,
// notes and tags, and resume / cancel / re-run / compare / delete.
import { useState } from "react";
import { formatDateTime } from "../../../shared/format.js";
import { Card } from "../../components/Card.js";
import { TextInput } from "../../components/Field.js";
import { Notice } from "../../components/Notice.js";
import { PageHeader } from "../../components/PageHeader.js";
import { useCall } from "../../hooks/useCall.js";
import { navigate } from "../../routing/useHashRoute.js";
import { ExperimentDetail } from "./ExperimentDetail.js";
import { describeExperimentState, describeJobCounts } from "./recipeSummary.js";

export function HistoryPage({ experimentId }: { experimentId: string | undefined }) {
  const [search, setSearch] = useState("");
  const experiments = useCall("experiments.list", { search: search.trim() || undefined }, [
    "experiments.changed",
  ]);
  const [message, setMessage] = useState<string>();
  const list = experiments.data ?? [];
  const chosen = experimentId ?? list[0]?.id;

  return (
    <>
      <PageHeader title="History" subtitle="Every experiment with its recipe, provenance and notes." />
      <div className="space-y-4">
        {experiments.error && (
          <Notice tone="error">Could not list experiments: {experiments.error.message}</Notice>
        )}
        {message && (
          <Notice tone="success" onDismiss={() => setMessage(undefined)}>
            {message}
          </Notice>
        )}
        <div className="grid gap-4 lg:grid-cols-[22rem_minmax(0,1fr)]">
          <Card className="self-start">
            <div className="border-b border-zinc-200 p-3">
              <TextInput
                aria-label="Search experiments"
                placeholder="Search name, model or tag"
                value={search}
                onChange={(event) => setSearch(event.target.value)}
              />
            </div>
            {list.length === 0 ? (
              <p className="px-4 py-8 text-center text-sm text-zinc-500">
                {experiments.loading
                  ? "Loading…"
                  : search
                    ? "Nothing matches."
                    : "No experiments yet: start a sweep on the Compress screen."}
              </p>
            ) : (
              <ul
                className="max-h-[70vh] divide-y divide-zinc-100 overflow-y-auto"
                data-testid="experiment-list"
              >
                {list.map((item) => {
                  const active = item.id === chosen;
                  return (
                    <li key={item.id}>
                      <button
                        type="button"
                        onClick={() => navigate("history", item.id)}
                        aria-current={active ? "true" : undefined}
                        data-testid="experiment-item"
                        className={`block w-full px-4 py-2.5 text-left ${active ? "bg-indigo-50" : "hover:bg-zinc-50"}`}
                      >
                        <span
                          className={`block truncate text-sm font-medium ${active ? "text-indigo-900" : "text-zinc-900"}`}
                        >
                          {item.name}
                        </span>
                        <span className="mt-0.5 block truncate text-xs text-zinc-500">
                          {formatDateTime(item.createdAt)} · {item.baseModelName ?? "model removed"} ·{" "}
                          {item.variantCount} variant{item.variantCount === 1 ? "" : "s"}
                        </span>
                        <span className="mt-0.5 block truncate text-xs text-zinc-500">
                          <span data-testid="experiment-state">{describeExperimentState(item.state)}</span> ·{" "}
                          {describeJobCounts(item.jobCounts)}
                        </span>
                        {item.tags.length > 0 && (
                          <span className="mt-1 flex flex-wrap gap-1">
                            {item.tags.map((tag) => (
                              <span
                                key={tag}
                                className="rounded bg-zinc-100 px-1.5 py-0.5 text-[10px] font-medium text-zinc-700"
                              >
                                {tag}
                              </span>
                            ))}
                          </span>
                        )}
                      </button>
                    </li>
                  );
                })}
              </ul>
            )}
          </Card>
          {chosen && (
            <ExperimentDetail
              key={chosen}
              id={chosen}
              onRemoved={(name, filesDeleted) => {
                setMessage(
                  `Deleted “${name}”${filesDeleted > 0 ? ` and ${filesDeleted} variant file${filesDeleted === 1 ? "" : "s"}` : ""}.`,
                );
                navigate("history");
              }}
            />
          )}
        </div>
      </div>
    </>
  );
}
