// The real `cwb serve` process: token, Origin and Host checks, the protocol over a real WebSocket,
// events pushed to clients, safe static files, upload, and a clean exit on SIGTERM.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyGguf } from "../helpers/gguf.js";
import { startServedApp, type ServedApp } from "../helpers/servedApp.js";
import { connectProtocol, type ProtocolConnection } from "../helpers/wsProtocolClient.js";

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Plain node:http, so the path goes out exactly as written (no URL normalisation). */
function raw(
  port: number,
  rawPath: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: rawPath, method: options.method ?? "GET", headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

const repoRoot = path.resolve(import.meta.dirname, "..", "..");
let dataDir: string;
let app: ServedApp;
let preImportedId: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-serve-test-"));
  // A model imported by another process beforehand: the server shares the same SQLite library.
  const model = writeTinyGguf(path.join(dataDir, "pre-imported.gguf"), { seed: 11 });
  const imported = spawnSync(
    process.execPath,
    [path.join(repoRoot, "bin", "cwb.js"), "models", "import", model.path, "--json", "--data-dir", dataDir],
    { encoding: "utf8" },
  );
  expect(imported.status, imported.stderr).toBe(0);
  preImportedId = (JSON.parse(imported.stdout) as { model: { id: string } }).model.id;
  app = await startServedApp(dataDir);
});

afterAll(async () => {
  await app?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("cwb serve --json", () => {
  it("prints url, token and port, bound to 127.0.0.1 with the token in the URL", () => {
    expect(app.port).toBeGreaterThan(0);
    expect(app.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(app.url).toBe(`http://127.0.0.1:${app.port}/?token=${app.token}`);
  });

  it("serves the renderer with a strict Content-Security-Policy", async () => {
    const res = await raw(app.port, "/", { headers: { Host: `127.0.0.1:${app.port}` } });
    expect(res.status).toBe(200);
    expect(res.body).toContain('<div id="root">');
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${app.port}`);
    expect(csp).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    expect(csp).not.toContain("unsafe-inline");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    // The hashed asset the page references is served too.
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(res.body)?.[1];
    expect(script).toBeDefined();
    const asset = await raw(app.port, `/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers["content-type"]).toContain("text/javascript");
  });
});

describe("the session token", () => {
  it("is required for HTTP API calls (401 without or wrong, 200 with)", async () => {
    expect((await raw(app.port, "/api/health")).status).toBe(401);
    expect((await raw(app.port, "/api/health?token=wrong")).status).toBe(401);
    expect((await raw(app.port, "/api/health", { headers: { Authorization: "Bearer nope" } })).status).toBe(
      401,
    );
    expect((await raw(app.port, `/api/health?token=${app.token}`)).status).toBe(200);
    const viaHeader = await raw(app.port, "/api/health", {
      headers: { Authorization: `Bearer ${app.token}` },
    });
    expect(viaHeader.status).toBe(200);
    expect(JSON.parse(viaHeader.body)).toMatchObject({ ok: true });
  });

  it("is required for WebSocket upgrades (401)", async () => {
    const origin = app.origin;
    await expect(connectProtocol(`ws://127.0.0.1:${app.port}/ws`, { Origin: origin })).rejects.toThrow(
      "HTTP 401",
    );
    await expect(
      connectProtocol(`ws://127.0.0.1:${app.port}/ws?token=${app.token}x`, { Origin: origin }),
    ).rejects.toThrow("HTTP 401");
  });
});

describe("origin and host checks", () => {
  it("refuses WebSocket upgrades from another origin or without one (403)", async () => {
    const url = `ws://127.0.0.1:${app.port}/ws?token=${app.token}`;
    await expect(connectProtocol(url, { Origin: "http://evil.example" })).rejects.toThrow("HTTP 403");
    await expect(connectProtocol(url, { Origin: `http://127.0.0.1:${app.port + 1}` })).rejects.toThrow(
      "HTTP 403",
    );
    await expect(connectProtocol(url)).rejects.toThrow("HTTP 403");
  });

  it("refuses requests whose Host is not this server (DNS rebinding)", async () => {
    const res = await raw(app.port, `/api/health?token=${app.token}`, {
      headers: { Host: `rebound.example:${app.port}` },
    });
    expect(res.status).toBe(403);
    expect((await raw(app.port, "/", { headers: { Host: "rebound.example" } })).status).toBe(403);
  });

  it("refuses API calls carrying a foreign Origin even with the token (403)", async () => {
    const res = await raw(app.port, `/api/health?token=${app.token}`, {
      headers: { Origin: "http://evil.example" },
    });
    expect(res.status).toBe(403);
  });
});

describe("static files", () => {
  it("never serves anything outside the renderer build", async () => {
    const attempts = [
      "/../package.json",
      "/../../package.json",
      "/..%2f..%2fpackage.json",
      "/assets/..%2f..%2f..%2fpackage.json",
      "/%2e%2e/%2e%2e/package.json",
      "/assets/%2e%2e%5c%2e%2e%5cpackage.json",
      "/..%5c..%5cpackage.json",
      "/%00/etc/passwd",
      "/etc/passwd",
      "//etc/passwd",
      "/.env",
      "/%E0%A4%A",
    ];
    for (const attempt of attempts) {
      const res = await raw(app.port, attempt);
      expect([400, 403, 404], attempt).toContain(res.status);
      expect(res.body, attempt).not.toContain("compression-workbench");
      expect(res.body, attempt).not.toContain("root:");
    }
  });

  it("refuses methods other than GET and HEAD", async () => {
    const res = await raw(app.port, "/index.html", { method: "DELETE" });
    expect(res.status).toBe(405);
  });
});

describe("the protocol over a real WebSocket", () => {
  let connection: ProtocolConnection;
  beforeAll(async () => {
    connection = await connectProtocol(`ws://127.0.0.1:${app.port}/ws?token=${app.token}`, {
      Origin: app.origin,
    });
  });
  afterAll(() => connection.close());

  it("answers calls with validated results", async () => {
    const info = await connection.call("app.info");
    expect(info).toMatchObject({
      ok: true,
      value: { transport: "websocket", dataDir: path.resolve(dataDir) },
    });
    const list = await connection.call("models.list");
    expect(list.ok).toBe(true);
    if (!list.ok) return;
    expect((list.value as { id: string }[]).map((m) => m.id)).toEqual([preImportedId]);
    const model = await connection.call("models.get", { id: preImportedId });
    expect(model.ok && (model.value as { metadata: { tensors: unknown[] } }).metadata.tensors.length).toBe(
      21,
    );
  });

  it("answers errors as error frames with codes", async () => {
    expect(await connection.call("models.get", { id: "does-not-exist" })).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
    expect(await connection.call("no.such.method")).toMatchObject({
      ok: false,
      error: { code: "UNKNOWN_METHOD" },
    });
    expect(await connection.call("models.get", { id: 42 })).toMatchObject({
      ok: false,
      error: { code: "BAD_INPUT" },
    });
    expect(await connection.sendRaw("{not json")).toMatchObject({ ok: false, error: { code: "BAD_FRAME" } });
  });

  it("pushes events to every connected client", async () => {
    const second = await connectProtocol(`ws://127.0.0.1:${app.port}/ws?token=${app.token}`, {
      Origin: app.origin,
    });
    try {
      const removed = await connection.call("models.remove", { id: preImportedId });
      expect(removed).toMatchObject({ ok: true, value: { removed: true, fileDeleted: false } });
      for (const client of [connection, second]) {
        const event = await client.waitForEvent((frame) => frame.topic === "models.changed");
        expect(event.payload).toEqual({ id: preImportedId });
      }
      expect(readdirSync(dataDir)).toContain("pre-imported.gguf");
    } finally {
      await second.close();
    }
  });
});

describe("upload", () => {
  it("refuses names that are not plain .gguf file names", async () => {
    const headers = { Authorization: `Bearer ${app.token}` };
    for (const name of ["", "notes.txt", "..", "..%2F.gguf"]) {
      const res = await raw(app.port, `/api/upload?name=${name}`, {
        method: "POST",
        headers,
        body: Buffer.from("x"),
      });
      expect(res.status, name).toBe(400);
    }
    expect(
      (await raw(app.port, "/api/upload?name=a.gguf", { method: "POST", body: Buffer.from("x") })).status,
    ).toBe(401);
  });

  it("streams a file into <dataDir>/models and imports it as a job", async () => {
    const connection = await connectProtocol(`ws://127.0.0.1:${app.port}/ws?token=${app.token}`, {
      Origin: app.origin,
    });
    try {
      const source = writeTinyGguf(path.join(os.tmpdir(), `cwb-upload-${process.pid}.gguf`), {
        seed: 12,
        name: "uploaded tiny",
      });
      const bytes = readFileSync(source.path);
      rmSync(source.path);
      const res = await raw(app.port, "/api/upload?name=my%20model.gguf", {
        method: "POST",
        headers: { Authorization: `Bearer ${app.token}`, "Content-Type": "application/octet-stream" },
        body: bytes,
      });
      expect(res.status, res.body).toBe(200);
      const { path: stored, job } = JSON.parse(res.body) as {
        path: string;
        job: { id: string; kind: string };
      };
      expect(stored).toBe(path.join(dataDir, "models", "my_model.gguf"));
      expect(readFileSync(stored).equals(bytes)).toBe(true);
      expect(job.kind).toBe("models.import");
      expect(readdirSync(path.join(dataDir, "tmp")).filter((name) => name.startsWith("upload-"))).toEqual([]);

      const done = await connection.waitForEvent((frame) => {
        const payload = frame.payload as { id?: string; state?: string };
        return (
          frame.topic === "jobs.updated" &&
          payload.id === job.id &&
          ["succeeded", "failed"].includes(payload.state ?? "")
        );
      }, 60_000);
      expect(done.payload, JSON.stringify(done.payload)).toMatchObject({ state: "succeeded" });
      const list = await connection.call("models.list");
      expect(
        list.ok &&
          (list.value as { path: string; metadata: { name: string } }[]).find((m) => m.path === stored)
            ?.metadata.name,
      ).toBe("uploaded tiny");
    } finally {
      await connection.close();
    }
  });
});

describe("shutdown", () => {
  it("closes its sockets and exits 0 on SIGTERM", async () => {
    const connection = await connectProtocol(`ws://127.0.0.1:${app.port}/ws?token=${app.token}`, {
      Origin: app.origin,
    });
    const closedByServer = connection.closed();
    expect(await app.stop()).toBe(0);
    expect(await closedByServer).toBe(1001);
    expect(app.stderr()).toContain("SIGTERM");
    await expect(raw(app.port, "/")).rejects.toThrow(/ECONNREFUSED/);
  });
});
