// Every migration is tested the way it will meet real users: on a database file at the schema just
// before it, holding representative data, which must survive and fit the new schema.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Store, type Db } from "../../src/core/store/Store.js";
import { migrate, schemaVersion, SchemaVersionError } from "../../src/core/store/migrate.js";
import { migrations } from "../../src/core/store/migrations/index.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-store-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function tables(db: Db): string[] {
  const rows = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  return rows.map((r) => r.name);
}

interface MigrationCase {
  /** Data a user could have at the version before this migration. */
  seed: (db: Db) => void;
  /** The migrated database: schema and data as expected. */
  check: (db: Db) => void;
}

const t = "2026-11-23T09:00:00.000Z";

const cases: Record<number, MigrationCase> = {
  1: {
    seed: () => {
      // Before 0001 there is nothing: an empty file.
    },
    check: (db) => {
      expect(tables(db)).toEqual(
        [
          "artifacts",
          "experiments",
          "job_logs",
          "jobs",
          "machines",
          "metrics",
          "models",
          "notes",
          "runs",
          "tags",
          "text_sets",
          "variants",
        ].sort(),
      );
      // Representative rows in every table, linked the way the app links them.
      const model = db.prepare(
        "INSERT INTO models (id, path, file_name, size_bytes, sha256, architecture, parameter_count, file_type, metadata_json, imported_at) VALUES (?, ?, ?, ?, ?, 'llama', 100, 'MOSTLY_F16', '{}', ?)",
      );
      model.run("base", "/m/base.gguf", "base.gguf", 1000, "a".repeat(64), t);
      model.run("q4", "/m/q4.gguf", "q4.gguf", 300, "b".repeat(64), t);
      db.prepare(
        "INSERT INTO machines (id, cpu, cores, ram_bytes, os, details_json) VALUES ('mach', 'cpu', 2, 1, 'linux', '{}')",
      ).run();
      db.prepare(
        "INSERT INTO text_sets (id, name, purpose, sha256, path, bytes, created_at) VALUES ('ts', 'wiki', 'calibration', ?, '/t', 10, ?)",
      ).run("c".repeat(64), t);
      db.prepare(
        "INSERT INTO experiments (id, name, kind, base_model_id, recipe_json, machine_id, created_at) VALUES ('exp', 'e', 'quantize', 'base', '{}', 'mach', ?)",
      ).run(t);
      db.prepare(
        "INSERT INTO jobs (id, kind, params_json, state, experiment_id, created_at) VALUES ('job', 'quantize', '{}', 'succeeded', 'exp', ?)",
      ).run(t);
      db.prepare(
        "INSERT INTO job_logs (job_id, at, level, message) VALUES ('job', ?, 'info', 'started')",
      ).run(t);
      db.prepare(
        "INSERT INTO artifacts (id, kind, path, bytes, model_id, text_set_id, job_id, created_at) VALUES ('imx', 'imatrix', '/a', 5, 'base', 'ts', 'job', ?)",
      ).run(t);
      db.prepare(
        "INSERT INTO variants (model_id, parent_id, recipe_kind, recipe_json, llama_build, text_set_id, imatrix_id, job_id, experiment_id, created_at) VALUES ('q4', 'base', 'quantize', '{\"type\":\"Q4_K_M\"}', 'v0.5.0', 'ts', 'imx', 'job', 'exp', ?)",
      ).run(t);
      db.prepare(
        "INSERT INTO runs (id, kind, model_id, base_model_id, text_set_id, experiment_id, job_id, machine_id, llama_build, node_llama_cpp, settings_json, created_at) VALUES ('run', 'eval', 'q4', 'base', 'ts', 'exp', 'job', 'mach', 'v0.5.0', '3.22.1', '{}', ?)",
      ).run(t);
      db.prepare("INSERT INTO metrics (run_id, name, value, unit) VALUES ('run', 'kld', 0.01, 'nats')").run();
      db.prepare("INSERT INTO tags (entity_type, entity_id, tag) VALUES ('model', 'q4', 'keeper')").run();
      db.prepare(
        "INSERT INTO notes (entity_type, entity_id, text, created_at) VALUES ('run', 'run', 'looks fine', ?)",
      ).run(t);

      // Constraints hold: unknown states and dangling references are refused.
      expect(() =>
        db
          .prepare(
            "INSERT INTO jobs (id, kind, params_json, state, created_at) VALUES ('j2', 'x', '{}', 'bogus', ?)",
          )
          .run(t),
      ).toThrow(/CHECK/);
      expect(() =>
        db
          .prepare("INSERT INTO job_logs (job_id, at, level, message) VALUES ('nope', ?, 'info', 'x')")
          .run(t),
      ).toThrow(/FOREIGN KEY/);
      expect(() => model.run("dup", "/m/dup.gguf", "dup.gguf", 1, "a".repeat(64), t)).toThrow(/UNIQUE/);

      // Removing the quantized model takes its variant row, runs and metrics with it; the base stays.
      db.prepare("DELETE FROM models WHERE id = 'q4'").run();
      const count = (table: string): number =>
        (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      expect([count("models"), count("variants"), count("runs"), count("metrics")]).toEqual([1, 0, 0, 0]);
      // Removing the base keeps the experiment but forgets the link.
      db.prepare("DELETE FROM models WHERE id = 'base'").run();
      expect(db.prepare("SELECT base_model_id FROM experiments WHERE id = 'exp'").get()).toEqual({
        base_model_id: null,
      });
      expect(count("artifacts")).toBe(0);
      expect(count("job_logs")).toBe(1);
    },
  },
  2: {
    seed: (db) => {
      db.prepare(
        "INSERT INTO jobs (id, kind, params_json, state, created_at) VALUES ('old', 'models.import', '{}', 'running', ?)",
      ).run(t);
    },
    check: (db) => {
      const columns = (db.prepare("PRAGMA table_info(jobs)").all() as { name: string }[]).map((c) => c.name);
      expect(columns).toEqual(expect.arrayContaining(["owner", "cancel_requested_at"]));
      // A job from before ownership existed has no owner and no cancel request.
      expect(db.prepare("SELECT id, state, owner, cancel_requested_at FROM jobs").all()).toEqual([
        { id: "old", state: "running", owner: null, cancel_requested_at: null },
      ]);
    },
  },
  3: {
    seed: (db) => {
      const model = db.prepare(
        "INSERT INTO models (id, path, file_name, size_bytes, sha256, architecture, parameter_count, metadata_json, imported_at) VALUES (?, ?, ?, 1, ?, 'llama', 1, '{}', ?)",
      );
      model.run("base", "/m/base.gguf", "base.gguf", "d".repeat(64), t);
      model.run("q8", "/m/q8.gguf", "q8.gguf", "e".repeat(64), t);
      db.prepare(
        "INSERT INTO experiments (id, name, kind, base_model_id, recipe_json, created_at) VALUES ('exp', 'sweep', 'sweep', 'base', '{}', ?)",
      ).run(t);
    },
    check: (db) => {
      const add = db.prepare(
        "INSERT INTO experiment_models (experiment_id, model_id, label, position) VALUES (?, ?, ?, ?)",
      );
      add.run("exp", "base", "base", 0);
      add.run("exp", "q8", "Q8_0", 1);
      expect(() => add.run("exp", "q8", "Q8_0", 2)).toThrow(/UNIQUE|PRIMARY/);
      expect(() => add.run("nope", "q8", "Q8_0", 3)).toThrow(/FOREIGN KEY/);
      // Deleting a model or the experiment takes the membership with it; the other side stays.
      db.prepare("DELETE FROM models WHERE id = 'q8'").run();
      expect(db.prepare("SELECT model_id FROM experiment_models").all()).toEqual([{ model_id: "base" }]);
      db.prepare("DELETE FROM experiments WHERE id = 'exp'").run();
      expect(db.prepare("SELECT count(*) AS n FROM experiment_models").get()).toEqual({ n: 0 });
      expect(db.prepare("SELECT count(*) AS n FROM models").get()).toEqual({ n: 1 });
    },
  },
  4: {
    seed: (db) => {
      db.prepare(
        "INSERT INTO jobs (id, kind, params_json, state, error, created_at, finished_at) VALUES ('old', 'quantize', '{}', 'failed', 'it broke', ?, ?)",
      ).run(t, t);
    },
    check: (db) => {
      const columns = (db.prepare("PRAGMA table_info(jobs)").all() as { name: string }[]).map((c) => c.name);
      expect(columns).toContain("error_json");
      // A job that failed before errors were data keeps its message and has no data.
      expect(db.prepare("SELECT id, error, error_json FROM jobs").all()).toEqual([
        { id: "old", error: "it broke", error_json: null },
      ]);
    },
  },
  5: {
    seed: (db) => {
      db.prepare(
        "INSERT INTO jobs (id, kind, params_json, state, created_at) VALUES ('first', 'debug.sleep', '{}', 'succeeded', ?)",
      ).run(t);
      db.prepare(
        "INSERT INTO jobs (id, kind, params_json, state, depends_on, created_at) VALUES ('then', 'debug.sleep', '{}', 'queued', 'first', ?)",
      ).run(t);
    },
    check: (db) => {
      const columns = (db.prepare("PRAGMA table_info(jobs)").all() as { name: string }[]).map((c) => c.name);
      expect(columns).toEqual(expect.arrayContaining(["step_key", "needs_json", "hook_json"]));
      // Jobs queued on their own before graphs existed are no graph's steps; their dependency stays.
      expect(
        db.prepare("SELECT id, depends_on, step_key, needs_json, hook_json FROM jobs ORDER BY rowid").all(),
      ).toEqual([
        { id: "first", depends_on: null, step_key: null, needs_json: null, hook_json: null },
        { id: "then", depends_on: "first", step_key: null, needs_json: null, hook_json: null },
      ]);
    },
  },
  6: {
    seed: (db) => {
      db.prepare(
        "INSERT INTO jobs (id, kind, params_json, state, created_at) VALUES ('kept', 'debug.sleep', '{}', 'succeeded', ?)",
      ).run(t);
    },
    check: (db) => {
      expect(tables(db)).toContain("device_profiles");
      // Nothing else changed, and the new table takes a profile row keyed by its id.
      expect(db.prepare("SELECT id, state FROM jobs").all()).toEqual([{ id: "kept", state: "succeeded" }]);
      const insert = db.prepare(
        "INSERT INTO device_profiles (id, profile_json, copied_from, created_at, updated_at) VALUES (?, '{}', ?, ?, ?)",
      );
      insert.run("my-phone", "pixel-8", t, t);
      expect(() => insert.run("my-phone", null, t, t)).toThrow(/UNIQUE|PRIMARY/);
    },
  },
  // 0007-distill-data-artifacts
  7: {
    seed: (db) => {
      db.prepare(
        "INSERT INTO models (id, path, file_name, size_bytes, sha256, architecture, parameter_count, metadata_json, imported_at) VALUES ('teacher', '/m/t.gguf', 't.gguf', 1, ?, 'llama', 1, '{}', ?)",
      ).run("f".repeat(64), t);
      db.prepare(
        "INSERT INTO artifacts (id, kind, path, sha256, bytes, model_id, settings_json, created_at) VALUES ('cache', 'base-logits', '/a/b.cwbbase', NULL, 7, 'teacher', '{\"keyId\":\"k\"}', ?)",
      ).run(t);
    },
    check: (db) => {
      // The old rows are kept whole, a distillation data set is accepted, unknown kinds still are not.
      expect(db.prepare("SELECT id, kind, bytes, model_id, settings_json FROM artifacts").all()).toEqual([
        { id: "cache", kind: "base-logits", bytes: 7, model_id: "teacher", settings_json: '{"keyId":"k"}' },
      ]);
      const insert = db.prepare(
        "INSERT INTO artifacts (id, kind, path, sha256, bytes, model_id, created_at) VALUES (?, ?, '/a/d.txt', ?, 3, 'teacher', ?)",
      );
      insert.run("data", "distill-data", "0".repeat(64), t);
      expect(() => insert.run("odd", "bogus", null, t)).toThrow(/CHECK/);
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'artifacts_model'").get()).toEqual({
        name: "artifacts_model",
      });
      // Removing the teacher still takes its artifacts with it.
      db.prepare("DELETE FROM models WHERE id = 'teacher'").run();
      expect(db.prepare("SELECT count(*) AS n FROM artifacts").get()).toEqual({ n: 0 });
    },
  },
  // 0008-speculate-runs
  8: {
    seed: (db) => {
      db.prepare(
        "INSERT INTO models (id, path, file_name, size_bytes, sha256, architecture, parameter_count, metadata_json, imported_at) VALUES ('m', '/m.gguf', 'm.gguf', 1, 'sha-m', 'llama', 1, '{}', ?)",
      ).run(t);
      db.prepare(
        "INSERT INTO machines (id, cpu, cores, ram_bytes, os, details_json) VALUES ('mach', 'cpu', 2, 1, 'linux', '{}')",
      ).run();
      db.prepare(
        "INSERT INTO runs (id, kind, model_id, machine_id, llama_build, node_llama_cpp, settings_json, created_at) VALUES ('old', 'bench', 'm', 'mach', 'b1', '3', '{}', ?)",
      ).run(t);
      db.prepare("INSERT INTO metrics (run_id, name, value, unit) VALUES ('old', 'tg', 5, 'tok/s')").run();
    },
    check: (db) => {
      // The rebuild keeps every run and its metrics (no cascade), and now takes speculate runs.
      expect(db.prepare("SELECT id, kind FROM runs").all()).toEqual([{ id: "old", kind: "bench" }]);
      expect(db.prepare("SELECT run_id, value FROM metrics").all()).toEqual([{ run_id: "old", value: 5 }]);
      const insert = db.prepare(
        "INSERT INTO runs (id, kind, model_id, machine_id, llama_build, node_llama_cpp, settings_json, created_at) VALUES (?, ?, 'm', 'mach', 'b1', '3', '{}', ?)",
      );
      insert.run("spec", "speculate", t);
      expect(() => insert.run("bad", "nonsense", t)).toThrow(/CHECK/);
      expect(db.prepare("SELECT count(*) AS n FROM metrics").get()).toEqual({ n: 1 });
    },
  },
};

describe("migrations", () => {
  it("has a test case for every migration", () => {
    expect(Object.keys(cases).map(Number)).toEqual(migrations.map((m) => m.version));
  });

  for (const migration of migrations) {
    it(`migration ${migration.version} (${migration.name}) upgrades a database at version ${migration.version - 1} with data`, () => {
      const file = path.join(dir, "workbench.sqlite");
      const before = Store.open(file, { migrations: migrations.slice(0, migration.version - 1) });
      expect(schemaVersion(before.db)).toBe(migration.version - 1);
      cases[migration.version]!.seed(before.db);
      before.close();

      const after = Store.open(file, { migrations: migrations.slice(0, migration.version) });
      try {
        expect(schemaVersion(after.db)).toBe(migration.version);
        cases[migration.version]!.check(after.db);
        expect(after.db.pragma("foreign_key_check")).toEqual([]);
        expect(after.db.pragma("integrity_check", { simple: true })).toBe("ok");
      } finally {
        after.close();
      }
    });
  }
});

describe("Store", () => {
  it("opens a new file fully migrated, in WAL mode with foreign keys on, and reopens idempotently", () => {
    const file = path.join(dir, "nested", "workbench.sqlite");
    const store = Store.open(file);
    expect(schemaVersion(store.db)).toBe(migrations.length);
    expect(store.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(store.db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(store.db.pragma("busy_timeout", { simple: true })).toBe(5000);
    store.close();
    const again = Store.open(file);
    expect(migrate(again.db, migrations)).toEqual([]);
    again.close();
  });

  it("lets two connections (app and CLI) use one file at once", () => {
    const file = path.join(dir, "workbench.sqlite");
    const a = Store.open(file);
    const b = Store.open(file);
    a.db.prepare("INSERT INTO tags (entity_type, entity_id, tag) VALUES ('model', 'm', 'x')").run();
    expect(b.db.prepare("SELECT tag FROM tags").all()).toEqual([{ tag: "x" }]);
    a.close();
    b.close();
  });

  it("refuses a database from a newer build, with the file named, and leaves it untouched", () => {
    const file = path.join(dir, "workbench.sqlite");
    const store = Store.open(file);
    store.db.pragma(`user_version = ${migrations.length + 1}`);
    store.close();
    const size = statSync(file).size;

    let error: unknown;
    try {
      Store.open(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SchemaVersionError);
    expect((error as SchemaVersionError).code).toBe("SCHEMA_TOO_NEW");
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain(`version ${migrations.length + 1}`);
    expect(statSync(file).size).toBe(size);
  });

  it("rolls a failing migration back completely and keeps the earlier version", () => {
    const file = path.join(dir, "workbench.sqlite");
    Store.open(file).close();
    const broken = [
      ...migrations,
      {
        version: migrations.length + 1,
        name: "broken",
        up: "CREATE TABLE half_done (a INTEGER); INSERT INTO no_such_table VALUES (1);",
      },
    ];
    expect(() => Store.open(file, { migrations: broken })).toThrow(
      /migration \d+ \(broken\) failed.*no such table/,
    );
    const store = Store.open(file);
    expect(schemaVersion(store.db)).toBe(migrations.length);
    expect(tables(store.db)).not.toContain("half_done");
    store.close();
  });

  it("rebuilds a referenced table without cascading deletes when the migration says so", () => {
    const file = path.join(dir, "workbench.sqlite");
    const store = Store.open(file);
    store.db
      .prepare(
        "INSERT INTO models (id, path, file_name, size_bytes, sha256, architecture, parameter_count, metadata_json, imported_at) VALUES (?, '/p', 'f', 1, ?, 'llama', 1, '{}', ?)",
      )
      .run("parent", "p".repeat(64), t);
    store.db
      .prepare(
        "INSERT INTO models (id, path, file_name, size_bytes, sha256, architecture, parameter_count, metadata_json, imported_at) VALUES (?, '/c', 'f', 1, ?, 'llama', 1, '{}', ?)",
      )
      .run("child", "c".repeat(64), t);
    store.db
      .prepare(
        "INSERT INTO variants (model_id, parent_id, recipe_kind, recipe_json, llama_build, created_at) VALUES ('child', 'parent', 'quantize', '{}', 'b', ?)",
      )
      .run(t);
    store.close();

    const rebuild = {
      version: migrations.length + 1,
      name: "rebuild-models",
      rebuildsTables: true,
      // SQLite's documented table rebuild: same schema under a new name, copy, drop, rename.
      up: (db: Db) => {
        const { sql } = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'models'").get() as {
          sql: string;
        };
        db.exec(sql.replace("CREATE TABLE models", "CREATE TABLE models_new"));
        db.exec(
          "INSERT INTO models_new SELECT * FROM models; DROP TABLE models; ALTER TABLE models_new RENAME TO models;",
        );
      },
    };
    const after = Store.open(file, { migrations: [...migrations, rebuild] });
    expect(after.db.prepare("SELECT model_id, parent_id FROM variants").all()).toEqual([
      { model_id: "child", parent_id: "parent" },
    ]);
    expect(after.db.pragma("foreign_keys", { simple: true })).toBe(1);
    after.close();
  });

  it("rolls back a migration that would leave broken references", () => {
    const file = path.join(dir, "workbench.sqlite");
    Store.open(file).close();
    const dangling = {
      version: migrations.length + 1,
      name: "dangling",
      rebuildsTables: true,
      up: "INSERT INTO job_logs (job_id, at, level, message) VALUES ('no-such-job', 'x', 'info', 'orphan')",
    };
    expect(() => Store.open(file, { migrations: [...migrations, dangling] })).toThrow(/broken foreign key/);
    const store = Store.open(file);
    expect(store.db.prepare("SELECT count(*) AS n FROM job_logs").get()).toEqual({ n: 0 });
    store.close();
  });

  it("refuses a migration list with a gap", () => {
    const file = path.join(dir, "workbench.sqlite");
    const gap = [...migrations, { version: migrations.length + 2, name: "gap", up: "SELECT 1" }];
    expect(() => Store.open(file, { migrations: gap })).toThrow(/expected \d+/);
  });
});
