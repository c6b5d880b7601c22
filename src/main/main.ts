// Electron's main process: one window onto the Workbench (core/workbench.ts) in this process, its
// protocol served over IPC, jobs run in utilityProcess workers. Everything here is shell; the
// engine is the same one the CLI and the headless server use.
import { app, BrowserWindow, dialog, Menu } from "electron";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDispatcher } from "../core/rpc/dispatcher.js";
import { Workbench } from "../core/workbench.js";
import { buildAppMenu } from "./appMenu.js";
import { desktopDataDir } from "./desktopDataDir.js";
import { serveIpc } from "./ipcBridge.js";
import { createMainWindow } from "./mainWindow.js";
import { rendererLocation } from "./rendererLocation.js";
import { hardenDefaultSession } from "./security.js";
import { createUtilityWorkerLauncher } from "./utilityWorkerLauncher.js";

// main.js, preload.cjs, worker.js and utilityWorkerShim.js are built side by side (forge.config.ts).
const buildDir = path.dirname(fileURLToPath(import.meta.url));
const devServerUrl =
  typeof MAIN_WINDOW_VITE_DEV_SERVER_URL === "string" ? MAIN_WINDOW_VITE_DEV_SERVER_URL : undefined;

let workbench: Workbench | null = null;
let mainWindow: BrowserWindow | null = null;
let stopIpc: (() => void) | null = null;

function showMainWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

async function start(): Promise<void> {
  await app.whenReady();
  const dataDir = desktopDataDir(process.argv, process.env, app.getPath("userData"));
  const location = rendererLocation(devServerUrl, app.getAppPath());
  hardenDefaultSession(location);

  workbench = Workbench.open({
    dataDir,
    transport: "ipc",
    workerLauncher: createUtilityWorkerLauncher({
      shimPath: path.join(buildDir, "utilityWorkerShim.js"),
      workerPath: path.join(buildDir, "worker.js"),
    }),
  });
  // createDispatcher refuses to start when a protocol call has no handler.
  const dispatch = createDispatcher(workbench.handlers());
  stopIpc = serveIpc({
    dispatch,
    events: workbench.events,
    location,
    windows: () => BrowserWindow.getAllWindows(),
  });

  Menu.setApplicationMenu(buildAppMenu({ dataDir: workbench.paths.dataDir, isDevelopment: !app.isPackaged }));
  mainWindow = createMainWindow(location, path.join(buildDir, "preload.cjs"));
  mainWindow.on("closed", () => {
    mainWindow = null;
  });

  app.on("activate", () => {
    if (BrowserWindow.getAllWindows().length === 0)
      mainWindow = createMainWindow(location, path.join(buildDir, "preload.cjs"));
  });
}

function shutdown(): void {
  stopIpc?.();
  stopIpc = null;
  workbench?.close();
  workbench = null;
}

if (!app.requestSingleInstanceLock()) {
  // Another instance owns the data; it gets focus through "second-instance".
  app.quit();
} else {
  app.on("second-instance", showMainWindow);
  app.on("window-all-closed", () => {
    if (process.platform !== "darwin") app.quit();
  });
  app.on("will-quit", shutdown);
  start().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`[cwb] failed to start: ${message}`);
    dialog.showErrorBox("Compression Workbench could not start", message);
    app.exit(1);
  });
}
