// A call the other side answered with an error; keeps the wire error's name and code.
import type { WireError } from "../../shared/protocol/wire.js";

export class CallError extends Error {
  readonly code: string | undefined;

  constructor(
    readonly method: string,
    wire: WireError,
  ) {
    super(wire.message);
    this.name = wire.name;
    this.code = wire.code;
  }
}
