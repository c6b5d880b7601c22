// The desktop shell's main-process modules under a test double of Electron's API (the Electron
// binary cannot be installed here): the window's security settings, the session's CSP, request and
// permission rules, navigation and window-open blocking, the IPC sender check, and the protocol of
// the utilityProcess launcher. What only the binary can show (that Electron honours these settings,
// the utility process's real parentPort) is listed in the README.
import { EventEmitter } from "node:events";
import path from "node:path";
import { PassThrough } from "node:stream";
import { beforeEach, describe, expect, it, vi } from "vitest";

/** What the double records: every object the code under test created or registered. */
const electron = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => unknown;
  const record = {
    windows: [] as {
      options: Record<string, unknown>;
      loaded: string[];
      shown: boolean;
      once: Map<string, Listener>;
    }[],
    appListeners: new Map<string, Listener[]>(),
    headers: null as Listener | null,
    beforeRequest: null as Listener | null,
    permissionRequest: null as Listener | null,
    permissionCheck: null as Listener | null,
    devicePermission: null as Listener | null,
    ipcHandlers: new Map<string, Listener>(),
    forks: [] as {
      modulePath: string;
      args: string[];
      options: Record<string, unknown>;
      child: EventEmitter & {
        posted: unknown[];
        killed: boolean;
        stdout: unknown;
        stderr: unknown;
        pid: number;
      };
    }[],
  };
  return record;
});

vi.mock("electron", () => {
  class BrowserWindow {
    readonly webContents = { isDestroyed: () => false, getURL: () => "", send: vi.fn() };
    readonly #entry;
    constructor(options: Record<string, unknown>) {
      this.#entry = { options, loaded: [] as string[], shown: false, once: new Map() };
      electron.windows.push(this.#entry);
    }
    once(event: string, listener: () => void) {
      this.#entry.once.set(event, listener);
    }
    show() {
      this.#entry.shown = true;
    }
    loadURL(url: string) {
      this.#entry.loaded.push(url);
      return Promise.resolve();
    }
    isDestroyed() {
      return false;
    }
  }
  const session = {
    defaultSession: {
      webRequest: {
        onHeadersReceived: (listener: never) => (electron.headers = listener),
        onBeforeRequest: (listener: never) => (electron.beforeRequest = listener),
      },
      setPermissionRequestHandler: (listener: never) => (electron.permissionRequest = listener),
      setPermissionCheckHandler: (listener: never) => (electron.permissionCheck = listener),
      setDevicePermissionHandler: (listener: never) => (electron.devicePermission = listener),
      setDisplayMediaRequestHandler: () => undefined,
    },
  };
  const app = {
    on: (event: string, listener: never) =>
      electron.appListeners.set(event, [...(electron.appListeners.get(event) ?? []), listener]),
  };
  const ipcMain = {
    handle: (channel: string, listener: never) => electron.ipcHandlers.set(channel, listener),
    removeHandler: (channel: string) => electron.ipcHandlers.delete(channel),
  };
  const utilityProcess = {
    fork(modulePath: string, args: string[], options: Record<string, unknown>) {
      const child = Object.assign(new EventEmitter(), {
        posted: [] as unknown[],
        killed: false,
        stdout: new PassThrough(),
        stderr: new PassThrough(),
        pid: 999_999_999,
        postMessage(message: unknown) {
          child.posted.push(message);
        },
        kill() {
          child.killed = true;
          return true;
        },
      });
      electron.forks.push({ modulePath, args, options, child });
      return child;
    },
  };
  return { BrowserWindow, session, app, ipcMain, utilityProcess, default: {} };
});

const { createMainWindow } = await import("../../src/main/mainWindow.js");
const { hardenDefaultSession } = await import("../../src/main/security.js");
const { serveIpc } = await import("../../src/main/ipcBridge.js");
const { createUtilityWorkerLauncher } = await import("../../src/main/utilityWorkerLauncher.js");
const { rendererLocation } = await import("../../src/main/rendererLocation.js");
const { ipcChannels } = await import("../../src/shared/protocol/ipcChannels.js");

const appPath = path.resolve("/opt/workbench/resources/app");
const location = rendererLocation(undefined, appPath);
const pageUrl = location.url;

beforeEach(() => {
  electron.windows.length = 0;
  electron.appListeners.clear();
  electron.ipcHandlers.clear();
  electron.forks.length = 0;
});

describe("the main window", () => {
  it("is isolated, sandboxed and without Node, shows when ready, and loads the app's page", () => {
    createMainWindow(location, "/app/preload.js");
    const [window] = electron.windows;
    expect(window!.options.webPreferences).toMatchObject({
      preload: "/app/preload.js",
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(window!.loaded).toEqual([pageUrl]);
    expect(window!.shown).toBe(false);
    window!.once.get("ready-to-show")!();
    expect(window!.shown).toBe(true);
  });
});

describe("the session and every web contents", () => {
  beforeEach(() => hardenDefaultSession(location));

  it("replaces any CSP with the app's own, and blocks requests outside the renderer's files", () => {
    let headers: Record<string, string[]> = {};
    electron.headers!({ responseHeaders: { "content-security-policy": ["default-src *"] } }, (r: never) => {
      headers = (r as { responseHeaders: Record<string, string[]> }).responseHeaders;
    });
    expect(Object.keys(headers).filter((h) => h.toLowerCase() === "content-security-policy")).toEqual([
      "Content-Security-Policy",
    ]);
    expect(headers["Content-Security-Policy"]![0]).toMatch(/^default-src 'none'; script-src 'self'; /);

    const cancelled = (url: string) => {
      let cancel: boolean | undefined;
      electron.beforeRequest!({ url }, (r: { cancel: boolean }) => (cancel = r.cancel));
      return cancel;
    };
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(cancelled(new URL("assets/index.js", pageUrl).href)).toBe(false);
    expect(cancelled("https://example.com/x.js")).toBe(true);
    expect(cancelled("file:///etc/passwd")).toBe(true);
    warn.mockRestore();
  });

  it("denies every permission", () => {
    let granted: boolean | undefined;
    electron.permissionRequest!(null, "media", (answer: boolean) => (granted = answer));
    expect(granted).toBe(false);
    expect(electron.permissionCheck!()).toBe(false);
    expect(electron.devicePermission!()).toBe(false);
  });

  it("blocks navigation away, redirects away, <webview> and new windows", () => {
    const contents = Object.assign(new EventEmitter(), {
      windowOpen: null as null | (() => unknown),
      setWindowOpenHandler(handler: () => unknown) {
        this.windowOpen = handler;
      },
    });
    for (const listener of electron.appListeners.get("web-contents-created") ?? []) listener({}, contents);
    const prevented = (event: string, url?: string) => {
      const e = { preventDefault: vi.fn() };
      contents.emit(event, e, url);
      return e.preventDefault.mock.calls.length > 0;
    };
    expect(prevented("will-navigate", "https://example.com/")).toBe(true);
    expect(prevented("will-navigate", `${pageUrl}#/models`)).toBe(false);
    expect(prevented("will-redirect", "https://example.com/")).toBe(true);
    expect(prevented("will-attach-webview")).toBe(true);
    expect(contents.windowOpen!()).toEqual({ action: "deny" });
  });
});

describe("IPC", () => {
  it("answers only the app's own top-level page; events go only to windows showing it", async () => {
    const dispatch = vi.fn(async (frame: unknown) => ({
      type: "result" as const,
      id: (frame as { id: number }).id,
      ok: true as const,
      value: "answered",
    }));
    const listeners: ((topic: string, payload: unknown) => void)[] = [];
    const events = { subscribe: (l: (typeof listeners)[number]) => (listeners.push(l), () => undefined) };
    const atApp = {
      isDestroyed: () => false,
      webContents: { isDestroyed: () => false, getURL: () => pageUrl, send: vi.fn() },
    };
    const elsewhere = {
      isDestroyed: () => false,
      webContents: { isDestroyed: () => false, getURL: () => "https://example.com/", send: vi.fn() },
    };
    const stop = serveIpc({
      dispatch: dispatch as never,
      events: events as never,
      location,
      windows: () => [atApp, elsewhere] as never,
    });
    const handler = electron.ipcHandlers.get(ipcChannels.call)!;
    const call = { type: "call", id: 7, method: "app.info", params: {} };
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);

    expect(await handler({ senderFrame: { url: pageUrl, parent: null } }, call)).toMatchObject({
      ok: true,
      id: 7,
    });
    expect(dispatch).toHaveBeenCalledTimes(1);
    for (const senderFrame of [
      { url: pageUrl, parent: {} },
      { url: "https://example.com/", parent: null },
      null,
    ]) {
      expect(await handler({ senderFrame }, call)).toMatchObject({
        ok: false,
        id: 7,
        error: { code: "FORBIDDEN" },
      });
    }
    expect(dispatch).toHaveBeenCalledTimes(1);
    warn.mockRestore();

    listeners[0]!("jobs.updated", { id: "j" });
    expect(atApp.webContents.send).toHaveBeenCalledWith(ipcChannels.event, {
      type: "event",
      topic: "jobs.updated",
      payload: { id: "j" },
    });
    expect(elsewhere.webContents.send).not.toHaveBeenCalled();
    stop();
    expect(electron.ipcHandlers.has(ipcChannels.call)).toBe(false);
  });
});

describe("the utilityProcess launcher", () => {
  it("starts the shim with the worker named in the environment, relays messages, output and exit", async () => {
    const launcher = createUtilityWorkerLauncher({ shimPath: "/app/shim.js", workerPath: "/app/worker.js" });
    const handle = launcher.spawn({
      entryPath: "/dist/worker/main.js",
      args: ["--job", "j1"],
      env: { CWB_DATA_DIR: "/data" },
      cwd: "/work",
      execArgv: ["--import", "tsx"],
    } as never);
    const [fork] = electron.forks;
    expect(fork!.modulePath).toBe("/app/shim.js");
    expect(fork!.args).toEqual(["--job", "j1"]);
    expect(fork!.options).toMatchObject({
      env: { CWB_DATA_DIR: "/data", CWB_WORKER_ENTRY: "/app/worker.js" },
      cwd: "/work",
      // The bundled worker needs none of the queue's loader flags.
      execArgv: [],
      stdio: "pipe",
    });

    const received: unknown[] = [];
    handle.onMessage((m) => received.push(m));
    fork!.child.emit("message", { type: "ready" });
    expect(received).toEqual([{ type: "ready" }]);
    handle.send({ type: "cancel" } as never);
    expect(fork!.child.posted).toEqual([{ type: "cancel" }]);

    const lines: string[] = [];
    handle.onOutput((line) => lines.push(line));
    (fork!.child.stderr as PassThrough).write("llama.cpp said something\n");
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toContain("llama.cpp said something");

    const exits: unknown[] = [];
    handle.onExit((exit) => exits.push(exit));
    fork!.child.emit("exit", 3);
    (fork!.child.stdout as PassThrough).end();
    (fork!.child.stderr as PassThrough).end();
    await vi.waitFor(() => expect(exits).toEqual([{ code: 3, signal: null }]));
    // Killing an exited worker does nothing.
    handle.kill();
    expect(fork!.child.killed).toBe(false);
    // After the exit nothing more is posted to the dead process.
    handle.send({ type: "cancel" } as never);
    expect(fork!.child.posted).toHaveLength(1);
  });

  it("without a bundled worker runs the queue's entry with its loader flags; kill ends it", () => {
    const handle = createUtilityWorkerLauncher({ shimPath: "/app/shim.js" }).spawn({
      entryPath: "/dist/worker/main.js",
      args: [],
      env: {},
      cwd: "/work",
      execArgv: ["--import", "tsx"],
    } as never);
    expect(electron.forks[0]!.options).toMatchObject({
      env: { CWB_WORKER_ENTRY: "/dist/worker/main.js" },
      execArgv: ["--import", "tsx"],
    });
    // No such pid: the launcher falls back to the utility process's own kill.
    handle.kill();
    expect(electron.forks[0]!.child.killed).toBe(true);
  });
});
