// Serves the built renderer (dist/renderer) read-only. A request can only ever reach a regular file
// inside the root: the decoded path is normalised, checked against the root, and checked again
// after symlinks are resolved.
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { sendText } from "./httpResponses.js";

const contentTypes: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

export class StaticFiles {
  readonly #root: Promise<string | null>;

  constructor(root: string) {
    // A missing build is reported per request (503) rather than crashing the server: the API still works.
    this.#root = realpath(root).catch(() => null);
  }

  /** Answers GET/HEAD for a file under the root; 404 for anything else that is not there. */
  async serve(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const root = await this.#root;
    if (root === null) {
      sendText(res, 503, "The renderer is not built. Run `npm run build:renderer`.\n");
      return;
    }
    const resolved = await resolveInside(root, pathname === "/" ? "/index.html" : pathname);
    if (resolved === "forbidden") {
      sendText(res, 403, "Forbidden\n");
      return;
    }
    if (resolved === null) {
      sendText(res, 404, "Not found\n");
      return;
    }
    const ext = path.extname(resolved.file).toLowerCase();
    res.statusCode = 200;
    res.setHeader("Content-Type", contentTypes[ext] ?? "application/octet-stream");
    res.setHeader("Content-Length", resolved.size);
    // Vite names assets by content hash, so they never change; index.html must always be fresh.
    res.setHeader(
      "Cache-Control",
      resolved.file.includes(`${path.sep}assets${path.sep}`)
        ? "public, max-age=31536000, immutable"
        : "no-store",
    );
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    const stream = createReadStream(resolved.file);
    stream.on("error", () => res.destroy());
    stream.pipe(res);
  }
}

type Resolved = { file: string; size: number } | "forbidden" | null;

async function resolveInside(root: string, pathname: string): Promise<Resolved> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return "forbidden";
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return "forbidden";
  const segments = decoded.split("/");
  if (segments.some((segment) => segment === "..")) return "forbidden";
  // Hidden files (".env", ".git") are never part of a build.
  if (segments.some((segment) => segment.startsWith("."))) return null;
  const candidate = path.join(root, ...segments);
  if (!isWithin(root, candidate)) return "forbidden";
  try {
    const real = await realpath(candidate);
    if (!isWithin(root, real)) return "forbidden";
    const info = await stat(real);
    return info.isFile() ? { file: real, size: info.size } : null;
  } catch {
    return null;
  }
}

function isWithin(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
}
