// Rows of the user's device profiles (table device_profiles, migration 0006). The profile is stored
// whole as JSON; callers validate it (core/devices/deviceProfiles.ts) before writing and after reading.
import type { Db } from "./Store.js";
import { now } from "./ids.js";

export interface DeviceProfileRow {
  id: string;
  profileJson: string;
  copiedFrom: string | null;
  createdAt: string;
  updatedAt: string;
}

const columns =
  "id, profile_json AS profileJson, copied_from AS copiedFrom, created_at AS createdAt, updated_at AS updatedAt";

export function listDeviceProfileRows(db: Db): DeviceProfileRow[] {
  return db.prepare(`SELECT ${columns} FROM device_profiles ORDER BY id`).all() as DeviceProfileRow[];
}

export function getDeviceProfileRow(db: Db, id: string): DeviceProfileRow | undefined {
  return db.prepare(`SELECT ${columns} FROM device_profiles WHERE id = ?`).get(id) as
    DeviceProfileRow | undefined;
}

/** Inserts a new row; a duplicate id throws SQLite's constraint error (callers check first). */
export function insertDeviceProfileRow(
  db: Db,
  id: string,
  profileJson: string,
  copiedFrom: string | null,
): void {
  const at = now();
  db.prepare(
    "INSERT INTO device_profiles (id, profile_json, copied_from, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
  ).run(id, profileJson, copiedFrom, at, at);
}

export function updateDeviceProfileRow(db: Db, id: string, profileJson: string): boolean {
  return (
    db
      .prepare("UPDATE device_profiles SET profile_json = ?, updated_at = ? WHERE id = ?")
      .run(profileJson, now(), id).changes > 0
  );
}

export function deleteDeviceProfileRow(db: Db, id: string): boolean {
  return db.prepare("DELETE FROM device_profiles WHERE id = ?").run(id).changes > 0;
}
