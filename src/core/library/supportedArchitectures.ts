// The model architectures the bundled llama.cpp can load, read from the list the native build
// extracts from its source (native/build/Release/architectures.json), so the app process can warn
// about a model llama.cpp cannot run without loading llama.cpp itself.
import { readFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../packageRoot.js";

let cached: ReadonlySet<string> | null | undefined;

/** The architecture names, or null when the native build has not written the list. */
export function supportedArchitectures(): ReadonlySet<string> | null {
  if (cached !== undefined) return cached;
  try {
    const file = path.join(packageRoot(), "native", "build", "Release", "architectures.json");
    const list = (JSON.parse(readFileSync(file, "utf8")) as { architectures: string[] }).architectures;
    cached = new Set(list);
  } catch {
    cached = null;
  }
  return cached;
}
