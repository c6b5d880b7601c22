// Session and web-contents hardening: a strict CSP header, no requests outside the app's own files
// (or dev server), no permissions, no navigation away, no new windows, no <webview>.
import { app, session, type Session } from "electron";
import {
  contentSecurityPolicy,
  isAllowedRequestUrl,
  isAppPageUrl,
  type RendererLocation,
} from "./rendererLocation.js";

export function hardenSession(target: Session, location: RendererLocation): void {
  const policy = contentSecurityPolicy(location);
  target.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders };
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === "content-security-policy") delete headers[name];
    }
    headers["Content-Security-Policy"] = [policy];
    headers["X-Content-Type-Options"] = ["nosniff"];
    callback({ responseHeaders: headers });
  });

  target.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequestUrl(details.url, location);
    if (!allowed) console.warn(`[cwb] blocked request to ${details.url}`);
    callback({ cancel: !allowed });
  });

  target.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  target.setPermissionCheckHandler(() => false);
  target.setDevicePermissionHandler(() => false);
  target.setDisplayMediaRequestHandler((_request, callback) => callback({}));
}

/** Applies to every web contents the app ever creates, including ones we did not ask for. */
export function hardenWebContents(location: RendererLocation): void {
  app.on("web-contents-created", (_event, contents) => {
    contents.on("will-navigate", (event, url) => {
      if (!isAppPageUrl(url, location)) event.preventDefault();
    });
    contents.on("will-redirect", (event, url) => {
      if (!isAppPageUrl(url, location)) event.preventDefault();
    });
    contents.on("will-attach-webview", (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: "deny" }));
  });
}

export function hardenDefaultSession(location: RendererLocation): void {
  hardenSession(session.defaultSession, location);
  hardenWebContents(location);
}
