// Which Host and Origin headers this server accepts. Checking Host defeats DNS rebinding (a remote
// page whose name suddenly resolves to 127.0.0.1); checking Origin stops other sites' pages from
// opening a WebSocket to us with the user's browser. Sec-Fetch-Site covers what Origin does not: a
// browser sends no Origin on a plain GET (an <img> or <script> tag), but it does say where it came from.
import type { IncomingMessage } from "node:http";

export class OriginPolicy {
  readonly #allowedHosts: ReadonlySet<string> | null;

  constructor(host: string, port: number) {
    this.#allowedHosts = isLoopback(host)
      ? new Set([
          `${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`,
          `127.0.0.1:${port}`,
          `localhost:${port}`,
          `[::1]:${port}`,
        ])
      : // Bound to a LAN/any address on purpose: the user reaches it by names we cannot know.
        null;
  }

  /** True when the request's Host header names this server (always true off loopback). */
  hostAllowed(req: IncomingMessage): boolean {
    const host = req.headers.host?.toLowerCase();
    if (!host) return false;
    return this.#allowedHosts === null || this.#allowedHosts.has(host);
  }

  /** This server's origin as the client addressed it, e.g. "http://127.0.0.1:5123". */
  ownOrigin(req: IncomingMessage): string {
    return `http://${req.headers.host?.toLowerCase() ?? ""}`;
  }

  /**
   * A browser's Origin must be our own; `required` makes a missing Origin a refusal too. A request
   * a browser marks as made from another site's page is refused whatever its Origin says.
   */
  originAllowed(req: IncomingMessage, required: boolean): boolean {
    if (!fetchSiteAllowed(req)) return false;
    const origin = req.headers.origin;
    if (origin === undefined) return !required;
    return this.hostAllowed(req) && origin.toLowerCase() === this.ownOrigin(req);
  }
}

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * "same-origin" (our own page) and "none" (typed in the address bar, a bookmark) are the user's own;
 * "same-site" is another port of this host and "cross-site" anything else. Non-browser clients send
 * no such header.
 */
function fetchSiteAllowed(req: IncomingMessage): boolean {
  const site = req.headers["sec-fetch-site"];
  return site === undefined || site === "same-origin" || site === "none";
}
