#!/usr/bin/env node
// Builds the Electron main-process and preload bundles exactly as `electron-forge package` does
// (forge's own config loader and its Vite plugin's config generator), without needing the Electron
// binary. Used by CI and by machines that cannot download Electron to check the desktop build.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

const loadForgeConfig = require("@electron-forge/core/dist/util/forge-config.js").default;
const ViteConfigGenerator = require("@electron-forge/plugin-vite/dist/ViteConfig.js").default;

const forgeConfig = await loadForgeConfig(root);
const vitePlugin = forgeConfig.plugins.find((plugin) => plugin && plugin.name === "vite");
if (!vitePlugin) throw new Error("forge.config.ts has no Vite plugin");

const generator = new ViteConfigGenerator(vitePlugin.config, root, true);
const configs = await generator.getBuildConfigs();
for (const config of configs) {
  const started = Date.now();
  await build({ ...config, configFile: false, logLevel: "warn" });
  const entry = config.build?.lib?.entry ?? config.build?.rollupOptions?.input;
  console.error(
    `[build-electron] ${JSON.stringify(entry)}: ok in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}
