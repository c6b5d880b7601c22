// The user's own device profiles (built-in ones live in code, shared/devices). A row holds the whole
// profile as JSON, checked against the profile schema on every read and write, and the built-in it
// was copied from, if any. Ids are unique across built-in and user profiles (core/devices).
import type { Migration } from "./Migration.js";

export const migration0006DeviceProfiles: Migration = {
  version: 6,
  name: "device-profiles",
  up: `
    CREATE TABLE device_profiles (
      id           TEXT PRIMARY KEY,
      profile_json TEXT NOT NULL,
      copied_from  TEXT,
      created_at   TEXT NOT NULL,
      updated_at   TEXT NOT NULL
    );
  `,
};
