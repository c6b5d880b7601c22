// The quantization types as a checklist that explains each one: bits per weight, the quality loss
// to expect, and whether it needs an importance matrix. Presets fill it in one click.
import { formatBitsPerWeight } from "../../../shared/format.js";
import { Button } from "../../components/Button.js";
import { applyPreset, recipePresets, toggleType, type RecipeForm } from "./recipeForm.js";
import { lossTone, offeredTypes, typicalLoss } from "./quantTypeChoices.js";

export function QuantTypePicker({
  form,
  onChange,
}: {
  form: RecipeForm;
  onChange: (form: RecipeForm) => void;
}) {
  return (
    <div>
      <div className="flex flex-wrap items-center gap-2 border-b border-zinc-200 px-4 py-3">
        <span className="mr-1 text-xs font-medium text-zinc-500">Presets</span>
        {recipePresets.map((preset) => (
          <Button
            key={preset.id}
            onClick={() => onChange(applyPreset(form, preset))}
            title={`${preset.description} (${preset.types.join(", ")})`}
          >
            {preset.label}
          </Button>
        ))}
        <Button onClick={() => onChange({ ...form, types: [] })} disabled={form.types.length === 0}>
          Clear
        </Button>
        <span className="ml-auto text-xs tabular-nums text-zinc-500" data-testid="selected-type-count">
          {form.types.length} selected{form.types.length > 0 ? `: ${form.types.join(", ")}` : ""}
        </span>
      </div>
      <div className="max-h-[26rem] overflow-y-auto">
        <table className="w-full text-sm">
          <thead className="sticky top-0 z-10 border-b border-zinc-200 bg-zinc-50 text-left text-xs text-zinc-500">
            <tr>
              <th className="w-10 px-4 py-2" />
              <th className="px-2 py-2 font-medium">Type</th>
              <th className="px-3 py-2 text-right font-medium">Bits/weight</th>
              <th className="px-3 py-2 font-medium">Typical loss</th>
              <th className="px-3 py-2 font-medium">What it is</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100">
            {offeredTypes.map((type) => {
              const checked = form.types.includes(type.name);
              const loss = typicalLoss(type);
              return (
                <tr
                  key={type.name}
                  className={`cursor-pointer ${checked ? "bg-indigo-50/60" : "hover:bg-zinc-50"}`}
                  onClick={() => onChange(toggleType(form, type.name))}
                  data-testid="quant-type-row"
                  data-type={type.name}
                >
                  <td className="px-4 py-1.5">
                    <input
                      type="checkbox"
                      aria-label={`Quantize to ${type.name}`}
                      checked={checked}
                      onChange={() => onChange(toggleType(form, type.name))}
                      onClick={(event) => event.stopPropagation()}
                      className="size-4 accent-indigo-600"
                    />
                  </td>
                  <td className="whitespace-nowrap px-2 py-1.5 font-mono text-xs font-medium text-zinc-900">
                    {type.name}
                    {type.needsImatrix && (
                      <span className="ml-2 rounded bg-violet-50 px-1 py-0.5 font-sans text-[10px] font-medium text-violet-700 ring-1 ring-inset ring-violet-200">
                        needs imatrix
                      </span>
                    )}
                  </td>
                  <td className="whitespace-nowrap px-3 py-1.5 text-right tabular-nums text-zinc-700">
                    {formatBitsPerWeight(type.bpw)}
                  </td>
                  <td className="px-3 py-1.5">
                    <span
                      className={`inline-flex rounded-md px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset ${lossTone[loss]}`}
                    >
                      {loss}
                    </span>
                  </td>
                  <td className="px-3 py-1.5 text-xs text-zinc-600">{type.description}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
