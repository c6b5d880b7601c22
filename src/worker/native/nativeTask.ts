// The one place an AbortSignal becomes a native abort: every long addon call returns a NativeTask,
// and its caller awaits it through here, so cancelling a job sets the flag the native loop polls
// (killing the worker stays the queue's last resort after the grace period).
import type { NativeTask } from "./AddonTypes.js";

/** The task's result; when the signal fires, the task is aborted and the signal's reason is thrown. */
export async function runNativeTask<T>(task: NativeTask<T>, signal: AbortSignal | undefined): Promise<T> {
  const onAbort = (): void => task.abort();
  if (signal?.aborted) task.abort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const result = await task.promise;
    signal?.throwIfAborted();
    return result;
  } catch (error) {
    if (signal?.aborted)
      throw signal.reason instanceof Error ? signal.reason : new Error("cancelled", { cause: error });
    throw error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
