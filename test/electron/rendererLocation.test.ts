// The URL checks behind the Electron shell's security: which page may call main, which requests
// the renderer may make, the CSP it gets, and where the desktop app keeps its data.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { desktopDataDir, dataDirFromArgv } from "../../src/main/desktopDataDir.js";
import {
  contentSecurityPolicy,
  isAllowedRequestUrl,
  isAppPageUrl,
  rendererLocation,
} from "../../src/main/rendererLocation.js";
import { senderProblem } from "../../src/main/senderCheck.js";

const appPath = path.resolve("/opt/cwb/resources/app.asar");
const packaged = rendererLocation(undefined, appPath);
const dev = rendererLocation("http://localhost:5173/", appPath);
const indexUrl = pathToFileURL(path.join(appPath, "dist", "renderer", "index.html")).href;

describe("rendererLocation", () => {
  it("loads the built renderer from inside the app, or the dev server", () => {
    expect(packaged).toEqual({
      kind: "file",
      indexFile: path.join(appPath, "dist", "renderer", "index.html"),
      url: indexUrl,
    });
    expect(dev).toEqual({
      kind: "devServer",
      origin: "http://localhost:5173",
      url: "http://localhost:5173/",
    });
    expect(() => rendererLocation("file:///etc/passwd", appPath)).toThrow(/Unexpected dev server URL/);
  });
});

describe("isAppPageUrl", () => {
  it("accepts the app's own page with any route", () => {
    expect(isAppPageUrl(indexUrl, packaged)).toBe(true);
    expect(isAppPageUrl(`${indexUrl}#/models/abc?x=1`, packaged)).toBe(true);
    expect(isAppPageUrl("http://localhost:5173/#/jobs", dev)).toBe(true);
  });

  it("refuses every other page", () => {
    for (const url of [
      pathToFileURL(path.join(appPath, "dist", "renderer", "other.html")).href,
      pathToFileURL("/tmp/evil/index.html").href,
      pathToFileURL(path.join(appPath, "dist", "renderer", "..", "..", "index.html")).href,
      "https://example.com/",
      "http://localhost:5174/",
      "http://127.0.0.1:5173/",
      "about:blank",
      "",
      "not a url",
    ]) {
      expect(isAppPageUrl(url, packaged), url).toBe(false);
      if (!url.startsWith("http://localhost:5173")) expect(isAppPageUrl(url, dev), url).toBe(false);
    }
  });
});

describe("isAllowedRequestUrl", () => {
  it("allows the renderer's own files and inline URLs", () => {
    const asset = pathToFileURL(path.join(appPath, "dist", "renderer", "assets", "index-abc.js")).href;
    expect(isAllowedRequestUrl(asset, packaged)).toBe(true);
    expect(isAllowedRequestUrl(indexUrl, packaged)).toBe(true);
    expect(isAllowedRequestUrl("data:image/png;base64,AAAA", packaged)).toBe(true);
    expect(isAllowedRequestUrl("devtools://devtools/bundled/inspector.html", packaged)).toBe(true);
  });

  it("blocks the network and files outside the renderer", () => {
    for (const url of [
      "https://example.com/x.js",
      "http://localhost:5173/x.js",
      "ws://localhost:5173/",
      pathToFileURL("/etc/passwd").href,
      pathToFileURL(path.join(appPath, "package.json")).href,
      pathToFileURL(path.join(appPath, "dist", "renderer-evil", "x.js")).href,
    ]) {
      expect(isAllowedRequestUrl(url, packaged), url).toBe(false);
    }
  });

  it("allows the dev server and its HMR socket in development, nothing else", () => {
    expect(isAllowedRequestUrl("http://localhost:5173/src/main.tsx", dev)).toBe(true);
    expect(isAllowedRequestUrl("ws://localhost:5173/?token=x", dev)).toBe(true);
    expect(isAllowedRequestUrl("http://localhost:5174/", dev)).toBe(false);
    expect(isAllowedRequestUrl("https://fonts.example/x.woff2", dev)).toBe(false);
    expect(isAllowedRequestUrl(indexUrl, dev)).toBe(false);
  });
});

describe("contentSecurityPolicy", () => {
  it("is strict for the packaged app: nothing inline, nothing remote", () => {
    const policy = contentSecurityPolicy(packaged);
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self';");
    expect(policy).toContain("connect-src 'self';");
    expect(policy).not.toContain("unsafe");
    expect(policy).not.toMatch(/https?:/);
  });

  it("allows only what Vite's dev server needs in development", () => {
    const policy = contentSecurityPolicy(dev);
    expect(policy).toContain("script-src 'self' 'unsafe-inline'");
    expect(policy).toContain("connect-src 'self' ws://localhost:5173");
    expect(policy).not.toContain("unsafe-eval");
  });
});

describe("senderProblem", () => {
  it("accepts only the app page in the top-level frame", () => {
    expect(senderProblem({ url: indexUrl, parent: null }, packaged)).toBeNull();
    expect(senderProblem({ url: indexUrl, parent: {} }, packaged)).toMatch(/top-level frame/);
    expect(senderProblem({ url: "https://example.com/", parent: null }, packaged)).toMatch(
      /not accepted from https:\/\/example.com/,
    );
    expect(senderProblem(null, packaged)).toMatch(/gone/);
  });
});

describe("desktopDataDir", () => {
  const userData = path.resolve("/home/u/.config/Compression Workbench");
  it("prefers --data-dir, then $CWB_DATA_DIR, then Electron's userData", () => {
    expect(desktopDataDir(["electron", ".", "--data-dir", "/d1"], { CWB_DATA_DIR: "/d2" }, userData)).toBe(
      path.resolve("/d1"),
    );
    expect(desktopDataDir(["app", "--data-dir=/d3"], {}, userData)).toBe(path.resolve("/d3"));
    expect(desktopDataDir(["app"], { CWB_DATA_DIR: "/d2" }, userData)).toBe(path.resolve("/d2"));
    expect(desktopDataDir(["app"], {}, userData)).toBe(userData);
  });

  it("refuses a --data-dir without a folder", () => {
    expect(() => dataDirFromArgv(["app", "--data-dir"])).toThrow(/needs a folder/);
    expect(() => dataDirFromArgv(["app", "--data-dir", "--other"])).toThrow(/needs a folder/);
    expect(() => dataDirFromArgv(["app", "--data-dir="])).toThrow(/needs a folder/);
  });
});
