// The random secret a server session prints in its URL; every API call and WebSocket must carry it.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export function createSessionToken(): string {
  return randomBytes(24).toString("base64url");
}

/** The token a request carries: `Authorization: Bearer …` first, else the `token` query parameter. */
export function requestToken(req: IncomingMessage, url: URL): string | null {
  const header = req.headers.authorization;
  if (header?.startsWith("Bearer ")) return header.slice("Bearer ".length).trim();
  return url.searchParams.get("token");
}

/** Constant-time comparison, so response timing says nothing about how much of a guess was right. */
export function tokenMatches(expected: string, candidate: string | null): boolean {
  if (candidate === null) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(candidate);
  return a.length === b.length && timingSafeEqual(a, b);
}
