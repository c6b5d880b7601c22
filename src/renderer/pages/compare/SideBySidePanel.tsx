// The same prompt through the selected variants (a "generate" job, one model after another in one
// worker), their texts side by side with tokens/s and time to first token. Each side may run with a
// draft (another selected variant, or itself) or with prompt lookup; the tokens its predictor
// proposed and the target accepted are highlighted.
import { useState } from "react";
import type { ExperimentRow } from "../../../shared/domain/experiment.js";
import type { GenerateJobResult, GenerateSpeculationInput } from "../../../shared/domain/generate.js";
import { isFinished } from "../../../shared/domain/job.js";
import { jobRunDevice } from "../../../shared/domain/runDevice.js";
import { formatMilliseconds, formatTokensPerSecondFixed } from "../../../shared/format.js";
import { Button } from "../../components/Button.js";
import { Field, NumberInput, Select } from "../../components/Field.js";
import { JobStatus } from "../../components/JobStatus.js";
import { Notice } from "../../components/Notice.js";
import { RunDeviceInfo } from "../../components/RunDeviceInfo.js";
import { useClient } from "../../client/ClientContext.js";
import { useWatchedJobs } from "../../hooks/useWatchedJobs.js";
import { errorText, thrownErrorWords } from "../../errorWords.js";
import { PredictedText, PredictionLegend } from "./PredictedText.js";

/** A side's choice: "" (none), "lookup" (prompt lookup) or "draft:<modelId>". */
function speculationOf(
  choice: string | undefined,
  rows: readonly ExperimentRow[],
): GenerateSpeculationInput | null {
  if (choice === "lookup") return { predictor: "inputLookup" };
  const draft = choice?.startsWith("draft:") ? rows.find((r) => `draft:${r.modelId}` === choice) : undefined;
  return draft ? { predictor: "draft", draft: { modelId: draft.modelId, path: draft.path } } : null;
}

export function SideBySidePanel({ rows }: { rows: readonly ExperimentRow[] }) {
  const client = useClient();
  const watched = useWatchedJobs();
  const [prompt, setPrompt] = useState(
    "The most important thing to know about compressing a language model is",
  );
  const [maxTokens, setMaxTokens] = useState<number | null>(48);
  const [seed, setSeed] = useState<number | null>(null);
  const [jobId, setJobId] = useState<string>();
  const [error, setError] = useState<string>();
  const [predictors, setPredictors] = useState<Record<string, string>>({});
  const job = watched.get(jobId);
  const result = job?.state === "succeeded" ? (job.result as GenerateJobResult) : null;

  const run = async () => {
    setError(undefined);
    try {
      const started = await client.call("jobs.start", {
        kind: "generate",
        params: {
          models: rows.map((r) => ({
            modelId: r.modelId,
            path: r.path,
            speculation: speculationOf(predictors[r.modelId], rows),
          })),
          prompt,
          maxTokens: maxTokens ?? 48,
          seed,
        },
      });
      watched.watch(started);
      setJobId(started.id);
    } catch (reason) {
      setError(`Generation did not start: ${errorText(thrownErrorWords(reason))}`);
    }
  };

  const labelOf = (modelId: string) => rows.find((r) => r.modelId === modelId)?.label ?? modelId;

  return (
    <div className="space-y-3 px-4 py-3">
      <div className="grid gap-3 md:grid-cols-[1fr_8rem_8rem_auto] md:items-end">
        <Field label="Prompt">
          <textarea
            aria-label="Prompt"
            rows={2}
            value={prompt}
            onChange={(event) => setPrompt(event.target.value)}
            className="block w-full rounded-md border-0 px-2.5 py-1.5 text-sm text-zinc-900 ring-1 ring-inset ring-zinc-300 focus:ring-2 focus:ring-indigo-500"
          />
        </Field>
        <Field label="Max tokens">
          <NumberInput aria-label="Max tokens" min={1} max={4096} value={maxTokens} onValue={setMaxTokens} />
        </Field>
        <Field label="Seed" hint="Empty: greedy">
          <NumberInput aria-label="Seed" min={0} value={seed} onValue={setSeed} />
        </Field>
        <Button
          variant="primary"
          onClick={() => void run()}
          disabled={rows.length === 0 || !prompt.trim() || (job !== undefined && !isFinished(job.state))}
        >
          Generate with {rows.length} selected
        </Button>
      </div>
      {rows.length > 0 && (
        <div className="flex flex-wrap gap-3" data-testid="side-predictors">
          {rows.map((row) => (
            <Field key={row.modelId} label={`Draft for ${row.label}`} className="w-64">
              <Select
                aria-label={`Draft for ${row.label}`}
                value={predictors[row.modelId] ?? ""}
                onChange={(event) => setPredictors({ ...predictors, [row.modelId]: event.target.value })}
              >
                <option value="">none</option>
                <option value="lookup">prompt lookup (no draft model)</option>
                {rows.map((draft) => (
                  <option key={draft.modelId} value={`draft:${draft.modelId}`}>
                    draft: {draft.modelId === row.modelId ? `${draft.label} (itself)` : draft.label}
                  </option>
                ))}
              </Select>
            </Field>
          ))}
        </div>
      )}
      {rows.length === 0 && (
        <p className="text-xs text-zinc-500">Select variants in the table or the charts first.</p>
      )}
      {error && <Notice tone="error">{error}</Notice>}
      {job && !result && <JobStatus job={job} testId="generate-job" />}
      {result && job && (
        <p className="text-xs text-zinc-500">
          Ran on: <RunDeviceInfo device={jobRunDevice(job)} testId="generate-device" />
        </p>
      )}
      {result && (
        <div
          className="grid gap-3"
          style={{ gridTemplateColumns: `repeat(${Math.min(result.outputs.length, 3)}, minmax(0, 1fr))` }}
          data-testid="generations"
        >
          {result.outputs.map((output) => (
            <article
              key={output.modelId}
              className="rounded-md border border-zinc-200 bg-zinc-50/50"
              data-testid="generation"
            >
              <header className="flex items-baseline justify-between gap-2 border-b border-zinc-200 px-3 py-1.5">
                <span className="text-sm font-semibold text-zinc-900">{labelOf(output.modelId)}</span>
                <span className="text-xs tabular-nums text-zinc-600" data-testid="generation-speed">
                  {formatTokensPerSecondFixed(output.tokensPerSecond)} · first token{" "}
                  {formatMilliseconds(output.ttftMs)} · {output.tokens} tokens
                </span>
              </header>
              {output.speculation ? (
                <>
                  <PredictedText prompt={result.prompt} speculation={output.speculation} />
                  <PredictionLegend
                    speculation={output.speculation}
                    draftLabel={output.speculation.draftModelId && labelOf(output.speculation.draftModelId)}
                  />
                </>
              ) : (
                <p className="whitespace-pre-wrap px-3 py-2 font-mono text-xs leading-relaxed text-zinc-800">
                  <span className="text-zinc-400">{result.prompt}</span>
                  {output.text}
                </p>
              )}
            </article>
          ))}
        </div>
      )}
    </div>
  );
}
