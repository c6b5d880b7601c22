// Which IPC senders main answers: only the app's own page, in a top-level frame. Pure (takes the
// frame's URL and parent), so it is unit-tested without Electron.
import { isAppPageUrl, type RendererLocation } from "./rendererLocation.js";

export interface SenderFrameLike {
  readonly url: string;
  readonly parent: unknown;
}

/** Why a sender is refused, or null when it is the app's own top-level page. */
export function senderProblem(
  frame: SenderFrameLike | null | undefined,
  location: RendererLocation,
): string | null {
  if (!frame) return "the sending frame is gone";
  if (frame.parent !== null) return "calls are accepted from the top-level frame only";
  if (!isAppPageUrl(frame.url, location)) return `calls are not accepted from ${frame.url || "an empty URL"}`;
  return null;
}
