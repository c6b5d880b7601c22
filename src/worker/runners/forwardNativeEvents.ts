// Turns the addon's job events (progress and llama.cpp log lines from a worker thread) into the
// runner context's progress and log reports.
import type { NativeJobEvent } from "../native/AddonTypes.js";
import type { RunnerContext } from "../Runner.js";

export function forwardNativeEvents(context: RunnerContext, prefix = ""): (event: NativeJobEvent) => void {
  return (event) => {
    if (event.type === "progress") context.progress(event.fraction, prefix + event.message);
    else context.log(event.level, event.message);
  };
}
