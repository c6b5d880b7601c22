// POST /api/texts?name=FILE&purpose=calibration|evaluation: a browser has no path for a picked or
// dropped text, so its bytes come here. They land in a private temp folder under their own name
// (the text set is named after the file), the "texts.add" call checks and stores them, and the temp
// copy goes: the library keeps its own copy in <dataDir>/text-sets.
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { maxTextFileBytes } from "../../core/texts/checkTextFile.js";
import type { Dispatch } from "../../core/rpc/dispatcher.js";
import { sendJson } from "./httpResponses.js";
import { portableFileName } from "./modelUpload.js";

export interface TextUploadOptions {
  tempDir: string;
  dispatch: Dispatch;
}

export async function handleTextUpload(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  options: TextUploadOptions,
): Promise<void> {
  const name = portableFileName(url.searchParams.get("name") ?? "");
  const purpose = url.searchParams.get("purpose");
  if (name === null || (purpose !== "calibration" && purpose !== "evaluation")) {
    req.resume();
    sendJson(res, 400, { error: "Query parameters `name` (a file name) and `purpose` are required" });
    return;
  }
  const folder = path.join(options.tempDir, `text-${randomBytes(6).toString("hex")}`);
  await mkdir(folder, { recursive: true });
  try {
    const file = path.join(folder, name);
    try {
      await pipeline(req, sizeLimit(name), createWriteStream(file, { flags: "wx" }));
    } catch (error) {
      if (!res.headersSent && !res.destroyed)
        sendJson(res, 413, { error: messageOf(error), code: "TEXT_SIZE_REFUSED" });
      return;
    }
    const added = await options.dispatch({
      type: "call",
      id: 0,
      method: "texts.add",
      params: { path: file, purpose },
    });
    if (added.ok) sendJson(res, 200, added.value);
    else sendJson(res, 400, { error: added.error.message, code: added.error.code });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** Stops the upload as soon as it passes the limit instead of filling the disk first. */
function sizeLimit(name: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxTextFileBytes) done(new Error(`${name} is larger than ${maxTextFileBytes} bytes`));
      else done(null, chunk);
    },
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
