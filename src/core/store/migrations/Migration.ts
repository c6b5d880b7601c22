import type { Database } from "better-sqlite3";

/**
 * A numbered schema change, run in one transaction; versions are consecutive from 1. `up` is SQL,
 * or a function when rows must be rewritten in code.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string | ((db: Database) => void);
  /**
   * Rebuilding a table (SQLite's create-copy-drop-rename ALTER) must run with foreign keys off, or
   * dropping the old table would cascade-delete rows that point at it. References are checked after.
   */
  readonly rebuildsTables?: boolean;
}
