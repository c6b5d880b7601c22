// The Devices screen's form as plain values, and its way to a profile: the shared schema checks it,
// and each problem is put next to the field it concerns. Figures the form has no field for (CPU,
// GPU, storage limits, notes) are kept from the profile being copied or edited.
import {
  deviceProfile,
  deviceProfileSchemaVersion,
  type DeviceKind,
  type DeviceOperatingSystem,
  type DeviceProfile,
  type SourceBasis,
} from "../../../shared/domain/deviceProfile.js";

const GiB = 1024 ** 3;
const GB = 1e9;

export interface SourcedField {
  readonly amount: number | null;
  readonly source: string;
  readonly basis: SourceBasis;
}

export interface DeviceFormValues {
  readonly id: string;
  readonly name: string;
  readonly kind: DeviceKind;
  readonly os: DeviceOperatingSystem;
  /** GiB */
  readonly ram: SourcedField;
  /** GiB */
  readonly usable: SourcedField;
  /** GB/s */
  readonly bandwidth: SourcedField;
}

export type FigureField = "ram" | "usable" | "bandwidth";
/** Where a problem is shown: a plain field, a figure's amount or source, or the form as a whole. */
export type FormFieldKey =
  "id" | "name" | "kind" | "os" | `${FigureField}.amount` | `${FigureField}.source` | "form";
export type FormErrors = Partial<Record<FormFieldKey, string>>;

const figures: readonly {
  field: FigureField;
  key: "ramBytes" | "usableMemoryBytes" | "memoryBandwidth";
  unit: number;
}[] = [
  { field: "ram", key: "ramBytes", unit: GiB },
  { field: "usable", key: "usableMemoryBytes", unit: GiB },
  { field: "bandwidth", key: "memoryBandwidth", unit: GB },
];

const emptyFigure: SourcedField = { amount: null, source: "", basis: "spec" };

export const emptyDeviceForm: DeviceFormValues = {
  id: "",
  name: "",
  kind: "phone",
  os: "android",
  ram: emptyFigure,
  usable: emptyFigure,
  bandwidth: emptyFigure,
};

/** The form filled from a profile (amounts rounded to what people type). */
export function formFromProfile(profile: DeviceProfile): DeviceFormValues {
  const values: Record<FigureField, SourcedField> = {
    ram: emptyFigure,
    usable: emptyFigure,
    bandwidth: emptyFigure,
  };
  for (const { field, key, unit } of figures) {
    const figure = profile[key];
    values[field] = {
      amount: Number((figure.value / unit).toPrecision(6)),
      source: figure.source,
      basis: figure.basis,
    };
  }
  return { id: profile.id, name: profile.name, kind: profile.kind, os: profile.os, ...values };
}

function errorKey(path: readonly PropertyKey[]): FormFieldKey {
  const [first, second] = path;
  const figure = figures.find((f) => f.key === first);
  if (figure) return second === "source" ? `${figure.field}.source` : `${figure.field}.amount`;
  return first === "id" || first === "name" || first === "kind" || first === "os" ? first : "form";
}

/** The profile the form describes on top of `base`, or the problems by field. */
export function profileFromForm(
  values: DeviceFormValues,
  base: DeviceProfile | null,
): { profile: DeviceProfile; errors: null } | { profile: null; errors: FormErrors } {
  const candidate = {
    ...(base ?? {}),
    schemaVersion: deviceProfileSchemaVersion,
    id: values.id.trim(),
    name: values.name,
    kind: values.kind,
    os: values.os,
    ...Object.fromEntries(
      figures.map(({ field, key, unit }) => {
        const { amount, source, basis } = values[field];
        return [key, { value: amount === null ? Number.NaN : amount * unit, source, basis }];
      }),
    ),
  };
  const parsed = deviceProfile.safeParse(candidate);
  if (parsed.success) return { profile: parsed.data, errors: null };
  const errors: FormErrors = {};
  for (const issue of parsed.error.issues) {
    const key = errorKey(issue.path);
    const message = key.endsWith(".amount") ? "enter a positive number" : issue.message;
    errors[key] ??= key === "form" ? `${issue.path.join(".")}: ${message}` : message;
  }
  return { profile: null, errors };
}
