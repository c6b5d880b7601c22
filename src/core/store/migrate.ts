// Brings a database to the schema the code expects, one numbered migration per transaction, with the
// schema version kept in PRAGMA user_version. A database written by a newer build is refused rather
// than guessed at, so an old CLI never damages a library the new app upgraded.
import type { Database } from "better-sqlite3";
import { CodedError } from "../errors.js";
import type { Migration } from "./migrations/Migration.js";

export class SchemaVersionError extends CodedError {
  constructor(
    file: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      "SCHEMA_TOO_NEW",
      `${file}: database schema version ${found} is newer than this build supports (${supported})`,
      { file, remedies: ["update-app", "use-other-data-dir"] },
    );
    this.name = "SchemaVersionError";
  }
}

export function schemaVersion(db: Database): number {
  return db.pragma("user_version", { simple: true }) as number;
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `Migration "${migration.name}" has version ${migration.version}, expected ${index + 1}`,
      );
    }
  });
}

/**
 * Applies the migrations after the database's current version, up to `to` (default: all). Returns
 * the versions applied. Each runs in an IMMEDIATE transaction that re-reads the version, so two
 * processes opening the same new database do not both migrate it.
 */
export function migrate(
  db: Database,
  migrations: readonly Migration[],
  options: { to?: number } = {},
): number[] {
  checkOrder(migrations);
  const latest = migrations.length;
  const target = options.to ?? latest;
  const found = schemaVersion(db);
  if (found > latest) throw new SchemaVersionError(db.name, found, latest);

  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version > target) break;
    const step = db.transaction(() => {
      if (schemaVersion(db) >= migration.version) return false;
      if (typeof migration.up === "string") db.exec(migration.up);
      else migration.up(db);
      // A migration may not leave dangling references behind; checked before it commits.
      const broken = db.pragma("foreign_key_check") as unknown[];
      if (broken.length > 0) throw new Error(`it leaves ${broken.length} broken foreign key reference(s)`);
      db.pragma(`user_version = ${migration.version}`);
      return true;
    });
    // PRAGMA foreign_keys cannot change inside a transaction, so it is switched around it.
    if (migration.rebuildsTables) db.pragma("foreign_keys = OFF");
    try {
      if (step.immediate()) applied.push(migration.version);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `${db.name}: migration ${migration.version} (${migration.name}) failed, database left at version ${schemaVersion(db)}: ${reason}`,
        { cause: error },
      );
    } finally {
      if (migration.rebuildsTables) db.pragma("foreign_keys = ON");
    }
  }
  return applied;
}
