// The Models screen's "will it fit on this machine" panel: a context-size selector, with a GPU the
// layers to offload, and per model the estimated memory split between RAM and VRAM (weights and KV
// cache of the offloaded layers on the GPU, the rest on the CPU) with a badge for each.
import { useState } from "react";
import type { ModelSummary } from "../../shared/domain/model.js";
import { formatBytes } from "../../shared/format.js";
import { modelLabel } from "../../shared/modelLabel.js";
import { willItFit, type FitDeviceSettings } from "../../shared/metrics/fit.js";
import { useCall } from "../hooks/useCall.js";
import { Card } from "./Card.js";
import { FitBadge } from "./FitBadge.js";
import { Select } from "./Field.js";

export const contextChoices = [512, 2048, 4096, 8192, 16384, 32768, 65536, 131072] as const;

const offloadChoices: readonly { value: string; label: string; device: FitDeviceSettings }[] = [
  { value: "auto", label: "as many as fit", device: { gpu: "auto", gpuLayers: "auto" } },
  { value: "max", label: "all layers", device: { gpu: "auto", gpuLayers: "max" } },
  { value: "cpu", label: "none (CPU only)", device: { gpu: "cpu", gpuLayers: 0 } },
];

export function ModelFitCard({ models }: { models: readonly ModelSummary[] }) {
  const machine = useCall("app.machine", {});
  const [contextSize, setContextSize] = useState(4096);
  const [offload, setOffload] = useState("auto");
  if (models.length === 0) return null;
  const m = machine.data;
  const hasGpu = Boolean(m?.vramBytes && m.vramBytes > 0);
  const device =
    offloadChoices.find((choice) => choice.value === offload)?.device ?? offloadChoices[0]!.device;
  return (
    <Card
      title="Will it fit on this machine?"
      actions={
        <>
          {hasGpu && (
            <label className="flex items-center gap-2 text-xs text-zinc-500">
              GPU layers
              <Select
                aria-label="GPU layers to offload"
                value={offload}
                onChange={(event) => setOffload(event.target.value)}
                className="w-36 py-1 text-xs"
              >
                {offloadChoices.map((choice) => (
                  <option key={choice.value} value={choice.value}>
                    {choice.label}
                  </option>
                ))}
              </Select>
            </label>
          )}
          <label className="flex items-center gap-2 text-xs text-zinc-500">
            Context
            <Select
              aria-label="Context size"
              value={contextSize}
              onChange={(event) => setContextSize(Number(event.target.value))}
              className="w-36 py-1 text-xs"
            >
              {contextChoices.map((ctx) => (
                <option key={ctx} value={ctx}>
                  {ctx.toLocaleString("en-US")} tokens
                </option>
              ))}
            </Select>
          </label>
        </>
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
            Estimate: weights + F16 KV cache + compute buffer + runtime overhead
            {hasGpu
              ? "; the weights and KV cache of the layers on the GPU count against VRAM, the rest against RAM"
              : ""}
            ; “fits” means under 80 % of the memory.
          </p>
          <table className="w-full text-sm" data-testid="fit-table">
            <thead className="text-left text-xs text-zinc-500">
              <tr>
                <th className="px-4 py-1.5 font-medium">Model</th>
                <th className="px-3 py-1.5 text-right font-medium">Weights</th>
                <th className="px-3 py-1.5 text-right font-medium">KV cache</th>
                <th className="px-3 py-1.5 text-right font-medium">RAM</th>
                {hasGpu && <th className="px-3 py-1.5 text-right font-medium">VRAM</th>}
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
                  device,
                );
                const { split } = fit;
                const layersText = (n: number) => `${n} of ${split.layers} layers`;
                const beyondTraining =
                  model.metadata.contextLength !== null && contextSize > model.metadata.contextLength;
                return (
                  <tr key={model.id} data-testid="fit-row">
                    <td className="max-w-[22rem] px-4 py-1.5 text-zinc-800" title={model.path}>
                      <div className="truncate" data-testid="fit-model">
                        {modelLabel(model)}
                      </div>
                      <div className="truncate text-xs text-zinc-400">{model.fileName}</div>
                    </td>
                    <td className="px-3 py-1.5 text-right tabular-nums text-zinc-700">
                      {formatBytes(fit.estimate.modelBytes)}
                    </td>
                    <td className="px-3 py-1.5 text-right tabular-nums text-zinc-700">
                      {formatBytes(fit.estimate.kvCacheBytes)}
                    </td>
                    <td
                      className="px-3 py-1.5 text-right tabular-nums font-medium text-zinc-900"
                      data-testid="fit-ram"
                    >
                      {formatBytes(split.ram.totalBytes)}
                    </td>
                    {hasGpu && (
                      <td
                        className="px-3 py-1.5 text-right tabular-nums text-zinc-900"
                        data-testid="fit-vram"
                      >
                        {split.gpuLayers > 0 ? (
                          <>
                            <span className="font-medium">{formatBytes(split.vram.totalBytes)}</span>
                            <span className="block text-[11px] text-zinc-500">
                              {layersText(split.gpuLayers)}
                            </span>
                          </>
                        ) : (
                          <span className="text-zinc-400">none offloaded</span>
                        )}
                      </td>
                    )}
                    <td className="px-4 py-1.5">
                      <span className="flex flex-wrap items-center gap-1.5">
                        <FitBadge
                          verdict={fit.ram}
                          part={split.ram}
                          memory="RAM"
                          availableBytes={m.ramBytes}
                          holds={`CPU: ${layersText(split.layers - split.gpuLayers)}`}
                          guessed={fit.estimate.guessed}
                        />
                        {fit.vram && m.vramBytes && (
                          <FitBadge
                            verdict={fit.vram}
                            part={split.vram}
                            memory="VRAM"
                            availableBytes={m.vramBytes}
                            holds={`GPU: ${layersText(split.gpuLayers)}`}
                            guessed={fit.estimate.guessed}
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
