// "Best variant that fits N GB at ≥ M tok/s": the answer, why, and a button to select it.
import { useState } from "react";
import type { ExperimentRow } from "../../../shared/domain/experiment.js";
import { formatBytes, formatKld, formatTokensPerSecondFixed } from "../../../shared/format.js";
import { Button } from "../../components/Button.js";
import { Field, NumberInput, Select } from "../../components/Field.js";
import { answerFitQuery, type MemoryBasis } from "./fitQuery.js";

export function FitQueryPanel({
  rows,
  onSelect,
}: {
  rows: readonly ExperimentRow[];
  onSelect: (modelId: string) => void;
}) {
  const [maxGb, setMaxGb] = useState<number | null>(4);
  const [minRate, setMinRate] = useState<number | null>(10);
  const [basis, setBasis] = useState<MemoryBasis>("peakMemory");
  const answer = answerFitQuery(rows, { maxGb: maxGb ?? 0, minTokensPerSecond: minRate ?? 0, basis });
  const best = answer.best;
  return (
    <div className="flex flex-wrap items-end gap-4 px-4 py-3">
      <Field label="Fits in (GB)" className="w-28">
        <NumberInput aria-label="Memory limit in GB" min={0} step={0.5} value={maxGb} onValue={setMaxGb} />
      </Field>
      <Field label="Measured as" className="w-44">
        <Select
          aria-label="Memory basis"
          value={basis}
          onChange={(event) => setBasis(event.target.value as MemoryBasis)}
        >
          <option value="peakMemory">peak memory</option>
          <option value="fileSize">file size</option>
        </Select>
      </Field>
      <Field label="At least (tok/s)" className="w-32">
        <NumberInput
          aria-label="Minimum generation speed"
          min={0}
          step={1}
          value={minRate}
          onValue={setMinRate}
        />
      </Field>
      <div className="min-w-64 flex-1 pb-0.5" data-testid="fit-answer" data-best={best?.label ?? ""}>
        {best ? (
          <div className="flex items-center gap-3 rounded-md bg-emerald-50 px-3 py-2 ring-1 ring-inset ring-emerald-200">
            <div className="min-w-0 flex-1 text-sm text-emerald-900">
              <span className="font-semibold">{best.label}</span> —{" "}
              {formatBytes(basis === "peakMemory" ? best.peakRssBytes : best.sizeBytes)}{" "}
              {basis === "peakMemory" ? "peak" : "file"}, {formatTokensPerSecondFixed(best.tgTokensPerSecond)}
              , KLD {formatKld(best.isBase ? 0 : best.kldMean)}
              <span className="text-emerald-700">
                {" "}
                · lowest divergence of {answer.candidates.length} that qualify
              </span>
            </div>
            <Button onClick={() => onSelect(best.modelId)}>Select</Button>
          </div>
        ) : (
          <div className="rounded-md bg-zinc-50 px-3 py-2 text-sm text-zinc-600 ring-1 ring-inset ring-zinc-200">
            {answer.reason}
          </div>
        )}
      </div>
    </div>
  );
}
