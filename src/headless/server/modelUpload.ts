// POST /api/upload?name=FILE.gguf: a browser has no path for a dropped file, so it streams the bytes
// here. They go to a temp file in <dataDir>/tmp and appear in <dataDir>/models under their final
// name only when complete; then the usual "models.import" job is started on that path.
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { link, mkdir, unlink } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { Dispatch } from "../../core/rpc/dispatcher.js";
import type { EventBus } from "../../core/rpc/eventBus.js";
import { isFinished, type Job } from "../../shared/domain/job.js";
import type { JobStart } from "../../shared/protocol/jobKinds.js";
import { sendJson } from "./httpResponses.js";

export interface ModelUploadOptions {
  /** Where uploaded files end up (<dataDir>/models). */
  modelsDir: string;
  /** Where the bytes land while they arrive (<dataDir>/tmp); same filesystem as modelsDir. */
  tempDir: string;
  dispatch: Dispatch;
  /** To tidy up after the import job: see removeUploadIfUnused. */
  events: EventBus;
}

export async function handleModelUpload(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  options: ModelUploadOptions,
): Promise<void> {
  const name = safeFileName(url.searchParams.get("name") ?? "");
  if (name === null) {
    req.resume();
    sendJson(res, 400, { error: "Query parameter `name` must be a plain file name ending in .gguf" });
    return;
  }
  await mkdir(options.modelsDir, { recursive: true });
  await mkdir(options.tempDir, { recursive: true });
  const temp = path.join(options.tempDir, `upload-${randomBytes(6).toString("hex")}.part`);
  let finalPath: string;
  try {
    await pipeline(req, createWriteStream(temp, { flags: "wx" }));
    finalPath = await publishUnderFreeName(temp, options.modelsDir, name);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    if (!res.headersSent && !res.destroyed)
      sendJson(res, 500, { error: `Upload of ${name} failed: ${messageOf(error)}` });
    return;
  }
  const started = await options.dispatch({
    type: "call",
    id: 0,
    method: "jobs.start",
    params: { kind: "models.import", params: { path: finalPath } } satisfies JobStart,
  });
  if (!started.ok) {
    // The import never started, so nothing refers to the file: do not leave it behind.
    await unlink(finalPath).catch(() => undefined);
    sendJson(res, 500, { error: started.error.message, code: started.error.code });
    return;
  }
  const job = started.value as Job;
  removeUploadIfUnused(options.events, job.id, finalPath);
  sendJson(res, 200, { path: finalPath, job });
}

/**
 * An uploaded copy nobody refers to is only wasted disk: delete it when its import fails (the bytes
 * are not a usable model) or when the library already had the same content under another path.
 * Cancelled or interrupted imports keep the file, so a retry can use it.
 */
function removeUploadIfUnused(events: EventBus, jobId: string, uploaded: string): void {
  const unsubscribe = events.subscribe((topic, payload) => {
    if (topic !== "jobs.updated") return;
    const job = payload as Job;
    if (job.id !== jobId || !isFinished(job.state)) return;
    unsubscribe();
    const result = job.result as { alreadyPresent?: boolean; model?: { path?: string } } | null;
    const duplicate =
      job.state === "succeeded" && result?.alreadyPresent === true && result.model?.path !== uploaded;
    if (job.state === "failed" || duplicate) void unlink(uploaded).catch(() => undefined);
  });
}

/** A portable file name ending in .gguf; null otherwise. */
export function safeFileName(raw: string): string | null {
  const cleaned = portableFileName(raw);
  return cleaned !== null && /\.gguf$/i.test(cleaned) ? cleaned : null;
}

/** Only the base name survives, restricted to a portable alphabet; null if nothing sensible remains. */
export function portableFileName(raw: string): string | null {
  const base = raw.split(/[/\\]/).pop() ?? "";
  const cleaned = base.replace(/[^A-Za-z0-9._+-]/g, "_").replace(/^\.+/, "");
  return cleaned.length === 0 || cleaned.length > 200 ? null : cleaned;
}

/** Hard-links the finished temp file to "name", "name-1", … (link never overwrites), then drops the temp name. */
async function publishUnderFreeName(temp: string, dir: string, name: string): Promise<string> {
  const ext = path.extname(name);
  const stem = name.slice(0, -ext.length);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const candidate = path.join(dir, attempt === 0 ? name : `${stem}-${attempt}${ext}`);
    try {
      await link(temp, candidate);
      await unlink(temp);
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  throw new Error(`no free file name for ${name} in ${dir}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
