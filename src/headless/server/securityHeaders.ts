// Headers on every response: a strict Content-Security-Policy (only this server's own scripts,
// styles and WebSocket; nothing remote, nothing inline) and the usual hardening.
import type { ServerResponse } from "node:http";

export function contentSecurityPolicy(origin: string): string {
  const webSocketOrigin = origin.replace(/^http/, "ws");
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${webSocketOrigin}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join("; ");
}

export function setSecurityHeaders(res: ServerResponse, origin: string): void {
  res.setHeader("Content-Security-Policy", contentSecurityPolicy(origin));
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
  res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
}
