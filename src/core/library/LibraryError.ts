// Why the library refused something. The message always names the file and the problem, since it
// is shown as-is in the CLI's stderr and the app's error toasts.
export type LibraryErrorCode =
  | "NOT_FOUND" // no such file, or no such model in the library
  | "AMBIGUOUS" // a model reference matches several models
  | "NOT_GGUF"
  | "TRUNCATED"
  | "BAD_METADATA"
  | "UNSUPPORTED"
  | "CHANGED" // the file changed while it was being read
  | "IO";

export class LibraryError extends Error {
  constructor(
    readonly code: LibraryErrorCode,
    message: string,
    readonly file?: string,
  ) {
    super(message);
    this.name = "LibraryError";
  }
}
