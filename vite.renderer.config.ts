// Builds the React renderer (src/renderer/index.html) to dist/renderer. The relative base lets the
// same build load from the headless server (http://127.0.0.1:PORT/) and from Electron (file://).
import { fileURLToPath } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const here = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

export default defineConfig({
  root: here("./src/renderer"),
  base: "./",
  plugins: [react(), tailwindcss()],
  build: {
    outDir: here("./dist/renderer"),
    emptyOutDir: true,
    sourcemap: true,
    // No inline data: URLs for scripts/styles: the CSP allows only files from our own origin.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: { host: "127.0.0.1" },
});
