// StaticFiles on a real HTTP server over a real folder: symlinks out of the root, hidden files,
// directories and a missing build are all refused; ordinary files come with the right type.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StaticFiles } from "../../src/headless/server/staticFiles.js";

let base: string;
let server: Server;
let port: number;

function get(rawPath: string, method = "GET"): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: rawPath, method }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), body }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  base = mkdtempSync(path.join(os.tmpdir(), "cwb-static-"));
  const root = path.join(base, "renderer");
  mkdirSync(path.join(root, "assets"), { recursive: true });
  writeFileSync(path.join(root, "index.html"), "<!doctype html><title>ok</title>");
  writeFileSync(path.join(root, "assets", "app-1234.js"), "console.log('app');");
  writeFileSync(path.join(root, ".secret"), "hidden");
  writeFileSync(path.join(base, "outside.txt"), "TOP SECRET OUTSIDE");
  mkdirSync(path.join(base, "outside-dir"));
  writeFileSync(path.join(base, "outside-dir", "file.txt"), "TOP SECRET DIR");
  symlinkSync(path.join(base, "outside.txt"), path.join(root, "link.txt"));
  symlinkSync(path.join(base, "outside-dir"), path.join(root, "linkdir"));

  const files = new StaticFiles(root);
  const missing = new StaticFiles(path.join(base, "not-built"));
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const target = url.pathname.startsWith("/missing") ? missing : files;
    void target.serve(req, res, url.pathname.replace(/^\/missing/, "") || "/");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(base, { recursive: true, force: true });
});

describe("StaticFiles", () => {
  it("serves index.html for / and files with their content type", async () => {
    expect(await get("/")).toMatchObject({ status: 200, type: "text/html; charset=utf-8" });
    const script = await get("/assets/app-1234.js");
    expect(script).toMatchObject({ status: 200, type: "text/javascript; charset=utf-8" });
    expect(script.body).toBe("console.log('app');");
    expect(await get("/assets/app-1234.js", "HEAD")).toMatchObject({ status: 200, body: "" });
  });

  it("refuses symlinks that lead out of the root", async () => {
    for (const attempt of ["/link.txt", "/linkdir/file.txt"]) {
      const res = await get(attempt);
      expect(res.status, attempt).toBe(403);
      expect(res.body).not.toContain("TOP SECRET");
    }
  });

  it("refuses dot-dot, encoded separators and NUL; hides dot files and directories", async () => {
    expect((await get("/assets/..%2f..%2foutside.txt")).status).toBe(403);
    expect((await get("/..%5coutside.txt")).status).toBe(403);
    expect((await get("/index.html%00.js")).status).toBe(403);
    expect((await get("/.secret")).status).toBe(404);
    expect((await get("/assets")).status).toBe(404);
    expect((await get("/nope.js")).status).toBe(404);
  });

  it("answers 503 with a hint when the renderer is not built", async () => {
    const res = await get("/missing/");
    expect(res.status).toBe(503);
    expect(res.body).toContain("npm run build:renderer");
  });
});
