// One experiment in History: recipe, provenance, machine, its variants in brief, notes and tags,
// and the actions (compare, resume an unfinished one, cancel a running one, re-run, delete).
import { useState } from "react";
import { isResumableState } from "../../../shared/domain/experiment.js";
import { describeDevicesOverview, devicesOverview } from "../../../shared/domain/runDevice.js";
import { formatBytes, formatDateTime, formatKld } from "../../../shared/format.js";
import { Button } from "../../components/Button.js";
import { Card } from "../../components/Card.js";
import { TextInput } from "../../components/Field.js";
import { Notice } from "../../components/Notice.js";
import { useClient } from "../../client/ClientContext.js";
import { useCall } from "../../hooks/useCall.js";
import { navigate } from "../../routing/useHashRoute.js";
import { describeExperimentState, describeJobCounts, recipeLines } from "./recipeSummary.js";
import { RemoveExperimentDialog } from "./RemoveExperimentDialog.js";
import { ChainLineagePanel } from "./ChainLineagePanel.js";
import { hasChain } from "./chainStages.js";
import { VariantLineages } from "./VariantLineages.js";
import { errorText, thrownErrorWords } from "../../errorWords.js";

export function ExperimentDetail({
  id,
  onRemoved,
}: {
  id: string;
  onRemoved: (name: string, filesDeleted: number) => void;
}) {
  const client = useClient();
  const summary = useCall("experiments.get", { id }, ["experiments.changed"]);
  const [note, setNote] = useState("");
  const [tagText, setTagText] = useState<string | null>(null);
  const [removing, setRemoving] = useState(false);
  const [error, setError] = useState<string>();
  const [info, setInfo] = useState<string>();
  const data = summary.data;

  const act = async (what: string, action: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await action();
    } catch (reason) {
      setError(`${what} failed: ${errorText(thrownErrorWords(reason))}`);
    }
  };

  if (summary.error)
    return <Notice tone="error">Could not load the experiment: {summary.error.message}</Notice>;
  if (!data)
    return (
      <Card>
        <p className="px-4 py-8 text-center text-sm text-zinc-500">Loading…</p>
      </Card>
    );

  const devices = devicesOverview(data.rows);
  const saveTags = () =>
    act("Saving tags", async () => {
      const tags = (tagText ?? "")
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean);
      await client.call("experiments.setTags", { id, tags });
      setTagText(null);
    });

  return (
    <div className="space-y-4" data-testid="experiment-detail">
      {error && (
        <Notice tone="error" onDismiss={() => setError(undefined)}>
          {error}
        </Notice>
      )}
      {info && (
        <Notice tone="success" onDismiss={() => setInfo(undefined)}>
          {info}
        </Notice>
      )}
      <Card
        title={data.name}
        actions={
          <>
            <Button onClick={() => navigate("compare", id)}>Compare</Button>
            {isResumableState(data.state) && (
              <Button
                variant="primary"
                data-testid="resume-experiment"
                title="Run only the steps that did not succeed, in this experiment"
                onClick={() =>
                  void act("Resume", async () => {
                    const { requeued } = await client.call("experiments.resume", { id });
                    setInfo(
                      `Resumed: ${requeued} step${requeued === 1 ? "" : "s"} queued again; finished steps are kept. Follow them on the Jobs screen.`,
                    );
                  })
                }
              >
                Resume
              </Button>
            )}
            {data.state === "running" && (
              <Button
                variant="dangerOutline"
                title="Cancel every unfinished job of this experiment"
                onClick={() =>
                  void act("Cancel", async () => {
                    const { cancelled } = await client.call("experiments.cancel", { id });
                    setInfo(
                      `Cancelled ${cancelled} job${cancelled === 1 ? "" : "s"}; resume it later if you like.`,
                    );
                  })
                }
              >
                Cancel
              </Button>
            )}
            <Button
              onClick={() =>
                void act("Re-run", async () => {
                  await client.call("experiments.rerun", { id });
                  setInfo(
                    "Re-run started: finished variants and measurements are reused; follow the rest on the Jobs screen.",
                  );
                })
              }
              disabled={!data.baseModelId}
              title={
                data.baseModelId ? "Run the same recipe again" : "The base model is no longer in the library"
              }
            >
              Re-run
            </Button>
            <Button variant="dangerOutline" onClick={() => setRemoving(true)}>
              Delete…
            </Button>
          </>
        }
      >
        <div className="grid gap-6 px-4 py-3 md:grid-cols-2">
          <section>
            <h3 className="mb-1.5 text-xs font-semibold uppercase tracking-wide text-zinc-500">Recipe</h3>
            <dl className="grid grid-cols-[9rem_1fr] gap-y-1 text-sm">
              {recipeLines(data.recipe).map((line) => (
                <Line key={line.label} label={line.label} value={line.value} />
              ))}
            </dl>
          </section>
          <section>
            <h3 className="mb-1.5 text-xs font-semibold uppercase tracking-wide text-zinc-500">Provenance</h3>
            <dl className="grid grid-cols-[9rem_1fr] gap-y-1 text-sm">
              <Line label="Created" value={formatDateTime(data.createdAt)} />
              <Line label="Base model" value={data.baseModelName ?? "removed from the library"} />
              <Line label="llama.cpp (release, commit)" value={data.llamaBuild ?? "—"} />
              <Line
                label="Machine"
                value={
                  data.machine
                    ? `${data.machine.cpu} · ${data.machine.cores} threads · ${formatBytes(data.machine.ramBytes)} RAM · ${data.machine.gpu ?? "no GPU"} · ${data.machine.os}`
                    : "not recorded yet (no benchmark)"
                }
              />
              <Line label="Ran on" value={describeDevicesOverview(devices)} />
              {devices.skipped.map((text) => (
                <Line key={text} label="Skipped" value={text} tone="warn" />
              ))}
              <Line label="State" value={describeExperimentState(data.state)} />
              <Line label="Jobs" value={describeJobCounts(data.jobCounts)} />
            </dl>
          </section>
        </div>
        {data.rows.length > 0 && (
          <div className="border-t border-zinc-200 px-4 py-3">
            <h3 className="mb-1.5 text-xs font-semibold uppercase tracking-wide text-zinc-500">Variants</h3>
            <div className="flex flex-wrap gap-2">
              {data.rows.map((row) => (
                <span
                  key={row.modelId}
                  className="rounded-md bg-zinc-50 px-2 py-1 text-xs text-zinc-700 ring-1 ring-inset ring-zinc-200"
                >
                  <span className="font-medium text-zinc-900">{row.label}</span> ·{" "}
                  <span className="tabular-nums">{formatBytes(row.sizeBytes)}</span>
                  {row.kldMean !== null && !row.isBase && (
                    <span className="tabular-nums"> · KLD {formatKld(row.kldMean)}</span>
                  )}
                </span>
              ))}
            </div>
            {/* A chain's lineage is in the Chain card below, once, not repeated per variant. */}
            {!hasChain(data) && (
              <VariantLineages modelIds={data.rows.filter((r) => !r.isBase).map((r) => r.modelId)} />
            )}
          </div>
        )}
      </Card>
      <ChainLineagePanel summary={data} />

      <div className="grid gap-4 md:grid-cols-2">
        <Card title="Notes">
          <div className="space-y-2 px-4 py-3">
            {data.notes.length === 0 && <p className="text-sm text-zinc-500">No notes yet.</p>}
            {data.notes.map((n) => (
              <div
                key={n.id}
                className="rounded-md bg-zinc-50 px-3 py-2 text-sm text-zinc-800"
                data-testid="note"
              >
                <p className="whitespace-pre-wrap">{n.text}</p>
                <p className="mt-0.5 text-xs text-zinc-500">{formatDateTime(n.createdAt)}</p>
              </div>
            ))}
            <form
              className="flex gap-2"
              onSubmit={(event) => {
                event.preventDefault();
                if (!note.trim()) return;
                void act("Adding the note", async () => {
                  await client.call("experiments.addNote", { id, text: note.trim() });
                  setNote("");
                });
              }}
            >
              <TextInput
                aria-label="New note"
                placeholder="Add a note"
                value={note}
                onChange={(event) => setNote(event.target.value)}
              />
              <Button type="submit" disabled={!note.trim()}>
                Add
              </Button>
            </form>
          </div>
        </Card>
        <Card title="Tags">
          <div className="space-y-2 px-4 py-3">
            {tagText === null ? (
              <div className="flex flex-wrap items-center gap-1.5">
                {data.tags.length === 0 && <span className="text-sm text-zinc-500">No tags.</span>}
                {data.tags.map((tag) => (
                  <span
                    key={tag}
                    className="rounded bg-indigo-50 px-2 py-0.5 text-xs font-medium text-indigo-700 ring-1 ring-inset ring-indigo-200"
                    data-testid="tag"
                  >
                    {tag}
                  </span>
                ))}
                <Button className="ml-auto" onClick={() => setTagText(data.tags.join(", "))}>
                  Edit tags
                </Button>
              </div>
            ) : (
              <form
                className="flex gap-2"
                onSubmit={(event) => {
                  event.preventDefault();
                  void saveTags();
                }}
              >
                <TextInput
                  aria-label="Tags"
                  placeholder="comma-separated, e.g. laptop, baseline"
                  value={tagText}
                  onChange={(event) => setTagText(event.target.value)}
                />
                <Button type="submit" variant="primary">
                  Save
                </Button>
                <Button onClick={() => setTagText(null)}>Cancel</Button>
              </form>
            )}
          </div>
        </Card>
      </div>
      {removing && (
        <RemoveExperimentDialog
          experiment={data}
          onClose={() => setRemoving(false)}
          onRemoved={(filesDeleted) => {
            setRemoving(false);
            onRemoved(data.name, filesDeleted);
          }}
        />
      )}
    </div>
  );
}

function Line({ label, value, tone }: { label: string; value: string; tone?: "warn" }) {
  return (
    <>
      <dt className="text-zinc-500">{label}</dt>
      <dd className={`min-w-0 break-words ${tone === "warn" ? "text-amber-800" : "text-zinc-800"}`}>
        {value}
      </dd>
    </>
  );
}
