// Renderer entry: picks the transport and mounts the app.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.js";
import { ClientProvider } from "./client/ClientContext.js";
import { createClient } from "./client/createClient.js";
import "./styles.css";

const client = createClient();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ClientProvider client={client}>
      <App />
    </ClientProvider>
  </StrictMode>,
);
