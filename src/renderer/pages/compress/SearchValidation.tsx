// The chosen mix quantized for real (a "quantize" job that records its searched provenance) and then
// evaluated on a held-out text (an "eval" job, as `cwb search --heldout` does): the measured KLD and
// PPL ± 95 % next to the prediction. The eval needs the variant's id, which exists only once the
// quantize job has succeeded, so it is queued from that job's finished state (each state is read
// from the watched job, never from a stale query).
import { useEffect, useState } from "react";
import type { QuantizeJobResult } from "../../../shared/domain/compression.js";
import type { EvalJobResult } from "../../../shared/domain/eval.js";
import { isFinished } from "../../../shared/domain/job.js";
import type { SearchRequestInput } from "../../../shared/domain/searchSession.js";
import { formatBytes } from "../../../shared/format.js";
import { Button } from "../../components/Button.js";
import { Field, NumberInput, TextInput } from "../../components/Field.js";
import { JobStatus } from "../../components/JobStatus.js";
import { Notice } from "../../components/Notice.js";
import { useClient } from "../../client/ClientContext.js";
import { useWatchedJobs } from "../../hooks/useWatchedJobs.js";
import { errorText, thrownErrorWords } from "../../errorWords.js";

const interval = (e: { value: number; uncertainty: number }, digits: number): string =>
  `${e.value.toFixed(digits)} ± ${(1.96 * e.uncertainty).toFixed(digits)}`;

export function SearchValidation({
  request,
  budget,
  predictedKld,
}: {
  request: SearchRequestInput;
  budget: number;
  predictedKld: number;
}) {
  const client = useClient();
  const { get, watch } = useWatchedJobs();
  const [text, setText] = useState("");
  const [chunks, setChunks] = useState<number | null>(8);
  const [quantizeJobId, setQuantizeJobId] = useState<string>();
  const [evalJobId, setEvalJobId] = useState<string>();
  // The settings the eval is queued with, fixed when the button is pressed.
  const [evalRequest, setEvalRequest] = useState<{ textPath: string; chunks: number | null }>();
  const [error, setError] = useState<string>();
  const quantizeJob = get(quantizeJobId);
  const evalJob = get(evalJobId);
  const variant =
    quantizeJob?.state === "succeeded"
      ? ((quantizeJob.result as QuantizeJobResult | null)?.model ?? null)
      : null;
  const figures =
    evalJob?.state === "succeeded"
      ? (evalJob.result as EvalJobResult | null)?.variants[0]?.figures
      : undefined;
  const busy =
    (quantizeJob !== undefined && !isFinished(quantizeJob.state)) ||
    (evalJob !== undefined && !isFinished(evalJob.state));

  // Once the variant exists, evaluate it on the held-out text (once per quantize job).
  const variantId = variant?.id;
  useEffect(() => {
    if (!variantId || !evalRequest || evalJobId) return;
    let stale = false;
    client
      .call("eval.start", {
        baseModelId: request.modelId,
        variantModelIds: [variantId],
        textPath: evalRequest.textPath,
        settings: { chunks: evalRequest.chunks },
      })
      .then((job) => {
        if (stale) return;
        watch(job);
        setEvalJobId(job.id);
      })
      .catch((reason: unknown) => {
        if (!stale) setError(`Could not evaluate the mix: ${errorText(thrownErrorWords(reason))}`);
      });
    return () => {
      stale = true;
    };
  }, [variantId, evalRequest, evalJobId, client, request.modelId, watch]);

  const start = async () => {
    setError(undefined);
    setEvalJobId(undefined);
    setQuantizeJobId(undefined);
    setEvalRequest({ textPath: text, chunks });
    try {
      const job = await client.call("search.quantize", { ...request, budget });
      watch(job);
      setQuantizeJobId(job.id);
    } catch (reason) {
      setError(`Could not quantize the mix: ${errorText(thrownErrorWords(reason))}`);
    }
  };

  const cancel = () => {
    for (const job of [quantizeJob, evalJob])
      if (job && !isFinished(job.state)) void client.call("jobs.cancel", { id: job.id });
  };

  return (
    <div className="space-y-2 border-t border-zinc-100 pt-2" data-testid="search-validation">
      <div className="grid gap-3 md:grid-cols-[1fr_7rem_auto_auto] md:items-end">
        <Field label="Held-out text (not the calibration text)">
          <TextInput
            aria-label="Held-out text file"
            placeholder="/path/to/heldout.txt"
            value={text}
            onChange={(event) => setText(event.target.value)}
          />
        </Field>
        <Field label="Chunks (empty: all)">
          <NumberInput aria-label="Held-out chunks" min={1} value={chunks} onValue={setChunks} />
        </Field>
        <Button onClick={() => void start()} disabled={!text || busy} data-testid="validate-mix">
          Quantize and validate
        </Button>
        {busy && (
          <Button onClick={cancel} data-testid="cancel-validation">
            Cancel
          </Button>
        )}
      </div>
      {error && <Notice tone="error">{error}</Notice>}
      {quantizeJob && quantizeJob.state !== "succeeded" && (
        <JobStatus job={quantizeJob} testId="search-quantize-job" />
      )}
      {evalJob && evalJob.state !== "succeeded" && <JobStatus job={evalJob} testId="search-eval-job" />}
      {variant && figures && (
        <p
          className="text-sm text-zinc-800"
          data-testid="search-validated"
          data-model={variant.id}
          data-size={variant.sizeBytes}
          data-kld={figures.kldMean.value}
        >
          {variant.fileName} ({formatBytes(variant.sizeBytes)}, {variant.sizeBytes} bytes): held-out KLD{" "}
          {interval(figures.kldMean, 5)} (95 %), predicted {predictedKld.toFixed(5)} · PPL{" "}
          {interval(figures.ppl, 3)} (95 %)
        </p>
      )}
    </div>
  );
}
