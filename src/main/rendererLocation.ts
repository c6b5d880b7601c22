// Where the app's own renderer lives (the Vite dev server while developing, else the built
// dist/renderer/index.html inside the app) and which URLs belong to it. Pure, so it is unit-tested
// without Electron; the security checks in security.ts and ipcBridge.ts are built on it.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export type RendererLocation =
  | { readonly kind: "devServer"; readonly origin: string; readonly url: string }
  | { readonly kind: "file"; readonly indexFile: string; readonly url: string };

/** The dev server URL comes from forge's Vite plugin during `electron-forge start`, else undefined. */
export function rendererLocation(devServerUrl: string | undefined, appPath: string): RendererLocation {
  if (devServerUrl) {
    const url = new URL(devServerUrl);
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new Error(`Unexpected dev server URL ${devServerUrl}`);
    return { kind: "devServer", origin: url.origin, url: url.href };
  }
  const indexFile = path.join(appPath, "dist", "renderer", "index.html");
  return { kind: "file", indexFile, url: pathToFileURL(indexFile).href };
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function filePath(url: URL): string | null {
  if (url.protocol !== "file:") return null;
  try {
    return path.resolve(fileURLToPath(url));
  } catch {
    return null;
  }
}

/** True only for the app's own page (any hash or query): the one frame allowed to call main. */
export function isAppPageUrl(url: string, location: RendererLocation): boolean {
  const parsed = parse(url);
  if (!parsed) return false;
  if (location.kind === "devServer") return parsed.origin === location.origin;
  return filePath(parsed) === path.resolve(location.indexFile);
}

/**
 * True for requests the renderer may make: its own files (or dev server, including Vite's HMR
 * WebSocket), inline data:/blob: URLs and DevTools. Everything else (the network) is blocked.
 */
export function isAllowedRequestUrl(url: string, location: RendererLocation): boolean {
  const parsed = parse(url);
  if (!parsed) return false;
  if (["data:", "blob:", "devtools:"].includes(parsed.protocol)) return true;
  if (location.kind === "devServer") {
    const wsOrigin = location.origin.replace(/^http/, "ws");
    return parsed.origin === location.origin || `${parsed.protocol}//${parsed.host}` === wsOrigin;
  }
  const file = filePath(parsed);
  if (file === null) return false;
  const rendererDir = path.dirname(path.resolve(location.indexFile));
  const relative = path.relative(rendererDir, file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
}

/**
 * The Content-Security-Policy for the renderer: nothing remote, nothing inline. The dev server
 * build needs Vite's inline React-refresh preamble, injected styles and its HMR WebSocket.
 */
export function contentSecurityPolicy(location: RendererLocation): string {
  const dev = location.kind === "devServer";
  const wsOrigin = dev ? location.origin.replace(/^http/, "ws") : "";
  return [
    "default-src 'none'",
    dev ? "script-src 'self' 'unsafe-inline'" : "script-src 'self'",
    dev ? "style-src 'self' 'unsafe-inline'" : "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    dev ? `connect-src 'self' ${wsOrigin}` : "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "frame-src 'none'",
    "object-src 'none'",
  ].join("; ");
}
