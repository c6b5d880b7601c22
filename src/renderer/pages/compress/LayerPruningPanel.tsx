// Layer pruning: measure how much each transformer block changes its input on a calibration text
// (a "layers" job), plot it, and drop the N least important blocks into a new model (a "prune" job).
import { useMemo, useState } from "react";
import type { LayersJobResult, PruneJobResult } from "../../../shared/domain/compression.js";
import type { ModelSummary } from "../../../shared/domain/model.js";
import { formatBytes } from "../../../shared/format.js";
import { LayerImportanceChart } from "../../charts/LayerImportanceChart.js";
import { Button } from "../../components/Button.js";
import { Field, NumberInput, TextInput } from "../../components/Field.js";
import { JobStatus } from "../../components/JobStatus.js";
import { Notice } from "../../components/Notice.js";
import { useClient } from "../../client/ClientContext.js";
import { useWatchedJobs } from "../../hooks/useWatchedJobs.js";
import { errorText, thrownErrorWords } from "../../errorWords.js";

export function LayerPruningPanel({ model, defaultText }: { model: ModelSummary; defaultText: string }) {
  const client = useClient();
  const watched = useWatchedJobs();
  const [text, setText] = useState("");
  const [contextSize, setContextSize] = useState<number | null>(256);
  const [chunks, setChunks] = useState<number | null>(8);
  const [layersJobId, setLayersJobId] = useState<string>();
  const [pruneJobId, setPruneJobId] = useState<string>();
  const [drop, setDrop] = useState<number | null>(1);
  const [error, setError] = useState<string>();

  const textPath = text || defaultText;
  const layersJob = watched.get(layersJobId);
  const pruneJob = watched.get(pruneJobId);
  const layers = layersJob?.state === "succeeded" ? (layersJob.result as LayersJobResult) : null;
  const dropped = useMemo(() => new Set(layers && drop ? layers.ranking.slice(0, drop) : []), [layers, drop]);
  const pruned = pruneJob?.state === "succeeded" ? (pruneJob.result as PruneJobResult) : null;
  const blockCount = model.metadata.layers;

  const measure = async () => {
    setError(undefined);
    setPruneJobId(undefined);
    try {
      const job = await client.call("compress.startLayers", {
        modelId: model.id,
        textPath,
        contextSize: contextSize ?? 256,
        chunks: chunks ?? 8,
      });
      watched.watch(job);
      setLayersJobId(job.id);
    } catch (reason) {
      setError(`Could not measure block importance: ${errorText(thrownErrorWords(reason))}`);
    }
  };

  const prune = async () => {
    if (!layersJobId || !drop) return;
    setError(undefined);
    try {
      const job = await client.call("compress.startPrune", { modelId: model.id, layersJobId, drop });
      watched.watch(job);
      setPruneJobId(job.id);
    } catch (reason) {
      setError(`Could not prune: ${errorText(thrownErrorWords(reason))}`);
    }
  };

  return (
    <div className="space-y-3 px-4 py-3">
      <p className="text-xs text-zinc-500">
        Importance of a block is 1 − cos(its input, its output), averaged over the calibration tokens: blocks
        that barely change the hidden state are the cheapest to drop. {model.metadata.layers} blocks in this
        model.
      </p>
      <div className="grid gap-3 md:grid-cols-[1fr_8rem_8rem_auto] md:items-end">
        <Field label="Calibration text file">
          <TextInput
            aria-label="Layer importance text file"
            placeholder={defaultText || "/path/to/calibration.txt"}
            value={text}
            onChange={(event) => setText(event.target.value)}
          />
        </Field>
        <Field label="Context (tokens)">
          <NumberInput
            aria-label="Layer importance context"
            min={16}
            value={contextSize}
            onValue={setContextSize}
          />
        </Field>
        <Field label="Chunks">
          <NumberInput aria-label="Layer importance chunks" min={1} value={chunks} onValue={setChunks} />
        </Field>
        <Button
          onClick={() => void measure()}
          disabled={
            !textPath ||
            (layersJob !== undefined &&
              !["succeeded", "failed", "cancelled", "interrupted"].includes(layersJob.state))
          }
        >
          Measure block importance
        </Button>
      </div>
      {error && <Notice tone="error">{error}</Notice>}
      {layersJob && !layers && <JobStatus job={layersJob} testId="layers-job" />}
      {layers && (
        <div className="space-y-3">
          <LayerImportanceChart layers={layers.layers} dropped={dropped} />
          <div className="flex flex-wrap items-end gap-3">
            <Field label="Blocks to drop" className="w-32">
              <NumberInput
                aria-label="Blocks to drop"
                min={1}
                max={Math.max(1, blockCount - 1)}
                value={drop}
                onValue={setDrop}
              />
            </Field>
            <Button
              variant="primary"
              onClick={() => void prune()}
              disabled={!drop || drop < 1 || drop >= blockCount}
            >
              Prune {drop ?? 0} least important
            </Button>
            <span className="pb-1.5 text-xs text-zinc-500">
              {dropped.size > 0
                ? `drops block${dropped.size === 1 ? "" : "s"} ${[...dropped].sort((a, b) => a - b).join(", ")} (red)`
                : ""}
            </span>
          </div>
        </div>
      )}
      {pruneJob && !pruned && <JobStatus job={pruneJob} testId="prune-job" />}
      {pruned && (
        <Notice tone="success">
          New model {pruned.model.fileName} ({formatBytes(pruned.model.sizeBytes)}, {pruned.blockCount}{" "}
          blocks) is in the library. Pick it above to quantize or compare it.
        </Notice>
      )}
    </div>
  );
}
