// Where the queue finds the worker script, from source (tests, tsx) and from the compiled tree.
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { resolveWorkerEntry } from "../../src/core/jobs/workerEntry.js";

const root = path.resolve(import.meta.dirname, "..", "..");

describe("resolveWorkerEntry", () => {
  it("finds src/worker/main.ts from the TypeScript sources and loads it through tsx", () => {
    const entry = resolveWorkerEntry(pathToFileURL(path.join(root, "src/core/jobs/workerEntry.ts")).href);
    expect(entry.entryPath).toBe(path.join(root, "src/worker/main.ts"));
    expect(entry.execArgv).toEqual([
      "--import",
      pathToFileURL(path.join(root, "node_modules/tsx/dist/loader.mjs")).href,
    ]);
    expect(existsSync(entry.entryPath)).toBe(true);
  });

  it("finds dist/node/worker/main.js from the compiled tree, with no loader", () => {
    const entry = resolveWorkerEntry(
      pathToFileURL(path.join(root, "dist/node/core/jobs/workerEntry.js")).href,
    );
    expect(entry.entryPath).toBe(path.join(root, "dist/node/worker/main.js"));
    expect(entry.execArgv).toEqual([]);
  });

  it("defaults to this module's own location (the sources, under vitest)", () => {
    expect(resolveWorkerEntry().entryPath).toBe(path.join(root, "src/worker/main.ts"));
  });
});
