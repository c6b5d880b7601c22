// Electron Forge: Vite builds of the main process (plus the job worker and its utilityProcess shim)
// and the sandboxed preload; the renderer is built by the UI's own vite.renderer.config.ts to
// dist/renderer. Packages into an asar with native code unpacked, hardened with fuses.
import type { ForgeConfig } from "@electron-forge/shared-types";
import { MakerDeb } from "@electron-forge/maker-deb";
import { MakerDMG } from "@electron-forge/maker-dmg";
import { MakerSquirrel } from "@electron-forge/maker-squirrel";
import { MakerZIP } from "@electron-forge/maker-zip";
import { AutoUnpackNativesPlugin } from "@electron-forge/plugin-auto-unpack-natives";
import { FusesPlugin } from "@electron-forge/plugin-fuses";
import { VitePlugin } from "@electron-forge/plugin-vite";
import { FuseV1Options, FuseVersion } from "@electron/fuses";

/** Top-level paths that go into the app (packager passes paths relative to the project, starting "/"). */
const packagedRoots = ["/package.json", "/.vite", "/dist/renderer", "/node_modules", "/native/build/Release"];

/** Keeps the built bundles, the renderer, runtime node_modules (packager prunes dev deps) and the addon. */
export function isPackagedPath(file: string): boolean {
  if (file === "") return true;
  // The addons, and the lists the build writes beside them (backends.json, architectures.json).
  if (file.startsWith("/native/build/Release/"))
    return /^\/native\/build\/Release\/[^/]+\.(node|json)$/.test(file);
  return packagedRoots.some(
    (root) => file === root || file.startsWith(`${root}/`) || root.startsWith(`${file}/`),
  );
}

/**
 * Unpacked from the asar: every native binary, and node-llama-cpp with its prebuilt llama.cpp
 * packages whole (it resolves and loads its backends by path, and may probe files next to them).
 */
export const asarUnpack =
  "**/{*.node,*.so,*.so.*,*.dylib,*.dll,*.metal,node_modules/node-llama-cpp/**,node_modules/@node-llama-cpp/**,native/build/Release/*.node}";

const config: ForgeConfig = {
  packagerConfig: {
    name: "Compression Workbench",
    executableName: "compression-workbench",
    appBundleId: "dev.compression-workbench.app",
    asar: { unpack: asarUnpack },
    ignore: (file: string) => !isPackagedPath(file),
    prune: true,
  },
  // Only better-sqlite3 is a non-N-API native module; node-llama-cpp and our addon use N-API.
  rebuildConfig: { onlyModules: ["better-sqlite3"] },
  makers: [
    new MakerSquirrel({}),
    new MakerZIP({}, ["darwin", "linux", "win32"]),
    new MakerDMG({}),
    new MakerDeb({
      options: {
        name: "compression-workbench",
        productName: "Compression Workbench",
        categories: ["Development", "Science"],
        icon: "assets/icon.png",
      },
    }),
  ],
  plugins: [
    new AutoUnpackNativesPlugin({}),
    new VitePlugin({
      build: [
        { entry: "src/main/main.ts", config: "vite.main.config.ts", target: "main" },
        // Named "worker" so it does not collide with main.js; its runners become chunks beside it.
        { entry: { worker: "src/worker/main.ts" }, config: "vite.main.config.ts", target: "main" },
        { entry: "src/main/utilityWorkerShim.ts", config: "vite.main.config.ts", target: "main" },
        { entry: "src/preload/preload.ts", config: "vite.preload.config.ts", target: "preload" },
      ],
      renderer: [{ name: "main_window", config: "vite.renderer.config.ts" }],
    }),
    new FusesPlugin({
      version: FuseVersion.V1,
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
    }),
  ],
};

export default config;
