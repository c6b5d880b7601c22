// The desktop build without the Electron binary: forge's own loader reads forge.config.ts, the same
// Vite configs forge would use build main, worker, shim and preload, and the packaging rules
// (asar unpack, ignore, fuses) are checked against the matcher @electron/asar really uses.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FuseV1Options } from "@electron/fuses";
import { callNames } from "../../src/shared/protocol/callNames.js";

const root = path.resolve(import.meta.dirname, "..", "..");
const require = createRequire(import.meta.url);
const buildDir = path.join(root, ".vite", "build");

interface LoadedPlugin {
  name: string;
  config: unknown;
}
interface LoadedForgeConfig {
  packagerConfig: { asar: { unpack: string }; ignore: (file: string) => boolean; prune: boolean };
  plugins: LoadedPlugin[];
  makers: { name: string }[];
}

async function loadForgeConfig(): Promise<LoadedForgeConfig> {
  const load = (
    require("@electron-forge/core/dist/util/forge-config.js") as {
      default: (dir: string) => Promise<unknown>;
    }
  ).default;
  return (await load(root)) as LoadedForgeConfig;
}

describe("forge.config.ts as forge loads it", () => {
  let config: LoadedForgeConfig;
  beforeAll(async () => {
    config = await loadForgeConfig();
  });

  it("has the Vite, fuses and auto-unpack plugins and the four makers", () => {
    expect(config.plugins.map((plugin) => plugin.name).sort()).toEqual([
      "auto-unpack-natives",
      "fuses",
      "vite",
    ]);
    expect(config.makers.map((maker) => maker.name).sort()).toEqual(["deb", "dmg", "squirrel", "zip"]);
    const fuses = config.plugins.find((plugin) => plugin.name === "fuses")?.config as Record<string, unknown>;
    expect(fuses[FuseV1Options.RunAsNode]).toBe(false);
    expect(fuses[FuseV1Options.EnableCookieEncryption]).toBe(true);
    expect(fuses[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(false);
    expect(fuses[FuseV1Options.EnableNodeCliInspectArguments]).toBe(false);
    expect(fuses[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
    expect(fuses[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
  });

  it("unpacks native code from the asar, as @electron/asar matches it", () => {
    const asarDir = path.dirname(require.resolve("@electron/asar/package.json"));
    type Match = (file: string, pattern: string, options: object) => boolean;
    // asar loads it with __importDefault: the module itself when it is a CommonJS function.
    const loaded = createRequire(path.join(asarDir, "lib", "asar.js"))("minimatch") as
      Match | { default: Match };
    const minimatch = typeof loaded === "function" ? loaded : loaded.default;
    const unpack = config.packagerConfig.asar.unpack;
    const app = path.resolve("/build/resources/app");
    const unpacked = (relative: string): boolean =>
      minimatch(path.join(app, relative), unpack, { matchBase: true });
    expect(unpacked("node_modules/better-sqlite3/build/Release/better_sqlite3.node")).toBe(true);
    expect(unpacked("native/build/Release/cwb_native-linux-x64-vulkan.node")).toBe(true);
    expect(unpacked("native/build/Release/cwb_gpu_probe.node")).toBe(true);
    expect(unpacked("node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/libllama.so")).toBe(true);
    expect(
      unpacked("node_modules/@node-llama-cpp/mac-arm64-metal/bins/mac-arm64-metal/libggml-metal.dylib"),
    ).toBe(true);
    expect(unpacked("node_modules/node-llama-cpp/dist/index.js")).toBe(true);
    expect(unpacked(".vite/build/main.js")).toBe(false);
    expect(unpacked("dist/renderer/index.html")).toBe(false);
    expect(unpacked("node_modules/zod/index.js")).toBe(false);
  });

  it("packages the bundles, the renderer, node_modules and the addon, nothing else", () => {
    const ignored = config.packagerConfig.ignore;
    for (const kept of [
      "/package.json",
      "/.vite",
      "/.vite/build/main.js",
      "/dist",
      "/dist/renderer/index.html",
      "/node_modules/zod/package.json",
      "/native",
      "/native/build",
      "/native/build/Release/cwb_native-linux-x64.node",
      "/native/build/Release/cwb_native-win-x64-cuda.node",
      "/native/build/Release/cwb_gpu_probe.node",
      "/native/build/Release/backends.json",
      "/native/build/Release/architectures.json",
    ]) {
      expect(ignored(kept), kept).toBe(false);
    }
    for (const dropped of [
      "/src/main/main.ts",
      "/dist/node/core/workbench.js",
      "/native/src/addon.cpp",
      "/native/build/Release/obj.target/x.o",
      "/native/build/Release/cwb_native_core.a",
      "/native/build/Release/backends.json.tmp",
      "/test",
      "/forge.config.ts",
      "/package-lock.json",
      "/.git",
    ]) {
      expect(ignored(dropped), dropped).toBe(true);
    }
    expect(config.packagerConfig.prune).toBe(true);
  });
});

describe("scripts/build-electron.js", () => {
  beforeAll(() => {
    const result = spawnSync(process.execPath, [path.join(root, "scripts", "build-electron.js")], {
      cwd: root,
      encoding: "utf8",
    });
    if (result.status !== 0)
      throw new Error(`build-electron failed (exit ${result.status}):\n${result.stderr}`);
  }, 300_000);

  it("builds an ESM main bundle that loads native modules from node_modules", () => {
    const main = readFileSync(path.join(buildDir, "main.js"), "utf8");
    expect(main).toMatch(/^import \{[^}]*\bapp\b[^}]*\} from "electron";/m);
    expect(main).toMatch(/^import Database from "better-sqlite3";/m);
    expect(main).not.toMatch(/\brequire\(["']electron["']\)/);
    // The forge define is resolved: no dev server in a production build.
    expect(main).not.toContain("MAIN_WINDOW_VITE_DEV_SERVER_URL");
    for (const file of ["worker.js", "utilityWorkerShim.js", "preload.cjs"])
      expect(existsSync(path.join(buildDir, file)), file).toBe(true);
  });

  it("builds a worker whose native work stays external", () => {
    const chunks = spawnSync("grep", ["-l", "-r", "node-llama-cpp", buildDir], { encoding: "utf8" }).stdout;
    expect(chunks).not.toBe("");
    const worker = readFileSync(path.join(buildDir, "worker.js"), "utf8");
    expect(worker).not.toMatch(/from "electron"/);
  });

  it("builds a self-contained CommonJS preload: electron only, call names inlined, no zod", () => {
    const preload = readFileSync(path.join(buildDir, "preload.cjs"), "utf8");
    const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((match) => match[1]);
    expect(new Set(required)).toEqual(new Set(["electron"]));
    expect(preload).not.toMatch(/^\s*(import|export)\s/m);
    expect(preload).not.toMatch(/zod|ZodType|safeParse/);
    for (const name of callNames) expect(preload).toContain(`"${name}"`);
    expect(preload).toContain("exposeInMainWorld");
  });
});
