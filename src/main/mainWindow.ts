// The one application window, with the renderer locked down: isolated, sandboxed, no Node.
import { BrowserWindow } from "electron";
import type { RendererLocation } from "./rendererLocation.js";

export function createMainWindow(location: RendererLocation, preloadPath: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1360,
    height: 880,
    minWidth: 900,
    minHeight: 600,
    title: "Compression Workbench",
    show: false,
    backgroundColor: "#fafafa",
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // A middle click opens links through a path will-navigate does not see (electronegativity AUXCLICK_JS_CHECK).
      disableBlinkFeatures: "Auxclick",
    },
  });
  window.once("ready-to-show", () => window.show());
  void window.loadURL(location.url);
  return window;
}
