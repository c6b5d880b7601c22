// The Models screen's "will it fit on this machine" panel: a context-size selector and, per model,
// the estimated memory (weights + KV cache + compute) with a badge for RAM and, with a GPU, VRAM.
import { useState } from "react";
import type { ModelSummary } from "../../shared/domain/model.js";
import { formatBytes } from "../../shared/format.js";
import { willItFit } from "../../shared/metrics/fit.js";
import { useCall } from "../hooks/useCall.js";
import { Card } from "./Card.js";
import { FitBadge } from "./FitBadge.js";
import { Select } from "./Field.js";

export const contextChoices = [512, 2048, 4096, 8192, 16384, 32768, 65536, 131072] as const;

export function ModelFitCard({ models }: { models: readonly ModelSummary[] }) {
  const machine = useCall("app.machine", {});
  const [contextSize, setContextSize] = useState(4096);
  if (models.length === 0) return null;
  const m = machine.data;
  return (
    <Card
      title="Will it fit on this machine?"
      actions={
        <label className="flex items-center gap-2 text-xs text-zinc-500">
          Context
          <Select
            aria-label="Context size"
            value={contextSize}
            onChange={(event) => setContextSize(Number(event.target.value))}
            className="w-28 py-1 text-xs"
          >
            {contextChoices.map((ctx) => (
              <option key={ctx} value={ctx}>
                {ctx.toLocaleString("en-US")} tokens
              </option>
            ))}
          </Select>
        </label>
      }
    >
      {machine.error && (
        <p className="px-4 py-3 text-sm text-red-700">
          Could not read this machine's memory: {machine.error.message}
        </p>
      )}
      {m && (
        <>
          <p className="border-b border-zinc-100 px-4 py-2 text-xs text-zinc-500">
            {formatBytes(m.ramBytes)} RAM ({formatBytes(m.freeRamBytes)} free now)
            {m.gpu ? ` · ${m.gpu}${m.vramBytes ? `, ${formatBytes(m.vramBytes)} VRAM` : ""}` : " · no GPU"}.
            Estimate: weights + F16 KV cache + compute buffer + runtime overhead; “fits” means under 80 % of
            the memory.
          </p>
          <table className="w-full text-sm" data-testid="fit-table">
            <thead className="text-left text-xs text-zinc-500">
              <tr>
                <th className="px-4 py-1.5 font-medium">Model</th>
                <th className="px-3 py-1.5 text-right font-medium">Weights</th>
                <th className="px-3 py-1.5 text-right font-medium">KV cache</th>
                <th className="px-3 py-1.5 text-right font-medium">Total</th>
                <th className="px-4 py-1.5 font-medium">Verdict</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {models.map((model) => {
                const fit = willItFit(
                  {
                    fileBytes: model.sizeBytes,
                    layers: model.metadata.layers,
                    heads: model.metadata.heads,
                    headsKv: model.metadata.headsKv,
                    embeddingLength: model.metadata.embeddingLength,
                    vocabularySize: model.metadata.vocabularySize,
                  },
                  contextSize,
                  { ramBytes: m.ramBytes, vramBytes: m.vramBytes },
                );
                const beyondTraining =
                  model.metadata.contextLength !== null && contextSize > model.metadata.contextLength;
                return (
                  <tr key={model.id} data-testid="fit-row">
                    <td className="max-w-[22rem] truncate px-4 py-1.5 text-zinc-800">
                      {model.metadata.name ?? model.fileName}
                    </td>
                    <td className="px-3 py-1.5 text-right tabular-nums text-zinc-700">
                      {formatBytes(fit.estimate.modelBytes)}
                    </td>
                    <td className="px-3 py-1.5 text-right tabular-nums text-zinc-700">
                      {formatBytes(fit.estimate.kvCacheBytes)}
                    </td>
                    <td className="px-3 py-1.5 text-right tabular-nums font-medium text-zinc-900">
                      {formatBytes(fit.estimate.totalBytes)}
                    </td>
                    <td className="px-4 py-1.5">
                      <span className="flex flex-wrap items-center gap-1.5">
                        <FitBadge
                          verdict={fit.ram}
                          estimate={fit.estimate}
                          memory="RAM"
                          availableBytes={m.ramBytes}
                        />
                        {fit.vram && m.vramBytes && (
                          <FitBadge
                            verdict={fit.vram}
                            estimate={fit.estimate}
                            memory="VRAM"
                            availableBytes={m.vramBytes}
                          />
                        )}
                        {beyondTraining && (
                          <span
                            className="text-xs text-amber-700"
                            title={`trained for ${model.metadata.contextLength} tokens`}
                          >
                            beyond its {model.metadata.contextLength?.toLocaleString("en-US")}-token training
                            context
                          </span>
                        )}
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </Card>
  );
}
