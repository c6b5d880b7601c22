// Device profiles: the built-in ones (shared/devices, read-only) and the user's own (SQLite). Ids are
// unique across both. Built-ins are never changed in place: editing or removing one is refused with
// DEVICE_BUILT_IN, and the way forward is a copy under a new id (which records what it was copied
// from), so a built-in always means the same figures on every machine.
import { readFile } from "node:fs/promises";
import { builtinDeviceProfiles } from "../../shared/devices/builtinDeviceProfiles.js";
import {
  deviceProfile,
  deviceProfileSchemaVersion,
  type DeviceEntry,
  type DeviceProfile,
} from "../../shared/domain/deviceProfile.js";
import { describeIssues } from "../../shared/protocol/jobKinds.js";
import { CodedError } from "../errors.js";
import type { Db } from "../store/Store.js";
import {
  deleteDeviceProfileRow,
  getDeviceProfileRow,
  insertDeviceProfileRow,
  listDeviceProfileRows,
  updateDeviceProfileRow,
  type DeviceProfileRow,
} from "../store/deviceProfiles.js";

const builtins = new Map(builtinDeviceProfiles.map((profile) => [profile.id, profile]));

function builtinEntry(profile: DeviceProfile): DeviceEntry {
  return { profile, origin: "built-in", copiedFrom: null, updatedAt: null };
}

/** Where a profile came from, for error messages: a file, the database, or the request. */
export interface ProfileOrigin {
  readonly file?: string;
}

/** The profile, validated; BAD_DEVICE_PROFILE naming the fields (and the file) otherwise. */
export function parseDeviceProfile(input: unknown, origin: ProfileOrigin = {}): DeviceProfile {
  const where = origin.file ? `${origin.file}: ` : "";
  const version = (input as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === "number" && version !== deviceProfileSchemaVersion) {
    throw new CodedError(
      "BAD_DEVICE_PROFILE",
      `${where}schemaVersion: the profile is written for version ${version}, this build reads version ${deviceProfileSchemaVersion}`,
      origin.file ? { file: origin.file } : {},
    );
  }
  const parsed = deviceProfile.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new CodedError(
    "BAD_DEVICE_PROFILE",
    `${where}not a valid device profile: ${describeIssues(parsed.error)}`,
    origin.file ? { file: origin.file } : {},
  );
}

/** A profile file's JSON, not yet validated; BAD_DEVICE_PROFILE naming the file when it is not JSON. */
export async function readDeviceProfileFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new CodedError(
      "BAD_DEVICE_PROFILE",
      `${file}: cannot read the profile: ${(error as Error).message}`,
      {
        file,
      },
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CodedError("BAD_DEVICE_PROFILE", `${file}: not JSON: ${(error as Error).message}`, { file });
  }
}

function userEntry(row: DeviceProfileRow): DeviceEntry {
  const profile = parseDeviceProfile(JSON.parse(row.profileJson) as unknown, {
    file: `device_profiles row "${row.id}"`,
  });
  return { profile, origin: "user", copiedFrom: row.copiedFrom, updatedAt: row.updatedAt };
}

/** Built-in profiles first (in their shipped order), then the user's by id. */
export function listDevices(db: Db): DeviceEntry[] {
  return [...builtinDeviceProfiles.map(builtinEntry), ...listDeviceProfileRows(db).map(userEntry)];
}

export function getDevice(db: Db, id: string): DeviceEntry {
  const builtin = builtins.get(id);
  if (builtin) return builtinEntry(builtin);
  const row = getDeviceProfileRow(db, id);
  if (row) return userEntry(row);
  throw notFound(db, id);
}

/** Names the unknown id and the known ones, so a typo is seen at once. */
function notFound(db: Db, id: string): CodedError {
  const known = listDevices(db).map((entry) => entry.profile.id);
  return new CodedError("DEVICE_NOT_FOUND", `No device profile "${id}" (known: ${known.join(", ")})`, {
    remedies: ["list-devices"],
  });
}

function refuseTakenId(db: Db, id: string): void {
  if (builtins.has(id))
    throw new CodedError(
      "DEVICE_EXISTS",
      `"${id}" is a built-in device profile; choose another id for yours`,
    );
  if (getDeviceProfileRow(db, id))
    throw new CodedError(
      "DEVICE_EXISTS",
      `A device profile "${id}" exists already; edit it or choose another id`,
    );
}

function refuseBuiltin(id: string, doing: string): void {
  if (builtins.has(id))
    throw new CodedError("DEVICE_BUILT_IN", `"${id}" is a built-in device profile and cannot be ${doing}`, {
      remedies: ["copy-built-in-device"],
    });
}

export function addDevice(
  db: Db,
  input: unknown,
  options: ProfileOrigin & { copiedFrom?: string | null } = {},
): DeviceEntry {
  const profile = parseDeviceProfile(input, options);
  const copiedFrom = options.copiedFrom ?? null;
  if (copiedFrom !== null) getDevice(db, copiedFrom);
  return db
    .transaction(() => {
      refuseTakenId(db, profile.id);
      insertDeviceProfileRow(db, profile.id, JSON.stringify(profile), copiedFrom);
      return getDevice(db, profile.id);
    })
    .immediate();
}

/** A user profile from an existing one (built-in or not) under a new id, and optionally a new name. */
export function copyDevice(db: Db, fromId: string, newId: string, name?: string): DeviceEntry {
  const source = getDevice(db, fromId).profile;
  return addDevice(
    db,
    { ...source, id: newId, name: name ?? `${source.name} (copy)` },
    { copiedFrom: fromId },
  );
}

/** Replaces a user profile; its id cannot change (the input may omit it). */
export function editDevice(db: Db, id: string, input: unknown, options: ProfileOrigin = {}): DeviceEntry {
  refuseBuiltin(id, "edited");
  const withId = typeof input === "object" && input !== null && !("id" in input) ? { ...input, id } : input;
  const profile = parseDeviceProfile(withId, options);
  if (profile.id !== id) {
    throw new CodedError(
      "BAD_DEVICE_PROFILE",
      `${options.file ? `${options.file}: ` : ""}id: the profile says "${profile.id}" but "${id}" is being edited; an id cannot change (add a new profile instead)`,
      options.file ? { file: options.file } : {},
    );
  }
  if (!updateDeviceProfileRow(db, id, JSON.stringify(profile))) throw notFound(db, id);
  return getDevice(db, id);
}

/** Deletes a user profile; DEVICE_NOT_FOUND when there is none. */
export function removeDevice(db: Db, id: string): void {
  refuseBuiltin(id, "removed");
  if (!deleteDeviceProfileRow(db, id)) throw notFound(db, id);
}
