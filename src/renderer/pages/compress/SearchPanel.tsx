// "Find the best mix for a budget" (docs/search.md): pick candidate types and a calibration text,
// see what the sensitivity pass will cost, run it (progress, ETA, cancel), watch the heat map fill,
// read the mix the knapsack picks for the size budget, with its flags and llama-quantize line, and
// quantize it and measure it on held-out text (SearchValidation).
import { useState } from "react";
import type { ModelSummary } from "../../../shared/domain/model.js";
import type { RecipeReport } from "../../../shared/domain/searchReport.js";
import type { SearchRequestInput } from "../../../shared/domain/searchSession.js";
import { formatBytes, formatDuration } from "../../../shared/format.js";
import { SensitivityHeatmap } from "../../charts/SensitivityHeatmap.js";
import { Button } from "../../components/Button.js";
import { Checkbox, Field, NumberInput, Select, TextInput } from "../../components/Field.js";
import { JobStatus } from "../../components/JobStatus.js";
import { Notice } from "../../components/Notice.js";
import { useClient } from "../../client/ClientContext.js";
import { useCall } from "../../hooks/useCall.js";
import { useWatchedJobs } from "../../hooks/useWatchedJobs.js";
import { errorText, thrownErrorWords } from "../../errorWords.js";
import { SearchValidation } from "./SearchValidation.js";

const candidateTypes = ["Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"];
const defaultTypes = ["Q3_K", "Q4_K", "Q5_K", "Q6_K"];

export function SearchPanel({ model, defaultText }: { model: ModelSummary; defaultText: string }) {
  const client = useClient();
  const watched = useWatchedJobs();
  const [text, setText] = useState("");
  const [types, setTypes] = useState<string[]>(defaultTypes);
  const [budget, setBudget] = useState<number>();
  const [jobId, setJobId] = useState<string>();
  const [error, setError] = useState<string>();
  const [heatType, setHeatType] = useState<string>();
  const [contextSize, setContextSize] = useState<number | null>(512);
  const [chunks, setChunks] = useState<number | null>(4);

  const textPath = text || defaultText;
  const request: SearchRequestInput | null =
    textPath && types.length > 0 && contextSize && chunks
      ? { modelId: model.id, textPath, types, contextSize, chunks }
      : null;
  const plan = useCall("search.plan", request, ["jobs.updated"]);
  const summary = plan.data;
  const job = watched.get(jobId);
  const running =
    job !== undefined && !["succeeded", "failed", "cancelled", "interrupted"].includes(job.state);
  const chosenBudget = summary
    ? Math.min(summary.maxBytes, Math.max(summary.minBytes, budget ?? summary.maxBytes))
    : 0;
  const result = useCall(
    "search.result",
    request && summary ? { ...request, budgets: [Math.max(1, Math.round(chosenBudget))] } : null,
    ["jobs.updated"],
  );
  const outcome = result.data;
  const report = outcome?.recipes[0] ?? null;
  const shownType =
    heatType ?? types.slice().sort((a, b) => candidateTypes.indexOf(a) - candidateTypes.indexOf(b))[0]!;

  const start = async () => {
    if (!request) return;
    setError(undefined);
    try {
      const started = await client.call("search.start", request);
      if (started) {
        watched.watch(started);
        setJobId(started.id);
      }
      plan.reload();
    } catch (reason) {
      setError(`The search did not start: ${errorText(thrownErrorWords(reason))}`);
    }
  };

  return (
    <div className="space-y-3 px-4 py-3" data-testid="search-panel">
      <p className="text-xs text-zinc-500">
        Measures, for each tensor group and candidate type, the KLD added when that group alone is quantized
        (everything else at {summary?.baselineType ?? "Q8_0"}); then picks the mix with the least summed loss
        within the budget. The prediction is additive: validate the result by quantizing it.
      </p>
      <div className="grid gap-3 md:grid-cols-[1fr_7rem_7rem_auto] md:items-end">
        <Field label="Calibration text file">
          <TextInput
            aria-label="Search text file"
            placeholder={defaultText || "/path/to/calibration.txt"}
            value={text}
            onChange={(event) => setText(event.target.value)}
          />
        </Field>
        <Field label="Context (tokens)">
          <NumberInput aria-label="Search context" min={16} value={contextSize} onValue={setContextSize} />
        </Field>
        <Field label="Chunks per cell">
          <NumberInput aria-label="Search chunks" min={1} value={chunks} onValue={setChunks} />
        </Field>
        <div className="flex flex-wrap gap-3 pb-1.5">
          {candidateTypes.map((type) => (
            <Checkbox
              key={type}
              label={type}
              checked={types.includes(type)}
              onChange={(on) => setTypes(on ? [...types, type] : types.filter((t) => t !== type))}
            />
          ))}
        </div>
      </div>
      {plan.error && <Notice tone="error">{errorText(thrownErrorWords(plan.error))}</Notice>}
      {result.error && <Notice tone="error">{errorText(thrownErrorWords(result.error))}</Notice>}
      {summary && (
        <p className="text-sm text-zinc-700" data-testid="search-estimate">
          {summary.groups.length} groups × {summary.types.length - 1} types + baseline → {summary.cellsTotal}{" "}
          passes, {summary.cellsCached} cached, {summary.cellsToMeasure} to measure
          {summary.cellsToMeasure > 0 &&
            `${summary.basePass ? " plus a base pass" : ""}, about ${formatDuration(summary.etaSeconds)}`}
        </p>
      )}
      <div className="flex items-center gap-3">
        <Button
          variant="primary"
          onClick={() => void start()}
          disabled={!summary || running || summary.cellsToMeasure === 0}
          data-testid="start-search"
        >
          {summary?.cellsToMeasure === 0 ? "All cells measured" : "Measure sensitivity"}
        </Button>
        {running && job && (
          <Button onClick={() => void client.call("jobs.cancel", { id: job.id })} data-testid="cancel-search">
            Cancel
          </Button>
        )}
      </div>
      {error && <Notice tone="error">{error}</Notice>}
      {job && job.state !== "succeeded" && <JobStatus job={job} testId="search-job" />}
      {outcome && outcome.cells.length > 0 && (
        <div className="space-y-1">
          <Field label="Heat map type" className="w-40">
            <Select
              aria-label="Heat map type"
              value={shownType}
              onChange={(e) => setHeatType(e.target.value)}
            >
              {types.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </Select>
          </Field>
          <SensitivityHeatmap outcome={outcome} type={shownType} />
        </div>
      )}
      {summary && (
        <div className="space-y-1">
          <Field label={`Size budget: ${formatBytes(chosenBudget)} (${Math.round(chosenBudget)} bytes)`}>
            <input
              type="range"
              aria-label="Size budget"
              className="w-full accent-indigo-600"
              min={summary.minBytes}
              max={summary.maxBytes}
              step={Math.max(1, Math.round((summary.maxBytes - summary.minBytes) / 500))}
              value={chosenBudget}
              list="search-uniform-sizes"
              onChange={(event) => setBudget(Number(event.target.value))}
            />
          </Field>
          <datalist id="search-uniform-sizes">
            {summary.uniformBytes.map((u) => (
              <option key={u.type} value={u.bytes} label={u.type} />
            ))}
          </datalist>
          <p className="text-xs text-zinc-500">
            Every group at one type:{" "}
            {summary.uniformBytes.map((u) => (
              <button
                key={u.type}
                type="button"
                className="mr-3 underline decoration-dotted"
                onClick={() => setBudget(u.bytes)}
              >
                {u.type} {formatBytes(u.bytes)}
              </button>
            ))}
          </p>
        </div>
      )}
      {report && <ChosenMix report={report} />}
      {report && request && summary?.cellsToMeasure === 0 && (
        <SearchValidation
          request={request}
          budget={report.recipe.budgetBytes}
          predictedKld={report.recipe.predictedKld}
        />
      )}
      {summary && summary.cellsToMeasure === 0 && outcome && !report && (
        <Notice tone="error">Even the smallest candidate mix does not fit this budget.</Notice>
      )}
    </div>
  );
}

function ChosenMix({ report }: { report: RecipeReport }) {
  const { recipe } = report;
  const counts = new Map<string, number>();
  for (const choice of recipe.choices) counts.set(choice.type, (counts.get(choice.type) ?? 0) + 1);
  return (
    <div
      className="space-y-2 rounded-md border border-zinc-200 p-3"
      data-testid="search-mix"
      data-bytes={recipe.bytes}
      data-budget={recipe.budgetBytes}
    >
      <p className="text-sm text-zinc-800">
        Predicted {formatBytes(recipe.bytes)} ({recipe.bytes} bytes), predicted KLD{" "}
        {recipe.predictedKld.toFixed(5)} (additive, from single-group cells) ·{" "}
        {[...counts].map(([type, n]) => `${n} × ${type}`).join(", ")}
      </p>
      {report.validation && (
        <p className="text-sm text-zinc-800">
          Measured on held-out text: KLD {report.validation.kld.value.toFixed(5)} ±{" "}
          {(1.96 * report.validation.kld.uncertainty).toFixed(5)} (95 %)
        </p>
      )}
      <details>
        <summary className="cursor-pointer text-xs text-zinc-600">Per-group types</summary>
        <ul className="columns-2 text-xs tabular-nums text-zinc-700 md:columns-4">
          {recipe.choices.map((choice) => (
            <li key={choice.name}>
              {choice.name}: {choice.type}
            </li>
          ))}
        </ul>
      </details>
      <CopyLine label="cwb quantize MODEL" text={report.cwbQuantize} />
      <CopyLine label="llama-quantize" text={report.llamaQuantize} />
    </div>
  );
}

function CopyLine({ label, text }: { label: string; text: string }) {
  return (
    <div className="space-y-0.5">
      <div className="flex items-center gap-2 text-xs text-zinc-500">
        {label}
        <button type="button" className="underline" onClick={() => void navigator.clipboard?.writeText(text)}>
          copy
        </button>
      </div>
      <code className="block break-all rounded bg-zinc-50 p-1.5 text-xs text-zinc-800">{text}</code>
    </div>
  );
}
