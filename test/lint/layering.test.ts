// The "cwb/layering" ESLint rule, run through ESLint's own RuleTester on TypeScript sources: for every
// folder of src/, what it may import and what it may not.
import path from "node:path";
import { RuleTester } from "eslint";
import tseslint from "typescript-eslint";
import { describe, it } from "vitest";
import layering from "../../eslint-rules/layering.js";

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const root = path.resolve("/project");
const file = (relative: string): string => path.join(root, relative);
const options = [{ root }];

const tester = new RuleTester({
  languageOptions: { parser: tseslint.parser, ecmaVersion: 2023, sourceType: "module" },
});

/** One import of every other folder of src/, from a file two levels down in `layer`. */
const otherLayers = (layer: string): string =>
  ["shared", "core", "worker", "main", "preload", "headless", "renderer"]
    .filter((other) => other !== layer)
    .map((other, i) => `import { x${i} } from "../../${other}/x.js";`)
    .join(" ");

const layerError = (layer: string, target: string) => ({
  message: new RegExp(`^src/${layer} must not import src/${target} `),
});
const llamaValue = (layer: string, names: string) => ({
  message: new RegExp(
    `^src/${layer} may import only types from node-llama-cpp \\('node-llama-cpp' takes ${names}\\)`,
  ),
});
const addonError = (layer: string) => ({
  message: new RegExp(`^src/${layer} must not import the native addon `),
});

tester.run("layering", layering, {
  valid: [
    // shared: shared and pure packages
    {
      filename: file("src/shared/protocol/endpoints.ts"),
      code: `import { z } from "zod"; import { job } from "../domain/job.js"; import type { Job } from "./domain/job.js";`,
      options,
    },
    // a package whose name merely starts like a builtin is not a builtin
    { filename: file("src/shared/a.ts"), code: `import x from "fs-extra-like-but-pure";`, options },
    // renderer: shared and browser packages
    {
      filename: file("src/renderer/App.tsx"),
      code: `import { calls } from "../shared/protocol/endpoints.js"; import React from "react"; import { Page } from "./pages/Page.js";`,
      options,
    },
    // preload: electron and shared
    {
      filename: file("src/preload/preload.ts"),
      code: `import { contextBridge } from "electron"; import { callNames } from "../shared/protocol/callNames.js"; import { ipcChannels } from "../shared/protocol/ipcChannels.js";`,
      options,
    },
    // core: Node, SQLite, shared; node-llama-cpp as types only
    {
      filename: file("src/core/store/Store.ts"),
      code: `import path from "node:path"; import fs from "fs"; import Database from "better-sqlite3"; import { x } from "../../shared/domain/x.js"; import { y } from "../jobs/y.js";`,
      options,
    },
    {
      filename: file("src/core/machine/m.ts"),
      code: `import type { Llama } from "node-llama-cpp"; import { type LlamaModel } from "node-llama-cpp"; type L = import("node-llama-cpp").Llama;`,
      options,
    },
    // worker: shared, core, node-llama-cpp, the addon
    {
      filename: file("src/worker/runners/quantize.ts"),
      code: `import { parentMessage } from "../../core/jobs/workerMessages.js"; import { x } from "../../shared/x.js"; import { getLlama } from "node-llama-cpp"; import "@node-llama-cpp/linux-x64"; import { loadNative } from "../native/loadAddon.js"; const addon = require("../../../native/build/Release/cwb_native.node");`,
      options,
    },
    // headless: Node, shared, core
    {
      filename: file("src/headless/server/x.ts"),
      code: `import http from "node:http"; import { Workbench } from "../../core/workbench.js"; import { calls } from "../../shared/protocol/endpoints.js"; import type { Llama } from "node-llama-cpp";`,
      options,
    },
    // main: Electron, Node, shared, core
    {
      filename: file("src/main/main.ts"),
      code: `import { app } from "electron"; import path from "node:path"; import { Workbench } from "../core/workbench.js"; import { ipcChannels } from "../shared/protocol/ipcChannels.js";`,
      options,
    },
    // files outside src/ are not layered
    {
      filename: file("scripts/tool.ts"),
      code: `import { app } from "electron"; import fs from "node:fs"; import { getLlama } from "node-llama-cpp";`,
      options,
    },
    {
      filename: file("test/x.test.ts"),
      code: `import { loadNative } from "../src/worker/native/loadAddon.js";`,
      options,
    },
  ],
  invalid: [
    // ── shared: no other folder, no Node, Electron, native module or addon, not even as types
    {
      filename: file("src/shared/a/x.ts"),
      code: otherLayers("shared"),
      options,
      errors: ["core", "worker", "main", "preload", "headless", "renderer"].map((t) =>
        layerError("shared", t),
      ),
    },
    {
      filename: file("src/shared/a.ts"),
      code: `import fs from "node:fs";`,
      options,
      errors: [
        {
          messageId: "forbiddenKind",
          data: {
            layer: "shared",
            what: "a Node builtin",
            source: "node:fs",
            why: "it runs in the browser too (pure TypeScript only)",
          },
        },
      ],
    },
    { filename: file("src/shared/a.ts"), code: `import path from "path";`, options, errors: 1 },
    { filename: file("src/shared/a.ts"), code: `const fs = require("fs");`, options, errors: 1 },
    { filename: file("src/shared/a.ts"), code: `import "@node-llama-cpp/linux-x64";`, options, errors: 1 },
    {
      filename: file("src/shared/a.ts"),
      code: `import type { Llama } from "node-llama-cpp";`,
      options,
      errors: 1,
    },
    {
      filename: file("src/shared/protocol/x.ts"),
      code: `import type { Dispatch } from "../../core/rpc/dispatcher.js";`,
      options,
      errors: [
        {
          messageId: "forbiddenLayer",
          data: {
            layer: "shared",
            target: "core",
            source: "../../core/rpc/dispatcher.js",
            why: "shared code is imported by every folder and imports none",
          },
        },
      ],
    },
    {
      filename: file("src/shared/a.ts"),
      code: `export * from "../core/workbench.js"; export { x } from "../main/x.js"; type T = import("../core/workbench.js").Workbench;`,
      options,
      errors: 3,
    },
    // ── renderer: shared only, browser-safe
    {
      filename: file("src/renderer/a/x.ts"),
      code: otherLayers("renderer"),
      options,
      errors: ["core", "worker", "main", "preload", "headless"].map((t) => layerError("renderer", t)),
    },
    {
      filename: file("src/renderer/a.ts"),
      code: `import { readFile } from "fs/promises";`,
      options,
      errors: 1,
    },
    {
      filename: file("src/renderer/a.tsx"),
      code: `import { ipcRenderer } from "electron";`,
      options,
      errors: 1,
    },
    {
      filename: file("src/renderer/a.ts"),
      code: `import Database from "better-sqlite3";`,
      options,
      errors: 1,
    },
    {
      filename: file("src/renderer/a.ts"),
      code: `const l = await import("node-llama-cpp");`,
      options,
      errors: 1,
    },
    {
      filename: file("src/renderer/a.ts"),
      code: `import addon from "../../native/build/Release/cwb_native.node";`,
      options,
      errors: [addonError("renderer")],
    },
    // ── preload: shared only (what it needs from main lives in shared), and only electron
    {
      filename: file("src/preload/a/x.ts"),
      code: otherLayers("preload"),
      options,
      errors: ["core", "worker", "main", "headless", "renderer"].map((t) => layerError("preload", t)),
    },
    {
      filename: file("src/preload/preload.ts"),
      code: `import { ipcChannels } from "../main/ipcChannels.js";`,
      options,
      errors: [layerError("preload", "main")],
    },
    { filename: file("src/preload/preload.ts"), code: `import path from "node:path";`, options, errors: 1 },
    { filename: file("src/preload/preload.ts"), code: `import "node-llama-cpp";`, options, errors: 1 },
    // ── core: shared only; no Electron, no addon, no node-llama-cpp values
    {
      filename: file("src/core/a/x.ts"),
      code: otherLayers("core"),
      options,
      errors: ["worker", "main", "preload", "headless", "renderer"].map((t) => layerError("core", t)),
    },
    {
      filename: file("src/core/eval/x.ts"),
      code: `import { loadNative } from "../../worker/native/loadAddon.js";`,
      options,
      errors: [layerError("core", "worker")],
    },
    {
      filename: file("src/core/jobs/x.ts"),
      code: `import { utilityProcess } from "electron";`,
      options,
      errors: 1,
    },
    {
      filename: file("src/core/jobs/x.ts"),
      code: `import { getLlama, readGgufFileInfo } from "node-llama-cpp";`,
      options,
      errors: [llamaValue("core", "getLlama, readGgufFileInfo")],
    },
    {
      // Even its pure-JavaScript GGUF reader: the app process reads headers with core/library/ggufLayout.ts.
      filename: file("src/core/library/readModelMetadata.ts"),
      code: `const { readGgufFileInfo } = await import("node-llama-cpp");`,
      options,
      errors: [llamaValue("core", "its exports")],
    },
    {
      filename: file("src/core/jobs/x.ts"),
      code: `import llama from "node-llama-cpp"; import * as all from "node-llama-cpp"; import "node-llama-cpp"; export * from "node-llama-cpp"; export { getLlama } from "node-llama-cpp";`,
      options,
      errors: 5,
    },
    {
      filename: file("src/core/jobs/x.ts"),
      code: `const m = await import("node-llama-cpp"); const { getLlama } = await import("node-llama-cpp"); const n = require("node-llama-cpp");`,
      options,
      errors: [
        llamaValue("core", "its exports"),
        llamaValue("core", "its exports"),
        llamaValue("core", "its exports"),
      ],
    },
    {
      filename: file("src/core/jobs/x.ts"),
      code: `import "@node-llama-cpp/linux-x64-cuda";`,
      options,
      errors: [{ message: /^src\/core must not import node-llama-cpp's subpaths or platform packages / }],
    },
    {
      filename: file("src/core/jobs/x.ts"),
      code: `const addon = require("../../../native/build/Release/cwb_native.node"); import type { A } from "../../../native/types.js";`,
      options,
      errors: [addonError("core"), addonError("core")],
    },
    // ── worker: shared and core; no front end, no Electron
    {
      filename: file("src/worker/a/x.ts"),
      code: otherLayers("worker"),
      options,
      errors: ["main", "preload", "headless", "renderer"].map((t) => layerError("worker", t)),
    },
    {
      filename: file("src/worker/x.ts"),
      code: `import { ipcMain } from "electron/main";`,
      options,
      errors: 1,
    },
    // ── headless: shared and core; never the worker's code, Electron, the addon or llama values
    {
      filename: file("src/headless/a/x.ts"),
      code: otherLayers("headless"),
      options,
      errors: ["worker", "main", "preload", "renderer"].map((t) => layerError("headless", t)),
    },
    {
      filename: file("src/headless/cli/x.ts"),
      code: `import { runSpeedBench } from "../../worker/bench/speedBench.js";`,
      options,
      errors: [layerError("headless", "worker")],
    },
    {
      filename: file("src/headless/server/x.ts"),
      code: `import { app } from "electron";`,
      options,
      errors: 1,
    },
    {
      filename: file("src/headless/cli/x.ts"),
      code: `import { getLlama } from "node-llama-cpp";`,
      options,
      errors: [llamaValue("headless", "getLlama")],
    },
    {
      filename: file("src/headless/cli/x.ts"),
      code: `import addon from "../../../native/build/Release/cwb_native.node";`,
      options,
      errors: 1,
    },
    // ── main: shared and core; never the worker's code, headless, the addon or llama values
    {
      filename: file("src/main/a/x.ts"),
      code: otherLayers("main"),
      options,
      errors: ["worker", "preload", "headless", "renderer"].map((t) => layerError("main", t)),
    },
    {
      filename: file("src/main/main.ts"),
      code: `const { getLlama } = await import("node-llama-cpp");`,
      options,
      errors: [llamaValue("main", "its exports")],
    },
    {
      filename: file("src/main/main.ts"),
      code: `import addon from "../../native/build/Release/cwb_native.node";`,
      options,
      errors: 1,
    },
  ],
});
