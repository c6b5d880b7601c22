// Jobs get an owner (the process whose queue runs them) and a cancel request flag. The desktop app
// and a CLI can share one database: a queue must neither mark another live process's running job
// 'interrupted' at startup nor run its queued jobs, and a cancel issued from another process is a
// request the owner polls for, since only the owner can signal the worker.
import type { Migration } from "./Migration.js";

export const migration0002JobOwnership: Migration = {
  version: 2,
  name: "job-ownership",
  up: `
    ALTER TABLE jobs ADD COLUMN owner TEXT;
    ALTER TABLE jobs ADD COLUMN cancel_requested_at TEXT;
  `,
};
