// The frames that cross a transport. Every transport (IPC, WebSocket) carries exactly these.
import { z } from "zod";
import { appErrorOf, remedyAction } from "../domain/errors.js";

export const wireError = z.object({
  name: z.string(),
  message: z.string(),
  code: z.string().optional(),
  /** A coded error's data (domain/errors.ts) besides its code and message. */
  llamaReason: z.string().nullable().optional(),
  remedies: z.array(remedyAction).optional(),
  file: z.string().optional(),
});
export type WireError = z.infer<typeof wireError>;

export const callFrame = z.object({
  type: z.literal("call"),
  id: z.number().int(),
  method: z.string(),
  /** Optional: a call without parameters may leave it out (zod 4 makes an unknown key required). */
  params: z.unknown().optional(),
});

export const resultFrame = z.discriminatedUnion("ok", [
  z.object({ type: z.literal("result"), id: z.number().int(), ok: z.literal(true), value: z.unknown() }),
  z.object({ type: z.literal("result"), id: z.number().int(), ok: z.literal(false), error: wireError }),
]);

export const eventFrame = z.object({
  type: z.literal("event"),
  topic: z.string(),
  payload: z.unknown(),
});

export const clientFrame = callFrame;
export const serverFrame = z.union([resultFrame, eventFrame]);

export type CallFrame = z.infer<typeof callFrame>;
export type ResultFrame = z.infer<typeof resultFrame>;
export type EventFrame = z.infer<typeof eventFrame>;
export type ServerFrame = z.infer<typeof serverFrame>;

/** Error with a machine-readable code; serialised as {name, message, code} across transports. */
export class ProtocolError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ProtocolError";
  }
}

export function toWireError(error: unknown): WireError {
  if (error instanceof Error) {
    const coded = appErrorOf(error);
    if (coded) return { name: error.name, ...coded };
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(typeof code === "string" ? { code } : {}) };
  }
  return { name: "Error", message: String(error) };
}
