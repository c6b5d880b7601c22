// The error core and the worker raise when they know what went wrong: the AppError data of
// shared/domain/errors.ts on an Error. It crosses the worker channel, the jobs table and the RPC
// transports as that data; the CLI and the screens word its remedies (never the message itself).
import { appErrorOf, type AppError, type AppErrorCode, type RemedyAction } from "../shared/domain/errors.js";

export interface CodedErrorOptions {
  llamaReason?: string | null;
  remedies?: readonly RemedyAction[];
  file?: string;
  cause?: unknown;
}

export class CodedError extends Error {
  readonly llamaReason: string | null;
  readonly remedies: RemedyAction[];
  readonly file: string | undefined;

  constructor(
    readonly code: AppErrorCode,
    message: string,
    options: CodedErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CodedError";
    this.llamaReason = options.llamaReason ?? null;
    this.remedies = [...(options.remedies ?? [])];
    this.file = options.file;
  }

  toData(): AppError {
    return {
      code: this.code,
      message: this.message,
      llamaReason: this.llamaReason,
      remedies: this.remedies,
      ...(this.file === undefined ? {} : { file: this.file }),
    };
  }
}

/** Any thrown value as AppError data: a coded error's own, otherwise FAILED with its message. */
export function toAppError(error: unknown): AppError {
  return (
    appErrorOf(error) ?? {
      code: "FAILED",
      message: error instanceof Error ? error.message : String(error),
      llamaReason: null,
      remedies: [],
    }
  );
}
