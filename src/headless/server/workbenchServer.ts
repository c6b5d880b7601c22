// The local HTTP + WebSocket server behind `cwb serve`: the built renderer as static files, the
// protocol on /ws, and /api/* for the few things a WebSocket cannot carry (file upload). Everything
// but the static files needs the session token.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { createDispatcher, type CallHandlers } from "../../core/rpc/dispatcher.js";
import type { EventBus } from "../../core/rpc/eventBus.js";
import { sendJson, sendText } from "./httpResponses.js";
import { handleModelUpload } from "./modelUpload.js";
import { handleTextUpload } from "./textUpload.js";
import { OriginPolicy } from "./originPolicy.js";
import { setSecurityHeaders } from "./securityHeaders.js";
import { createSessionToken, requestToken, tokenMatches } from "./sessionToken.js";
import { StaticFiles } from "./staticFiles.js";
import { WebSocketGateway, type UpgradeVerdict } from "./webSocketGateway.js";

export interface WorkbenchServerOptions {
  handlers: CallHandlers;
  events: EventBus;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  /** Where browser uploads are written (<dataDir>/models). */
  modelsDir: string;
  /** Where uploads stay until complete (<dataDir>/tmp). */
  tempDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** A fixed token (cwb serve --token); a random one otherwise. */
  token?: string;
}

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  /** The URL to open, token included. */
  readonly url: string;
  readonly origin: string;
  close(): Promise<void>;
}

export async function startWorkbenchServer(options: WorkbenchServerOptions): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const token = options.token ?? createSessionToken();
  const dispatch = createDispatcher(overTransport(options.handlers));
  const staticFiles = new StaticFiles(options.staticDir);

  // Listen first: the Host/Origin policy needs the actual port. Handlers are attached right after,
  // in the same tick, before any connection can be read.
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const policy = new OriginPolicy(host, port);
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  const authorizeUpgrade = (req: IncomingMessage): UpgradeVerdict => {
    const url = parseUrl(req);
    if (url?.pathname !== "/ws") return { ok: false, status: 404, reason: "Not found" };
    if (!policy.hostAllowed(req)) return { ok: false, status: 403, reason: "Host not allowed" };
    if (!tokenMatches(token, requestToken(req, url)))
      return { ok: false, status: 401, reason: "Missing or wrong token" };
    if (!policy.originAllowed(req, true)) return { ok: false, status: 403, reason: "Origin not allowed" };
    return { ok: true };
  };
  const gateway = new WebSocketGateway({ dispatch, events: options.events, authorize: authorizeUpgrade });

  const handleRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = parseUrl(req);
    setSecurityHeaders(res, policy.ownOrigin(req));
    if (url === null) return sendText(res, 400, "Bad request\n");
    if (!policy.hostAllowed(req)) return sendText(res, 403, "Host not allowed\n");

    if (url.pathname.startsWith("/api/")) {
      if (!tokenMatches(token, requestToken(req, url)))
        return sendJson(res, 401, { error: "Missing or wrong token" });
      if (!policy.originAllowed(req, false)) return sendJson(res, 403, { error: "Origin not allowed" });
      if (url.pathname === "/api/health" && req.method === "GET")
        return sendJson(res, 200, { ok: true, clients: gateway.clientCount });
      if (url.pathname === "/api/upload") {
        if (req.method !== "POST") return sendJson(res, 405, { error: "Use POST" });
        return handleModelUpload(req, res, url, {
          modelsDir: options.modelsDir,
          tempDir: options.tempDir,
          dispatch,
          events: options.events,
        });
      }
      if (url.pathname === "/api/texts") {
        if (req.method !== "POST") return sendJson(res, 405, { error: "Use POST" });
        return handleTextUpload(req, res, url, { tempDir: options.tempDir, dispatch });
      }
      return sendJson(res, 404, { error: `No API endpoint ${url.pathname}` });
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      return sendText(res, 405, "Method not allowed\n");
    }
    return staticFiles.serve(req, res, url.pathname);
  };

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    handleRequest(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        sendText(res, 500, `Internal error: ${error instanceof Error ? error.message : String(error)}\n`);
      else res.destroy();
    });
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    gateway.handleUpgrade(req, socket, head),
  );
  server.on("clientError", (_error, socket: Duplex) => socket.destroy());

  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    token,
    origin,
    url: `${origin}/?token=${encodeURIComponent(token)}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        gateway.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Over this server, app.info reports the WebSocket transport whatever the workbench assumes. */
function overTransport(handlers: CallHandlers): CallHandlers {
  return {
    ...handlers,
    "app.info": async (input) => ({
      ...(await handlers["app.info"](input)),
      transport: "websocket" as const,
    }),
  };
}

function parseUrl(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? "/", "http://server.invalid");
  } catch {
    return null;
  }
}
