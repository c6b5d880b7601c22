// The workbench's SQLite database: one file per data dir, opened in WAL mode so the desktop app, the
// CLI and workers can read while one of them writes. Queries live in per-domain modules as plain
// functions taking the better-sqlite3 handle first (store/models.ts, store/variants.ts, ...).
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { migrate } from "./migrate.js";
import { migrations as allMigrations } from "./migrations/index.js";
import type { Migration } from "./migrations/Migration.js";

export type Db = Database.Database;

export interface StoreOptions {
  /** Defaults to every migration in migrations/index.ts. Tests pass a prefix to build older schemas. */
  migrations?: readonly Migration[];
  readonly?: boolean;
}

export class Store {
  readonly db: Db;

  private constructor(db: Db) {
    this.db = db;
  }

  /** Opens (creating if needed) the database file and brings its schema up to date. */
  static open(file: string, options: StoreOptions = {}): Store {
    if (!options.readonly) mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file, { readonly: options.readonly ?? false });
    try {
      configure(db);
      migrate(db, options.migrations ?? allMigrations);
    } catch (error) {
      db.close();
      throw error;
    }
    return new Store(db);
  }

  get file(): string {
    return this.db.name;
  }

  /**
   * Runs `fn` in one transaction: all of its writes land, or none. IMMEDIATE takes the write lock up
   * front, so a read-then-write does not fail when another process wrote in between.
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export function configure(db: Db): void {
  // A busy writer in another process (app vs CLI vs worker) makes us wait, not fail.
  db.pragma("busy_timeout = 5000");
  if (!db.readonly) db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.pragma("synchronous = NORMAL");
}
