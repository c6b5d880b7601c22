// The rest of a sweep's recipe: importance matrix, per-tensor overrides, what to measure, and the
// device the measurements run on.
import { Button } from "../../components/Button.js";
import { Checkbox, Field, NumberInput, Select, TextInput } from "../../components/Field.js";
import { gpuOptions, type ImatrixMode, type RecipeForm } from "./recipeForm.js";
import { LlamaBuildField } from "./LlamaBuildField.js";
import { TextChoice } from "./TextChoice.js";

type Props = { form: RecipeForm; onChange: (form: RecipeForm) => void };

const imatrixChoices: { mode: ImatrixMode; label: string; hint: string }[] = [
  { mode: "none", label: "None", hint: "Plain quantization. Fine at 5 bits and above." },
  {
    mode: "auto",
    label: "Compute from a calibration text",
    hint: "Computed once, reused by every type of the sweep and by later sweeps.",
  },
  {
    mode: "file",
    label: "Use an imatrix file",
    hint: "An importance matrix made earlier (llama-imatrix or cwb imatrix).",
  },
];

export function ImatrixSettings({ form, onChange }: Props) {
  return (
    <div className="space-y-3 px-4 py-3">
      <div className="grid gap-2 sm:grid-cols-3" role="radiogroup" aria-label="Importance matrix">
        {imatrixChoices.map((choice) => {
          const active = form.imatrixMode === choice.mode;
          return (
            <button
              key={choice.mode}
              type="button"
              role="radio"
              aria-checked={active}
              onClick={() => onChange({ ...form, imatrixMode: choice.mode })}
              className={`rounded-md px-3 py-2 text-left ring-1 ring-inset ${active ? "bg-indigo-50 ring-indigo-400" : "bg-white ring-zinc-200 hover:bg-zinc-50"}`}
            >
              <span className={`block text-sm font-medium ${active ? "text-indigo-800" : "text-zinc-800"}`}>
                {choice.label}
              </span>
              <span className="mt-0.5 block text-xs text-zinc-500">{choice.hint}</span>
            </button>
          );
        })}
      </div>
      {form.imatrixMode === "auto" && (
        <Field
          label="Calibration text file"
          hint="Plain text on the machine running the workbench; a few hundred KB is plenty."
        >
          <TextChoice
            label="Calibration text file"
            purpose="calibration"
            value={form.calibrationText}
            onChange={(calibrationText) => onChange({ ...form, calibrationText })}
          />
        </Field>
      )}
      {form.imatrixMode !== "none" && (
        <Checkbox
          label="Also make each type without the matrix, to measure what it buys"
          checked={form.compareImatrix}
          onChange={(compareImatrix) => onChange({ ...form, compareImatrix })}
        />
      )}
      {form.imatrixMode === "file" && (
        <Field label="Importance matrix file">
          <TextInput
            aria-label="Importance matrix file"
            placeholder="/path/to/model.imatrix"
            value={form.imatrixPath}
            onChange={(event) => onChange({ ...form, imatrixPath: event.target.value })}
          />
        </Field>
      )}
    </div>
  );
}

export function OverrideSettings({ form, onChange }: Props) {
  const setRow = (index: number, patch: Partial<RecipeForm["overrides"][number]>) =>
    onChange({
      ...form,
      overrides: form.overrides.map((row, i) => (i === index ? { ...row, ...patch } : row)),
    });
  return (
    <div className="space-y-2 px-4 py-3">
      <p className="text-xs text-zinc-500">
        Keep chosen tensors at another type, as llama-quantize's{" "}
        <code className="font-mono">--tensor-type REGEX=TYPE</code> (e.g.{" "}
        <code className="font-mono">attn_v=q8_0</code>). The dry run shows their effect on size.
      </p>
      {form.overrides.map((row, index) => (
        <div key={index} className="flex items-center gap-2" data-testid="override-row">
          <TextInput
            aria-label={`Override ${index + 1} tensor pattern`}
            placeholder="tensor-name regex, e.g. ffn_down"
            value={row.pattern}
            onChange={(event) => setRow(index, { pattern: event.target.value })}
            className="font-mono"
          />
          <span className="text-zinc-400">=</span>
          <TextInput
            aria-label={`Override ${index + 1} type`}
            placeholder="q8_0"
            value={row.type}
            onChange={(event) => setRow(index, { type: event.target.value })}
            className="w-28 font-mono"
          />
          <Button
            onClick={() => onChange({ ...form, overrides: form.overrides.filter((_, i) => i !== index) })}
            aria-label={`Remove override ${index + 1}`}
          >
            Remove
          </Button>
        </div>
      ))}
      <Button
        onClick={() => onChange({ ...form, overrides: [...form.overrides, { pattern: "", type: "" }] })}
      >
        Add override
      </Button>
    </div>
  );
}

export function MeasureSettings({ form, onChange }: Props) {
  return (
    <div className="grid gap-4 px-4 py-3 md:grid-cols-2">
      <div className="space-y-3">
        <Checkbox
          label="Evaluate quality (perplexity, KL divergence vs the base)"
          checked={form.evalOn}
          onChange={(evalOn) => onChange({ ...form, evalOn })}
        />
        <Field label="Evaluation text file">
          <TextChoice
            label="Evaluation text file"
            purpose="evaluation"
            disabled={!form.evalOn}
            value={form.evalText}
            onChange={(evalText) => onChange({ ...form, evalText })}
          />
        </Field>
        <div className="grid grid-cols-2 gap-3">
          <Field label="Context (tokens)">
            <NumberInput
              aria-label="Evaluation context"
              min={16}
              step={64}
              disabled={!form.evalOn}
              value={form.evalContextSize}
              onValue={(v) => onChange({ ...form, evalContextSize: v ?? 0 })}
            />
          </Field>
          <Field label="Chunks" hint="Empty: the whole text.">
            <NumberInput
              aria-label="Evaluation chunks"
              min={1}
              disabled={!form.evalOn}
              value={form.evalChunks}
              onValue={(evalChunks) => onChange({ ...form, evalChunks })}
            />
          </Field>
        </div>
      </div>
      <div className="space-y-3">
        <Checkbox
          label="Benchmark speed and memory"
          checked={form.benchOn}
          onChange={(benchOn) => onChange({ ...form, benchOn })}
        />
        <Field label="Repetitions" hint="Each test runs this often: 1 is quick, 3–5 gives steadier numbers.">
          <NumberInput
            aria-label="Benchmark repetitions"
            min={1}
            max={50}
            disabled={!form.benchOn}
            value={form.benchReps}
            onValue={(v) => onChange({ ...form, benchReps: v ?? 0 })}
          />
        </Field>
      </div>
    </div>
  );
}

export function DeviceSettings({ form, onChange }: Props) {
  const onCpu = form.gpu === "cpu";
  const softwareApplies = form.gpu === "auto" || form.gpu === "vulkan";
  return (
    <div className="space-y-3 px-4 py-3" data-testid="device-settings">
      <p className="text-xs text-zinc-500">
        Where the benchmarks, the quality evaluation and the importance matrix of this sweep run. Quantization
        always runs on the CPU.
      </p>
      <div className="grid gap-4 md:grid-cols-[minmax(0,20rem)_minmax(0,20rem)_1fr] md:items-start">
        <Field label="GPU" hint="Automatic: a hardware GPU when there is one, otherwise the CPU.">
          <Select
            aria-label="GPU"
            value={form.gpu}
            disabled={form.llamaBuild === "local"}
            onChange={(event) => onChange({ ...form, gpu: event.target.value as RecipeForm["gpu"] })}
          >
            {gpuOptions.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </Select>
        </Field>
        <Field
          label="GPU layers"
          hint={onCpu ? "Nothing is offloaded on the CPU." : "Layers whose weights and cache go to the GPU."}
        >
          <div className="flex gap-2">
            <Select
              aria-label="GPU layers"
              value={form.gpuLayersMode}
              disabled={onCpu}
              onChange={(event) =>
                onChange({ ...form, gpuLayersMode: event.target.value as RecipeForm["gpuLayersMode"] })
              }
            >
              <option value="auto">Automatic</option>
              <option value="max">All layers</option>
              <option value="count">A number of layers</option>
            </Select>
            {form.gpuLayersMode === "count" && (
              <NumberInput
                aria-label="Number of GPU layers"
                min={0}
                disabled={onCpu}
                value={form.gpuLayerCount}
                onValue={(gpuLayerCount) => onChange({ ...form, gpuLayerCount })}
                className="w-24"
              />
            )}
          </div>
        </Field>
        <div className="space-y-1 md:pt-6">
          <Checkbox
            label="Allow software GPU devices"
            checked={form.allowSoftwareGpu}
            disabled={!softwareApplies}
            onChange={(allowSoftwareGpu) => onChange({ ...form, allowSoftwareGpu })}
          />
          <p className="text-xs text-zinc-500">
            A software renderer such as llvmpipe is the CPU drawing as a GPU: slower than the CPU itself, so
            it is skipped unless allowed here.
          </p>
        </div>
      </div>
      <LlamaBuildField form={form} onChange={onChange} />
    </div>
  );
}
