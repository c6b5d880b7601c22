// llama.cpp compiled on the user's machine ("build llama.cpp for this machine"): node-llama-cpp's
// own source build of the release it bundles, offline, with the CPU's own instruction set. The
// prebuilt CPU library targets a family of CPUs and measured less than half the speed of a native
// build on the same machine (docs/bench.md), so the build is offered as a backend choice.
import { z } from "zod";

/**
 * How runs and variants record the llama.cpp they ran on: node-llama-cpp's release tag and, when the
 * library's build-info names it, llama.cpp's upstream commit, as llama-bench prints it ("v0.4.0
 * (5b4ebc5)"). Imported device results record theirs the same way ("b7000 (5b4ebc5)").
 */
export function llamaBuildLabel(release: string, commit: string | null): string {
  return commit ? `${release} (${commit})` : release;
}

export const llamaBuildChoices = ["prebuilt", "local"] as const;
export const llamaBuildChoice = z.enum(llamaBuildChoices);
export type LlamaBuildChoice = z.infer<typeof llamaBuildChoice>;

/**
 * The cmake options of the machine build. Naming one is what gives the build its own folder
 * (node-llama-cpp hashes custom options into the folder name): a build without custom options would
 * take the prebuilt folder's name and shadow the prebuilt binaries in node-llama-cpp's lookup.
 */
export const machineBuildCmakeOptions: Readonly<Record<string, string>> = { GGML_NATIVE: "ON" };

/** cmake variable names as cmake accepts them; values are passed through as given. */
const cmakeOptionName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, "a cmake option name (GGML_..., LLAMA_...)");

export const llamaBuildJobParams = z.object({
  /** Compile again although a finished build with these options exists. */
  rebuild: z.boolean().default(false),
  /**
   * Options added to the machine build's, for experiments (e.g. GGML_AVX512=OFF). A build with
   * extra options gets its own folder; `llamaBuild: "local"` always means the build without extras.
   */
  extraCmakeOptions: z.record(cmakeOptionName, z.string()).default({}),
});
export type LlamaBuildJobParams = z.output<typeof llamaBuildJobParams>;

export const llamaBuildJobResult = z.object({
  /** node-llama-cpp's folder name of the build under its localBuilds folder. */
  folder: z.string(),
  cmakeOptions: z.record(z.string(), z.string()),
  /** False when a finished build was found and reused. */
  compiled: z.boolean(),
  compileSeconds: z.number().nullable(),
  /** The addon file linked to the build (scripts/build-native.js). */
  addon: z.string(),
  addonSeconds: z.number(),
});
export type LlamaBuildJobResult = z.output<typeof llamaBuildJobResult>;

/** One llama.cpp build the workbench can run on, as listed for the CLI and the settings screens. */
export const llamaBuildInfo = z.object({
  /** The backend id recorded with runs (e.g. "linux-x64", "local-linux-x64-7f3a..."). */
  id: z.string(),
  buildType: z.enum(["prebuilt", "localBuild"]),
  /** "cpu" or the GPU type of the build. */
  gpu: z.string(),
  release: z.string(),
  /** For local builds: the options it was compiled with. */
  cmakeOptions: z.record(z.string(), z.string()).nullable(),
  /** A local build with exactly the machine build's options: what `llamaBuild: "local"` runs on. */
  isMachineBuild: z.boolean(),
});
export type LlamaBuildInfo = z.infer<typeof llamaBuildInfo>;

/** The options a machine build job compiles with. */
export function machineBuildOptions(extra: Readonly<Record<string, string>>): Record<string, string> {
  return { ...machineBuildCmakeOptions, ...extra };
}

/** True when two option sets name the same build. */
export function sameCmakeOptions(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}
