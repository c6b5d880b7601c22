// The header's connection state: a dot and a word, plus the transport in use.
import { useClient, useConnectionStatus } from "../client/ClientContext.js";
import type { ConnectionStatus } from "../client/RendererClient.js";

const look: Record<ConnectionStatus, { dot: string; label: string }> = {
  connecting: { dot: "bg-amber-400", label: "Connecting…" },
  connected: { dot: "bg-emerald-400", label: "Connected" },
  disconnected: { dot: "bg-red-500 animate-pulse", label: "Disconnected — retrying" },
  unauthorized: { dot: "bg-red-500", label: "Not authorised — open the URL printed by cwb serve" },
};

export function ConnectionIndicator() {
  const client = useClient();
  const status = useConnectionStatus();
  return (
    <div
      className="flex items-center gap-2 text-xs text-zinc-300"
      data-testid="connection-status"
      data-status={status}
    >
      <span className={`size-2 rounded-full ${look[status].dot}`} aria-hidden="true" />
      <span>{look[status].label}</span>
      <span className="rounded bg-zinc-800 px-1.5 py-0.5 font-mono text-[10px] uppercase tracking-wide text-zinc-400">
        {client.transport === "ipc" ? "desktop" : "websocket"}
      </span>
    </div>
  );
}
