// Makes the one RendererClient available to every screen.
import { createContext, useContext, useSyncExternalStore, type ReactNode } from "react";
import type { ConnectionStatus, RendererClient } from "./RendererClient.js";

const ClientContext = createContext<RendererClient | null>(null);

export function ClientProvider({ client, children }: { client: RendererClient; children: ReactNode }) {
  return <ClientContext value={client}>{children}</ClientContext>;
}

export function useClient(): RendererClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error("useClient outside <ClientProvider>");
  return client;
}

export function useConnectionStatus(): ConnectionStatus {
  const client = useClient();
  return useSyncExternalStore(
    (onChange) => client.onStatus(onChange),
    () => client.status,
  );
}
