// Picks the transport: the Electron bridge when the preload exposed one, else a WebSocket to the
// server this page was loaded from, authorised by the token from the URL `cwb serve` printed.
import { bridgeGlobalName, type CwbBridge } from "../../shared/protocol/bridge.js";
import { IpcClient } from "./IpcClient.js";
import type { RendererClient } from "./RendererClient.js";
import { WebSocketClient } from "./WebSocketClient.js";

const tokenStorageKey = "cwb.sessionToken";

export function createClient(): RendererClient {
  const bridge = (window as unknown as Record<string, CwbBridge | undefined>)[bridgeGlobalName];
  if (bridge) return new IpcClient(bridge);
  return new WebSocketClient(window.location.origin, takeSessionToken());
}

/**
 * Reads the token from ?token=…, keeps it for reloads in sessionStorage (this tab only) and removes
 * it from the address bar so it does not end up in screenshots or bookmarks.
 */
function takeSessionToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get("token");
  if (fromUrl) {
    sessionStorage.setItem(tokenStorageKey, fromUrl);
    url.searchParams.delete("token");
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(tokenStorageKey) ?? "";
}
