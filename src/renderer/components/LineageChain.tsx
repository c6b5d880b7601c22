// A variant's chain from its original: original → pruned (recipe) → distilled (teacher, data, loss,
// steps) → quantized (type, imatrix), read from the library (models.lineage).
import { Fragment } from "react";
import type { LineageStep } from "../../shared/domain/lineage.js";
import { useCall } from "../hooks/useCall.js";

const kindStyle: Record<LineageStep["kind"], string> = {
  original: "bg-zinc-100 text-zinc-700",
  pruned: "bg-rose-50 text-rose-800",
  distilled: "bg-indigo-50 text-indigo-800",
  quantized: "bg-emerald-50 text-emerald-800",
  derived: "bg-zinc-100 text-zinc-700",
};

export function LineageChain({ modelId }: { modelId: string }) {
  const lineage = useCall("models.lineage", { id: modelId }, ["models.changed"]);
  if (lineage.error)
    return <p className="text-xs text-red-700">Could not read the lineage: {lineage.error.message}</p>;
  const steps = lineage.data ?? [];
  if (steps.length === 0)
    return <p className="text-xs text-zinc-500">{lineage.loading ? "Loading…" : "—"}</p>;
  return (
    <ol
      className="flex flex-wrap items-start gap-1 text-xs"
      data-testid="lineage-chain"
      data-model-id={modelId}
      data-steps={steps.map((s) => s.kind).join(" ")}
      aria-label={`Lineage: ${steps.map((s) => s.kind).join(" → ")}`}
    >
      {steps.map((step, i) => (
        <Fragment key={step.modelId}>
          {i > 0 && (
            <li aria-hidden className="px-0.5 pt-1 text-zinc-400">
              →
            </li>
          )}
          <li
            className={`rounded-md px-2 py-1 ${kindStyle[step.kind]}`}
            data-testid="lineage-step"
            data-kind={step.kind}
          >
            <span className="font-medium">{step.kind}</span>
            <span className="text-zinc-500"> · {step.fileName}</span>
            {step.detail && <div className="max-w-xs text-[11px] opacity-80">{step.detail}</div>}
          </li>
        </Fragment>
      ))}
    </ol>
  );
}
