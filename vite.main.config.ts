// Vite config for the Electron main-process bundles (forge.config.ts builds src/main/main.ts, the
// job worker and the utilityProcess shim with it). Output is ESM: the package is "type": "module"
// and node-llama-cpp is ESM-only. Runtime dependencies stay external and load from node_modules:
// native modules cannot be bundled, and node-llama-cpp finds its binaries relative to itself.
import { builtinModules } from "node:module";
import { readFileSync } from "node:fs";
import { defineConfig, type ConfigEnv, type LibraryOptions, type UserConfig } from "vite";

interface PackageJson {
  dependencies?: Record<string, string>;
}
const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as PackageJson;

/** Every runtime dependency (and its subpaths), the @node-llama-cpp/* binaries, electron and Node builtins. */
export const mainExternals: (string | RegExp)[] = [
  "electron",
  /^electron\//,
  ...builtinModules.flatMap((name) => [name, `node:${name}`]),
  ...Object.keys(pkg.dependencies ?? {}).map(
    (name) => new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}(/.*)?$`),
  ),
  /^@node-llama-cpp\//,
  // The cwb_native addon is loaded at run time by path (worker/native/loadAddon.ts), never imported.
  /\.node$/,
];

type ForgeEnv = ConfigEnv & { forgeConfigSelf?: { entry?: LibraryOptions["entry"] } };

export default defineConfig((env: ForgeEnv): UserConfig => ({
  build: {
    // Under forge the entry comes from forge.config.ts; `vite build -c vite.main.config.ts` builds main.
    lib: {
      entry: env.forgeConfigSelf?.entry ?? "src/main/main.ts",
      formats: ["es"],
      fileName: () => "[name].js",
    },
    outDir: ".vite/build",
    emptyOutDir: false,
    target: "node20",
    sourcemap: true,
    minify: false,
    rollupOptions: { external: mainExternals },
  },
  resolve: {
    // Load Node entries of dependencies we do bundle.
    conditions: ["node"],
    mainFields: ["module", "jsnext:main", "jsnext"],
  },
}));
