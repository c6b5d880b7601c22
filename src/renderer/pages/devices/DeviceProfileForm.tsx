// Add or edit a user device profile: name and kind, and the three figures a prediction needs, each
// with where it comes from. The shared schema checks the form before it is sent; what the workbench
// refuses (an id that is taken) is shown with its fix.
import { useState } from "react";
import {
  deviceKinds,
  deviceOperatingSystems,
  sourceBases,
  type DeviceKind,
  type DeviceOperatingSystem,
  type DeviceProfile,
  type SourceBasis,
} from "../../../shared/domain/deviceProfile.js";
import { basisLabels } from "../../../shared/devices/describeDevice.js";
import { appErrorOf } from "../../../shared/domain/errors.js";
import { Button } from "../../components/Button.js";
import { ErrorDetails } from "../../components/ErrorDetails.js";
import { Field, NumberInput, Select, TextInput } from "../../components/Field.js";
import { errorWords } from "../../errorWords.js";
import {
  formFromProfile,
  emptyDeviceForm,
  profileFromForm,
  type DeviceFormValues,
  type FigureField,
  type FormErrors,
} from "./deviceForm.js";

export interface DeviceProfileFormProps {
  /** The profile copied or edited (its other figures are kept); null for a new one. */
  readonly base: DeviceProfile | null;
  /** Editing keeps the id; adding asks for one. */
  readonly mode: "add" | "edit";
  readonly onSubmit: (profile: DeviceProfile) => Promise<void>;
  readonly onCancel: () => void;
}

const figureLabels: Record<FigureField, string> = {
  ram: "RAM (GiB)",
  usable: "Usable by one app (GiB)",
  bandwidth: "Memory bandwidth (GB/s)",
};

const figureNames: Record<FigureField, string> = {
  ram: "RAM",
  usable: "usable memory",
  bandwidth: "bandwidth",
};

function FieldError({ text, id }: { text: string | undefined; id: string }) {
  return text ? (
    <span className="mt-1 block text-xs text-red-700" data-testid={`error-${id}`}>
      {text}
    </span>
  ) : null;
}

export function DeviceProfileForm({ base, mode, onSubmit, onCancel }: DeviceProfileFormProps) {
  const [values, setValues] = useState<DeviceFormValues>(() =>
    base
      ? { ...formFromProfile(base), ...(mode === "add" ? { id: "", name: `${base.name} (copy)` } : {}) }
      : emptyDeviceForm,
  );
  const [errors, setErrors] = useState<FormErrors>({});
  const [refusal, setRefusal] = useState<Error>();
  const [busy, setBusy] = useState(false);

  const setFigure = (field: FigureField, change: Partial<DeviceFormValues[FigureField]>) =>
    setValues((v) => ({ ...v, [field]: { ...v[field], ...change } }));

  const submit = async () => {
    const result = profileFromForm(values, base);
    setErrors(result.errors ?? {});
    setRefusal(undefined);
    if (!result.profile) return;
    setBusy(true);
    try {
      await onSubmit(result.profile);
    } catch (error) {
      setRefusal(error instanceof Error ? error : new Error(String(error)));
    } finally {
      setBusy(false);
    }
  };

  const coded = refusal === undefined ? null : appErrorOf(refusal);
  return (
    <form
      className="space-y-4 px-4 py-3"
      aria-label={mode === "add" ? "New device profile" : "Edit device profile"}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <div className="grid grid-cols-2 gap-3">
        <Field label="Id" hint="lowercase letters, digits and dashes">
          <TextInput
            value={values.id}
            disabled={mode === "edit"}
            onChange={(e) => setValues((v) => ({ ...v, id: e.target.value }))}
          />
          <FieldError text={errors.id} id="id" />
        </Field>
        <Field label="Name">
          <TextInput
            value={values.name}
            onChange={(e) => setValues((v) => ({ ...v, name: e.target.value }))}
          />
          <FieldError text={errors.name} id="name" />
        </Field>
        <Field label="Kind">
          <Select
            value={values.kind}
            onChange={(e) => setValues((v) => ({ ...v, kind: e.target.value as DeviceKind }))}
          >
            {deviceKinds.map((kind) => (
              <option key={kind}>{kind}</option>
            ))}
          </Select>
        </Field>
        <Field label="Operating system">
          <Select
            value={values.os}
            onChange={(e) => setValues((v) => ({ ...v, os: e.target.value as DeviceOperatingSystem }))}
          >
            {deviceOperatingSystems.map((os) => (
              <option key={os}>{os}</option>
            ))}
          </Select>
        </Field>
      </div>
      {(Object.keys(figureLabels) as FigureField[]).map((field) => (
        <fieldset key={field} className="grid grid-cols-[10rem_1fr_10rem] items-start gap-3">
          <Field label={figureLabels[field]}>
            <NumberInput
              min={0}
              step="any"
              value={values[field].amount}
              onValue={(amount) => setFigure(field, { amount })}
            />
            <FieldError text={errors[`${field}.amount`]} id={`${field}-amount`} />
          </Field>
          <Field label={`Source of the ${figureNames[field]} figure`}>
            <TextInput
              value={values[field].source}
              onChange={(e) => setFigure(field, { source: e.target.value })}
            />
            <FieldError text={errors[`${field}.source`]} id={`${field}-source`} />
          </Field>
          <Field label="Basis">
            <Select
              value={values[field].basis}
              onChange={(e) => setFigure(field, { basis: e.target.value as SourceBasis })}
              aria-label={`Basis of ${figureLabels[field]}`}
            >
              {sourceBases.map((basis) => (
                <option key={basis} value={basis}>
                  {basisLabels[basis]}
                </option>
              ))}
            </Select>
          </Field>
        </fieldset>
      ))}
      {base && (
        <p className="text-xs text-zinc-500">
          CPU, GPU and storage limits are kept from {base.name}; a profile file imported from the command line
          changes them.
        </p>
      )}
      {errors.form && <p className="text-xs text-red-700">{errors.form}</p>}
      {refusal !== undefined &&
        (coded ? (
          <ErrorDetails words={errorWords(coded)} testId="device-form-refusal" />
        ) : (
          <p className="text-xs text-red-700" data-testid="device-form-refusal">
            {refusal.message}
          </p>
        ))}
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={busy}>
          {mode === "add" ? "Add profile" : "Save changes"}
        </Button>
        <Button onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
