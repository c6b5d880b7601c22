// The composition root over a real data dir: protocol handlers through the real dispatcher, events.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDispatcher, type Dispatch } from "../../src/core/rpc/dispatcher.js";
import { Workbench } from "../../src/core/workbench.js";
import { defaultDataDir, resolveDataDir } from "../../src/core/paths.js";
import { writeTinyGguf } from "../helpers/gguf.js";

let dir: string;
let workbench: Workbench;
let dispatch: Dispatch;
let nextId = 1;
const packageVersion = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

async function call(
  method: string,
  params: unknown = {},
): Promise<{ ok: boolean; value?: unknown; error?: { code?: string; message: string } }> {
  const frame = await dispatch({ type: "call", id: nextId++, method, params });
  return frame as never;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-workbench-"));
  workbench = Workbench.open({ dataDir: path.join(dir, "data") });
  dispatch = createDispatcher(workbench.handlers());
});
afterAll(() => {
  workbench.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("Workbench", () => {
  it("creates the data dir layout", () => {
    for (const sub of ["workbench.sqlite", "models", "text-sets", "artifacts", "tmp"]) {
      expect(existsSync(path.join(dir, "data", sub)), sub).toBe(true);
    }
  });

  it("answers app.info", async () => {
    // What is installed, read from the package's own files.
    const nodeLlamaCpp = path.join(import.meta.dirname, "..", "..", "node_modules", "node-llama-cpp");
    const readJson = (file: string) =>
      JSON.parse(readFileSync(path.join(nodeLlamaCpp, file), "utf8")) as Record<string, string>;
    const installed = {
      llamaCppRelease: readJson("llama/llama.cpp.info.json").tag,
      nodeLlamaCppVersion: readJson("package.json").version,
    };
    const result = await call("app.info");
    expect(result.ok).toBe(true);
    expect(result.value).toMatchObject({
      version: packageVersion,
      dataDir: path.join(dir, "data"),
      llamaCppRelease: installed.llamaCppRelease,
      nodeLlamaCppVersion: installed.nodeLlamaCppVersion,
      transport: "ipc",
    });
  });

  it("serves models.* and emits models.changed on import and remove", async () => {
    const events: unknown[] = [];
    workbench.events.subscribe((topic, payload) => events.push({ topic, payload }));
    const tiny = writeTinyGguf(path.join(dir, "tiny.gguf"));
    const { model } = await workbench.importModel(tiny.path);
    expect(events).toEqual([{ topic: "models.changed", payload: { id: model.id } }]);

    const list = await call("models.list");
    expect(list.ok).toBe(true);
    expect((list.value as { id: string }[]).map((m) => m.id)).toEqual([model.id]);
    const got = await call("models.get", { id: model.id.slice(0, 5) });
    expect(got.value).toMatchObject({ id: model.id, metadata: { layers: 2 } });

    const missing = await call("models.get", { id: "nothing-like-this" });
    expect(missing).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });

    const removed = await call("models.remove", { id: model.id });
    expect(removed).toMatchObject({ ok: true, value: { removed: true, fileDeleted: false } });
    expect(events).toHaveLength(2);
    expect(existsSync(tiny.path)).toBe(true);
  });
});

describe("data dir resolution", () => {
  it("prefers --data-dir, then $CWB_DATA_DIR, then the OS user-data folder", () => {
    expect(resolveDataDir("/x/flag", { CWB_DATA_DIR: "/x/env" })).toBe("/x/flag");
    expect(resolveDataDir(undefined, { CWB_DATA_DIR: "/x/env" })).toBe("/x/env");
    expect(resolveDataDir(undefined, { XDG_CONFIG_HOME: "/x/xdg" })).toBe(
      defaultDataDir({ XDG_CONFIG_HOME: "/x/xdg" }),
    );
  });

  it("matches Electron's userData folder for each OS", () => {
    const home = os.homedir();
    expect(defaultDataDir({ XDG_CONFIG_HOME: "/x/xdg" }, "linux")).toBe("/x/xdg/Compression Workbench");
    expect(defaultDataDir({}, "linux")).toBe(path.join(home, ".config", "Compression Workbench"));
    expect(defaultDataDir({}, "darwin")).toBe(
      path.join(home, "Library", "Application Support", "Compression Workbench"),
    );
    expect(defaultDataDir({ APPDATA: "C:\\Users\\u\\AppData\\Roaming" }, "win32")).toBe(
      path.join("C:\\Users\\u\\AppData\\Roaming", "Compression Workbench"),
    );
  });
});
