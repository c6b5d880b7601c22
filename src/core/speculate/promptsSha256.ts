// The identity of a speculative run's prompts, recorded with its settings so a sweep re-run finds the
// run made on the same prompts (the prompts themselves may be long; the hash is what is compared).
import { createHash } from "node:crypto";

export function promptsSha256(prompts: readonly string[]): string {
  return createHash("sha256").update(JSON.stringify(prompts)).digest("hex");
}
