// The sweep's chain steps on Compress: Prune (the N least important blocks, listed blocks, or width)
// and Distill (heal the pruned model from the base: budget, learning rate, temperature, hard-label
// weight, texts) with how long its training should take and where that estimate comes from. Every
// type is then quantized from the original, the pruned and the healed model.
import type { ModelSummary } from "../../../shared/domain/model.js";
import { formatDuration, formatInteger, formatParams } from "../../../shared/format.js";
import {
  defaultDistillRate,
  estimateDistillSeconds,
  measuredDistills,
} from "../../../shared/metrics/distillEstimate.js";
import { Checkbox, Field, NumberInput, Select, TextInput } from "../../components/Field.js";
import { useJobs } from "../../hooks/useJobs.js";
import type { ChainForm, PruneMode } from "./chainForm.js";

type Props = { chain: ChainForm; onChange: (chain: ChainForm) => void };

const pruneModes: { value: PruneMode; label: string }[] = [
  { value: "off", label: "No pruning" },
  { value: "drop", label: "Drop the least important blocks" },
  { value: "blocks", label: "Drop these blocks" },
  { value: "width", label: "Narrow every block (width)" },
];

export function PruneStepSettings({ chain, onChange, model }: Props & { model: ModelSummary }) {
  return (
    <div className="space-y-3 px-4 py-3">
      <p className="text-xs text-zinc-500">
        Prune the base first: every type is then quantized from the original and from the pruned model (and
        from the healed one with a Distill step), all scored against the original.
      </p>
      <div className="grid gap-3 md:grid-cols-[minmax(0,18rem)_1fr]">
        <Field label="Prune">
          <Select
            aria-label="Prune step"
            value={chain.pruneMode}
            onChange={(event) => onChange({ ...chain, pruneMode: event.target.value as PruneMode })}
          >
            {pruneModes.map((m) => (
              <option key={m.value} value={m.value}>
                {m.label}
              </option>
            ))}
          </Select>
        </Field>
        {chain.pruneMode === "drop" && (
          <Field label="Blocks to drop" hint={`Of ${model.metadata.layers}, ranked on the text below.`}>
            <NumberInput
              aria-label="Blocks to drop"
              min={1}
              max={Math.max(1, model.metadata.layers - 1)}
              value={chain.pruneDrop}
              onValue={(pruneDrop) => onChange({ ...chain, pruneDrop })}
              className="w-28"
            />
          </Field>
        )}
        {chain.pruneMode === "blocks" && (
          <Field label="Block indices" hint={`0 to ${model.metadata.layers - 1}, e.g. 3,5.`}>
            <TextInput
              aria-label="Blocks to drop list"
              value={chain.pruneBlocks}
              onChange={(event) => onChange({ ...chain, pruneBlocks: event.target.value })}
            />
          </Field>
        )}
        {chain.pruneMode === "width" && (
          <div className="grid grid-cols-2 gap-3">
            <Field label="FFN channels kept" hint="0.75, 75 % or a count; empty keeps all.">
              <TextInput
                aria-label="FFN channels kept"
                value={chain.ffnKeep}
                onChange={(event) => onChange({ ...chain, ffnKeep: event.target.value })}
              />
            </Field>
            <Field label="KV head groups kept" hint="Empty keeps all.">
              <TextInput
                aria-label="KV head groups kept"
                value={chain.headsKeep}
                onChange={(event) => onChange({ ...chain, headsKeep: event.target.value })}
              />
            </Field>
          </div>
        )}
      </div>
      {chain.pruneMode !== "off" && (
        <Field
          label="Prune and distill text file"
          hint="Ranks what to prune and trains the healing. Empty: the importance matrix's calibration text."
        >
          <TextInput
            aria-label="Prune and distill text file"
            placeholder="/path/to/calibration.txt"
            value={chain.text}
            onChange={(event) => onChange({ ...chain, text: event.target.value })}
          />
        </Field>
      )}
    </div>
  );
}

export function DistillStepSettings({ chain, onChange, model }: Props & { model: ModelSummary }) {
  const disabled = chain.pruneMode === "off";
  return (
    <div className="space-y-3 px-4 py-3">
      <Checkbox
        label="Heal the pruned model by distillation from the base"
        checked={chain.distillOn && !disabled}
        disabled={disabled}
        onChange={(distillOn) => onChange({ ...chain, distillOn })}
      />
      {disabled && (
        <p className="text-xs text-zinc-500">
          Choose a Prune step first: distillation heals what it removed.
        </p>
      )}
      {chain.distillOn && !disabled && (
        <>
          <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
            <Field label="Tokens to train">
              <NumberInput
                aria-label="Distill tokens"
                min={256}
                step={256}
                value={chain.distillTokens}
                onValue={(distillTokens) => onChange({ ...chain, distillTokens })}
              />
            </Field>
            <Field label="Learning rate">
              <NumberInput
                aria-label="Distill learning rate"
                step={1e-5}
                value={chain.lr}
                onValue={(lr) => onChange({ ...chain, lr })}
              />
            </Field>
            <Field label="Temperature">
              <NumberInput
                aria-label="Distill temperature"
                step={0.5}
                value={chain.temperature}
                onValue={(temperature) => onChange({ ...chain, temperature })}
              />
            </Field>
            <Field label="Hard-label weight (α)" hint="0: the teacher only.">
              <NumberInput
                aria-label="Distill alpha"
                step={0.1}
                min={0}
                max={1}
                value={chain.alpha}
                onValue={(alpha) => onChange({ ...chain, alpha })}
              />
            </Field>
          </div>
          <Field
            label="Held-out text file (optional)"
            hint="Loss and KLD to the teacher followed while training."
          >
            <TextInput
              aria-label="Distill held-out text file"
              placeholder="/path/to/heldout.txt"
              value={chain.heldout}
              onChange={(event) => onChange({ ...chain, heldout: event.target.value })}
            />
          </Field>
          <DistillTimeEstimate tokens={chain.distillTokens} model={model} />
        </>
      )}
    </div>
  );
}

function DistillTimeEstimate({ tokens, model }: { tokens: number | null; model: ModelSummary }) {
  const { jobs } = useJobs(1000);
  const params = model.metadata.parameterCount;
  if (!tokens || !params) return null;
  const measured = measuredDistills(jobs);
  const estimate = estimateDistillSeconds(tokens, params, measured);
  const source =
    estimate.source === "measured"
      ? `from the training speed of ${estimate.runs} earlier distillation${estimate.runs === 1 ? "" : "s"} on this machine, scaled to ${formatParams(params)} parameters`
      : `no distillation has run here yet: the default rate, ${formatInteger(defaultDistillRate.slowTokensPerSecond)}–${formatInteger(defaultDistillRate.fastTokensPerSecond)} tokens/s measured on the ${formatParams(defaultDistillRate.parameterCount)}-parameter reference model on a busy 2-core machine, scaled to ${formatParams(params)} parameters`;
  return (
    <p className="text-sm text-zinc-700" data-testid="distill-estimate">
      Training should take{" "}
      <span className="font-medium tabular-nums">
        {formatDuration(estimate.lowSeconds)} – {formatDuration(estimate.highSeconds)}
      </span>{" "}
      <span className="text-xs text-zinc-500">
        ({source}; the teacher's first pass over the text comes on top and is cached for later runs)
      </span>
    </p>
  );
}
