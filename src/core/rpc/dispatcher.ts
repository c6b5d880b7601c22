// Serves the protocol's calls from plain handler functions, for any transport. Input is validated
// against the call's zod schema before a handler runs, and output after, so no transport can pass
// a malformed payload through.
import type { z } from "zod";
import { calls, type CallName, type Calls } from "../../shared/protocol/endpoints.js";
import { describeIssues } from "../../shared/protocol/jobKinds.js";
import { callFrame, ProtocolError, toWireError, type ResultFrame } from "../../shared/protocol/wire.js";

export type CallHandler<M extends CallName> = (
  input: z.output<Calls[M]["input"]>,
) => Promise<z.input<Calls[M]["output"]>> | z.input<Calls[M]["output"]>;

export type CallHandlers = { [M in CallName]: CallHandler<M> };

export type Dispatch = (frame: unknown) => Promise<ResultFrame>;

export function createDispatcher(handlers: CallHandlers): Dispatch {
  const missing = (Object.keys(calls) as CallName[]).filter((name) => typeof handlers[name] !== "function");
  if (missing.length > 0) throw new Error(`No handler for protocol call(s): ${missing.join(", ")}`);

  return async (raw) => {
    const parsed = callFrame.safeParse(raw);
    if (!parsed.success) {
      return {
        type: "result",
        id: -1,
        ok: false,
        error: { name: "ProtocolError", message: "Malformed call frame", code: "BAD_FRAME" },
      };
    }
    const { id, method, params } = parsed.data;
    try {
      if (!Object.hasOwn(calls, method))
        throw new ProtocolError("UNKNOWN_METHOD", `Unknown method "${method}"`);
      const name = method as CallName;
      const spec = calls[name];
      const input = spec.input.safeParse(params ?? {});
      if (!input.success) {
        throw new ProtocolError("BAD_INPUT", `Invalid input for ${name}: ${describeIssues(input.error)}`);
      }
      const handler = handlers[name] as (input: unknown) => unknown;
      const value = spec.output.parse(await handler(input.data));
      return { type: "result", id, ok: true, value };
    } catch (error) {
      return { type: "result", id, ok: false, error: toWireError(error) };
    }
  };
}
