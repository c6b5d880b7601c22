// The Compress screen's "Speculative decoding" step: a target (the base or one of the chosen types),
// its drafts (every other variant, or the ones ticked), the prompts and the run's settings. The sweep
// then measures each pair and Compare ranks the drafts (docs/speculative.md).
import { Checkbox, Field, NumberInput, Select } from "../../components/Field.js";
import type { SpeculateForm } from "./speculateForm.js";

const numberFields: readonly {
  key: "maxTokens" | "draftMax" | "reps";
  label: string;
  ariaLabel: string;
}[] = [
  { key: "maxTokens", label: "Tokens per prompt", ariaLabel: "Speculative tokens per prompt" },
  { key: "draftMax", label: "Draft up to (tokens)", ariaLabel: "Most drafted tokens per round" },
  { key: "reps", label: "Repetitions", ariaLabel: "Speculative repetitions" },
];

export function SpeculateSettings({
  form,
  types,
  onChange,
}: {
  form: SpeculateForm;
  types: readonly string[];
  onChange: (form: SpeculateForm) => void;
}) {
  const drafts = types.filter((t) => t !== form.target);
  const toggleDraft = (type: string, on: boolean) => {
    const chosen = form.drafts.length === 0 ? drafts : form.drafts;
    const next = on ? [...chosen, type] : chosen.filter((d) => d !== type);
    // Every other type ticked is "all" (the chain's variants included).
    onChange({ ...form, drafts: drafts.every((d) => next.includes(d)) ? [] : next });
  };
  return (
    <div className="space-y-3 px-4 py-3">
      <Checkbox
        label="Measure each variant as a speculative draft"
        checked={form.on}
        onChange={(on) => onChange({ ...form, on })}
      />
      {form.on && (
        <>
          <div className="flex flex-wrap items-end gap-4">
            <Field label="Target" className="w-48">
              <Select
                aria-label="Speculative target"
                value={form.target}
                onChange={(event) => onChange({ ...form, target: event.target.value, drafts: [] })}
              >
                <option value="original">the base (original)</option>
                {types.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </Select>
            </Field>
            {numberFields.map((field) => (
              <Field key={field.key} label={field.label} className="w-32">
                <NumberInput
                  aria-label={field.ariaLabel}
                  min={1}
                  value={form[field.key]}
                  onValue={(value) => onChange({ ...form, [field.key]: value })}
                />
              </Field>
            ))}
          </div>
          <div className="flex flex-wrap items-center gap-x-4 gap-y-1" role="group" aria-label="Drafts">
            <span className="text-xs font-medium text-zinc-600">Drafts</span>
            {drafts.length === 0 && (
              <span className="text-xs text-zinc-500">
                Choose types above: every one but the target is a draft.
              </span>
            )}
            {drafts.map((type) => (
              <Checkbox
                key={type}
                label={type}
                checked={form.drafts.length === 0 || form.drafts.includes(type)}
                onChange={(on) => toggleDraft(type, on)}
              />
            ))}
          </div>
          <Field label="Prompts" hint="One per line. Greedy output is checked against the target alone.">
            <textarea
              aria-label="Speculative prompts"
              rows={3}
              value={form.prompts}
              onChange={(event) => onChange({ ...form, prompts: event.target.value })}
              className="block w-full rounded-md border-0 px-2.5 py-1.5 text-sm text-zinc-900 ring-1 ring-inset ring-zinc-300 focus:ring-2 focus:ring-indigo-500"
            />
          </Field>
        </>
      )}
    </div>
  );
}
