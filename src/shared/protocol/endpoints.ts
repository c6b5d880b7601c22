// The whole protocol: every call and event, grouped by domain. Transports and clients are typed from
// this one object; a startup check (core/rpc) refuses to serve if any call lacks a handler.
import { z } from "zod";
import { defineCall, defineEvent } from "./define.js";
import { job } from "../domain/job.js";
import { modelRecord, modelSummary } from "../domain/model.js";

const id = z.object({ id: z.string().min(1) });

export const calls = {
  "app.info": defineCall(
    z.object({}),
    z.object({
      version: z.string(),
      dataDir: z.string(),
      llamaCppRelease: z.string().nullable(),
      nodeLlamaCppVersion: z.string().nullable(),
      transport: z.enum(["ipc", "websocket"]),
    }),
  ),

  "models.list": defineCall(z.object({}), z.array(modelSummary)),
  "models.get": defineCall(id, modelRecord),
  "models.remove": defineCall(
    id.extend({ deleteFile: z.boolean().default(false) }),
    z.object({ removed: z.boolean(), fileDeleted: z.boolean() }),
  ),

  "jobs.list": defineCall(z.object({ limit: z.number().int().positive().max(1000).default(200) }), z.array(job)),
  "jobs.get": defineCall(id, job),
  /** Validates params against the kind's schema, queues the job and returns it. */
  "jobs.start": defineCall(z.object({ kind: z.string(), params: z.unknown() }), job),
  "jobs.cancel": defineCall(id, job),
  "jobs.retry": defineCall(id, job),
  "jobs.logs": defineCall(
    id.extend({ tail: z.number().int().positive().max(10000).default(200) }),
    z.array(z.object({ at: z.string(), level: z.enum(["info", "warn", "error"]), message: z.string() })),
  ),
} as const;

export const events = {
  /** Any change of a job's state or progress. */
  "jobs.updated": defineEvent(job),
  /** The library changed (import, remove, a new variant). */
  "models.changed": defineEvent(z.object({ id: z.string().nullable() })),
} as const;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type Events = typeof events;
export type EventTopic = keyof Events;
