// The "cwb/layering" ESLint rule, run through ESLint's own RuleTester on TypeScript sources.
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

tester.run("layering", layering, {
  valid: [
    // shared imports only shared and pure packages
    {
      filename: file("src/shared/protocol/endpoints.ts"),
      code: `import { z } from "zod"; import { job } from "../domain/job.js";`,
      options,
    },
    // renderer imports shared and browser packages
    {
      filename: file("src/renderer/App.tsx"),
      code: `import { calls } from "../shared/protocol/endpoints.js"; import React from "react";`,
      options,
    },
    // core uses Node, SQLite, node-llama-cpp and the addon
    {
      filename: file("src/core/store/Store.ts"),
      code: `import path from "node:path"; import fs from "fs"; import Database from "better-sqlite3"; import { loadNative } from "../native/loadAddon.js"; const m = await import("node-llama-cpp");`,
      options,
    },
    // worker uses core and native
    {
      filename: file("src/worker/main.ts"),
      code: `import { parentMessage } from "../core/jobs/workerMessages.js"; import "node-llama-cpp";`,
      options,
    },
    // the Electron shell may use everything
    {
      filename: file("src/main/main.ts"),
      code: `import { app } from "electron"; import { Workbench } from "../core/workbench.js";`,
      options,
    },
    {
      filename: file("src/preload/preload.ts"),
      code: `import { contextBridge } from "electron"; import { callNames } from "../shared/protocol/callNames.js";`,
      options,
    },
    // headless uses Node and core, not Electron-specific rules
    {
      filename: file("src/headless/server/x.ts"),
      code: `import http from "node:http"; import { Workbench } from "../../core/workbench.js";`,
      options,
    },
    // files outside src/ are not layered
    {
      filename: file("scripts/tool.ts"),
      code: `import { app } from "electron"; import fs from "node:fs";`,
      options,
    },
    { filename: file("test/x.test.ts"), code: `import { BrowserWindow } from "electron";`, options },
    // a package whose name merely starts like a builtin is not a builtin
    { filename: file("src/shared/a.ts"), code: `import x from "fs-extra-like-but-pure";`, options },
    // type-only import inside the same layer
    { filename: file("src/shared/a.ts"), code: `import type { Job } from "./domain/job.js";`, options },
  ],
  invalid: [
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
    {
      filename: file("src/shared/a.ts"),
      code: `import path from "path";`,
      options,
      errors: [{ messageId: "forbiddenKind" }],
    },
    {
      filename: file("src/renderer/a.ts"),
      code: `import { readFile } from "fs/promises";`,
      options,
      errors: [{ messageId: "forbiddenKind" }],
    },
    {
      filename: file("src/renderer/a.tsx"),
      code: `import { ipcRenderer } from "electron";`,
      options,
      errors: [{ messageId: "forbiddenKind" }],
    },
    {
      filename: file("src/renderer/a.ts"),
      code: `import Database from "better-sqlite3";`,
      options,
      errors: [{ messageId: "forbiddenKind" }],
    },
    {
      filename: file("src/renderer/a.ts"),
      code: `const llama = await import("node-llama-cpp");`,
      options,
      errors: [{ messageId: "forbiddenKind" }],
    },
    {
      filename: file("src/shared/a.ts"),
      code: `import "@node-llama-cpp/linux-x64";`,
      options,
      errors: [{ messageId: "forbiddenKind" }],
    },
    // the addon, by relative path into native/ or src/core/native
    {
      filename: file("src/renderer/a.ts"),
      code: `import addon from "../../native/build/Release/cwb_native.node";`,
      options,
      errors: [{ messageId: "forbiddenKind" }],
    },
    {
      filename: file("src/shared/a.ts"),
      code: `import type { CwbNativeAddon } from "../core/native/AddonTypes.js";`,
      options,
      errors: [{ messageId: "forbiddenKind" }],
    },
    // require() and re-exports count as imports too
    {
      filename: file("src/shared/a.ts"),
      code: `const fs = require("fs");`,
      options,
      errors: [{ messageId: "forbiddenKind" }],
    },
    {
      filename: file("src/shared/a.ts"),
      code: `export * from "../core/workbench.js";`,
      options,
      errors: [{ messageId: "forbiddenLayer" }],
    },
    {
      filename: file("src/shared/a.ts"),
      code: `export { x } from "../main/x.js";`,
      options,
      errors: [{ messageId: "forbiddenLayer" }],
    },
    // shared imports no other layer, not even for types
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
            why: "shared code is imported by every layer and imports none",
          },
        },
      ],
    },
    {
      filename: file("src/shared/x.ts"),
      code: `import { a } from "../worker/a.js"; import { b } from "../headless/b.js"; import { c } from "../renderer/c.js";`,
      options,
      errors: 3,
    },
    {
      filename: file("src/shared/x.ts"),
      code: `type T = import("../core/workbench.js").Workbench;`,
      options,
      errors: [{ messageId: "forbiddenLayer" }],
    },
    // the renderer reaches the engine only through the protocol
    {
      filename: file("src/renderer/x.ts"),
      code: `import { Workbench } from "../core/workbench.js";`,
      options,
      errors: [{ messageId: "forbiddenLayer" }],
    },
    // core and worker never depend on Electron or the shell
    {
      filename: file("src/core/jobs/x.ts"),
      code: `import { utilityProcess } from "electron";`,
      options,
      errors: [{ messageId: "forbiddenKind" }],
    },
    {
      filename: file("src/core/jobs/x.ts"),
      code: `import { createUtilityWorkerLauncher } from "../../main/utilityWorkerLauncher.js";`,
      options,
      errors: [{ messageId: "forbiddenLayer" }],
    },
    {
      filename: file("src/worker/x.ts"),
      code: `import { ipcMain } from "electron/main";`,
      options,
      errors: [{ messageId: "forbiddenKind" }],
    },
    {
      filename: file("src/worker/x.ts"),
      code: `import { App } from "../renderer/App.js";`,
      options,
      errors: [{ messageId: "forbiddenLayer" }],
    },
  ],
});
