// A device profile: what a phone, tablet or single-board computer offers a model, as data. Every
// number carries where it comes from (a spec sheet, a derivation, a rule of thumb, a measurement),
// so a screen can show it and a prediction can say how firm its inputs are. Built-in profiles live
// in shared/devices/builtinDeviceProfiles.ts; users' own ones in the store (core/devices).
import { z } from "zod";

/** Version of the profile format; a file written for another version is refused with its number. */
export const deviceProfileSchemaVersion = 1;

/**
 * How a number was obtained: a manufacturer's or standard's figure, arithmetic over such figures
 * (bus width × transfer rate), a documented rule of thumb, or a measurement on the device.
 */
export const sourceBases = ["spec", "derived", "rule-of-thumb", "measured"] as const;
export const sourceBasis = z.enum(sourceBases);
export type SourceBasis = z.infer<typeof sourceBasis>;

/** Where a number comes from: the document (title or URL) and what it says, in our own words. */
const provenance = {
  source: z.string().trim().min(1, "say where the number comes from"),
  basis: sourceBasis,
};

/** A number (bytes, or bytes per second) with its provenance. */
export const sourcedNumber = z.object({ value: z.number().positive(), ...provenance });
export type SourcedNumber = z.infer<typeof sourcedNumber>;

export const deviceKinds = ["phone", "tablet", "sbc", "laptop"] as const;
export const deviceKind = z.enum(deviceKinds);
export type DeviceKind = z.infer<typeof deviceKind>;

export const deviceOperatingSystems = ["ios", "ipados", "android", "linux", "macos", "windows"] as const;
export const deviceOperatingSystem = z.enum(deviceOperatingSystems);
export type DeviceOperatingSystem = z.infer<typeof deviceOperatingSystem>;

export const gpuApis = ["metal", "vulkan", "opencl"] as const;
export const gpuApi = z.enum(gpuApis);
export type GpuApi = z.infer<typeof gpuApi>;

export const cpuCluster = z.object({
  cores: z.number().int().positive(),
  /** The core design, e.g. "Cortex-X4" or "performance". */
  core: z.string().trim().min(1),
  maxGhz: z.number().positive(),
});
export type CpuCluster = z.infer<typeof cpuCluster>;

/** Lowercase letters, digits and dashes: typed on the command line and used in file names. */
export const deviceIdPattern = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const deviceId = z
  .string()
  .regex(
    deviceIdPattern,
    "use lowercase letters, digits and dashes (at most 63), starting with a letter or digit",
  );

export const deviceProfile = z.object({
  schemaVersion: z.literal(deviceProfileSchemaVersion),
  id: deviceId,
  name: z.string().trim().min(1),
  kind: deviceKind,
  os: deviceOperatingSystem,
  ramBytes: sourcedNumber,
  /**
   * What one app may really allocate before the system stops it (iOS jetsam, Android's low-memory
   * killer) or, without such a limit, what is left after the system; the source says how it was derived.
   */
  usableMemoryBytes: sourcedNumber,
  /** Peak memory bandwidth the CPU and GPU share, bytes per second. */
  memoryBandwidth: sourcedNumber,
  cpu: z
    .object({ clusters: z.array(cpuCluster).min(1), ...provenance })
    .nullable()
    .default(null),
  gpu: z
    .object({ name: z.string().trim().min(1), apis: z.array(gpuApi), ...provenance })
    .nullable()
    .default(null),
  /** Limits that decide how a model can be shipped; null: none that matters, or not known. */
  storage: z
    .object({
      /** Largest app a store accepts or installs. */
      appSizeLimit: sourcedNumber.nullable().default(null),
      /** Largest downloadable asset pack / on-demand resource. */
      assetPackLimit: sourcedNumber.nullable().default(null),
      /** Largest single file the storage it is copied to holds (FAT32: 4 GiB − 1 byte). */
      fileSizeLimit: sourcedNumber.nullable().default(null),
    })
    .default({ appSizeLimit: null, assetPackLimit: null, fileSizeLimit: null }),
  notes: z.string().default(""),
});
export type DeviceProfile = z.output<typeof deviceProfile>;
export type DeviceProfileInput = z.input<typeof deviceProfile>;

export const deviceOrigins = ["built-in", "user"] as const;
export type DeviceOrigin = (typeof deviceOrigins)[number];

/** A profile as listed: built into the app, or the user's own (possibly copied from a built-in). */
export const deviceEntry = z.object({
  profile: deviceProfile,
  origin: z.enum(deviceOrigins),
  /** The built-in profile a user profile was copied from. */
  copiedFrom: z.string().nullable(),
  /** When a user profile was last written; null for built-ins. */
  updatedAt: z.string().nullable(),
});
export type DeviceEntry = z.infer<typeof deviceEntry>;

/** Every sourced number of a profile, labelled, in display order; measured figures first. */
/** memory: RAM sizes (shown in GiB, as RAM is sold); size: file and download limits (decimal); rate: B/s. */
export type NumberKind = "memory" | "size" | "rate";

export interface LabelledNumber {
  readonly label: string;
  readonly kind: NumberKind;
  readonly number: SourcedNumber;
}

export function sourcedNumbers(profile: DeviceProfile): LabelledNumber[] {
  const all = [
    { label: "RAM", kind: "memory" as const, number: profile.ramBytes },
    { label: "Usable by one app", kind: "memory" as const, number: profile.usableMemoryBytes },
    { label: "Memory bandwidth", kind: "rate" as const, number: profile.memoryBandwidth },
    { label: "App size limit", kind: "size" as const, number: profile.storage.appSizeLimit },
    { label: "Asset pack limit", kind: "size" as const, number: profile.storage.assetPackLimit },
    { label: "File size limit", kind: "size" as const, number: profile.storage.fileSizeLimit },
  ].filter((entry): entry is LabelledNumber => entry.number !== null);
  return [...all].sort(
    (a, b) => Number(b.number.basis === "measured") - Number(a.number.basis === "measured"),
  );
}
