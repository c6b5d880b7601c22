// A call the other side answered with an error; keeps the wire error's name and code, and a coded
// error's data (llama.cpp's reason, remedies; shared/domain/errors.ts) for renderer/errorWords.ts.
import type { RemedyAction } from "../../shared/domain/errors.js";
import type { WireError } from "../../shared/protocol/wire.js";

export class CallError extends Error {
  readonly code: string | undefined;
  readonly llamaReason: string | null;
  /** Present only for a coded error. */
  readonly remedies: RemedyAction[] | undefined;
  readonly file: string | undefined;

  constructor(
    readonly method: string,
    wire: WireError,
  ) {
    super(wire.message);
    this.name = wire.name;
    this.code = wire.code;
    this.llamaReason = wire.llamaReason ?? null;
    this.remedies = wire.remedies;
    this.file = wire.file;
  }
}
