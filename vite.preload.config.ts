// Vite config for the sandboxed preload. A sandboxed preload is a classic script that can require
// only "electron", so it is one self-contained CommonJS file (preload.cjs, since the package is
// "type": "module") with the call-name allowlist inlined and no zod.
import { defineConfig, type ConfigEnv, type UserConfig } from "vite";

type ForgeEnv = ConfigEnv & { forgeConfigSelf?: { entry?: string } };

export default defineConfig((env: ForgeEnv): UserConfig => ({
  build: {
    outDir: ".vite/build",
    emptyOutDir: false,
    target: "chrome120",
    sourcemap: "inline",
    minify: false,
    rollupOptions: {
      input: env.forgeConfigSelf?.entry ?? "src/preload/preload.ts",
      external: ["electron", /^electron\//],
      output: {
        format: "cjs",
        inlineDynamicImports: true,
        entryFileNames: "[name].cjs",
      },
    },
  },
}));
