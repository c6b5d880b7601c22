import type { Database } from "better-sqlite3";

/**
 * A numbered schema change, run in one transaction; versions are consecutive from 1. `up` is SQL,
 * or a function when rows must be rewritten in code.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string | ((db: Database) => void);
}
