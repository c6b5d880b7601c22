// Declaration helpers for the one protocol every transport carries (Electron IPC and WebSocket).
// A call is request/response; a job is a queued long operation whose progress arrives as events
// and which is cancelled by a call. Both are declared once here and typed end to end.
import type { z } from "zod";

export interface CallSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly input: I;
  readonly output: O;
}

export interface EventSpec<P extends z.ZodType = z.ZodType> {
  readonly payload: P;
}

export function defineCall<I extends z.ZodType, O extends z.ZodType>(input: I, output: O): CallSpec<I, O> {
  return { input, output };
}

export function defineEvent<P extends z.ZodType>(payload: P): EventSpec<P> {
  return { payload };
}

export type CallInput<S> = S extends CallSpec<infer I, z.ZodType> ? z.input<I> : never;
export type CallOutput<S> = S extends CallSpec<z.ZodType, infer O> ? z.output<O> : never;
export type EventPayload<S> = S extends EventSpec<infer P> ? z.output<P> : never;
