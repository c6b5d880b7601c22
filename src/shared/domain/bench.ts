// Speed and memory benchmark of one model: what the user can choose, what was actually used, and
// what was measured. Shared by the job kind, the CLI, the store and the renderer.
import { z } from "zod";
import { backendUsed, gpuSettings } from "./gpu.js";
import { batchSizeSetting, threadsSetting } from "./llamaSettings.js";
import { metric } from "./run.js";

/** Options of one benchmark; every field has a default, so `{}` is a valid request. */
export const benchSettings = z.object({
  /** Prompt-processing lengths in tokens (random tokens of the vocabulary, fixed seed, like llama-bench). */
  promptLengths: z.array(z.number().int().min(1).max(32768)).min(1).default([128, 512]),
  /** Tokens generated per generation repetition (greedy). The first one's latency is the TTFT. */
  generateTokens: z.number().int().min(2).max(8192).default(128),
  /** Prompt evaluated before each generation repetition; TTFT includes its processing. */
  generationPromptTokens: z.number().int().min(1).max(32768).default(128),
  /** Timed repetitions of every test. */
  reps: z.number().int().min(1).max(1000).default(5),
  /** Untimed rounds of every test first (caches, thread pools, CPU clocks). */
  warmupReps: z.number().int().min(0).max(100).default(1),
  /** Model loads timed after the cold one. */
  warmLoads: z.number().int().min(0).max(20).default(2),
  /** null: node-llama-cpp's default (the machine's math cores). */
  threads: threadsSetting,
  /** null: just enough for the longest test, rounded up to 256. */
  contextSize: z
    .number()
    .int()
    .min(32)
    .max(1 << 20)
    .nullable()
    .default(null),
  /** Logical and physical batch in tokens (node-llama-cpp uses one value for both). */
  batchSize: batchSizeSetting(512),
  ...gpuSettings.shape,
  flashAttention: z.enum(["auto", "on", "off"]).default("auto"),
  /** Run the memory-bandwidth probe (about 5 s) to express generation as a share of the limit. */
  bandwidth: z.boolean().default(true),
  bandwidthMiB: z.number().int().min(16).max(65536).default(1024),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(42),
});
export type BenchSettingsInput = z.input<typeof benchSettings>;
export type BenchSettings = z.output<typeof benchSettings>;

/**
 * Version of what the speed metrics mean, recorded with every run so a re-run never reuses a run
 * measured differently. 2: pp/tg with llama-bench's method in the addon, app.* through node-llama-cpp
 * (1, the default of runs recorded before: pp/tg through node-llama-cpp only).
 */
export const benchMethod = 2;

/** The settings that were really in effect (recorded with the run). */
export const resolvedBenchSettings = benchSettings.extend({
  method: z.number().int().default(1),
  threads: z.number().int(),
  contextSize: z.number().int(),
  gpuLayers: z.number().int(),
  /** "cpu" or node-llama-cpp's GPU type ("cuda", "vulkan", "metal"). */
  backend: z.string(),
  /** As node-llama-cpp reports it: "auto" leaves the choice to llama.cpp at context creation. */
  flashAttention: z.union([z.boolean(), z.literal("auto")]),
});
export type ResolvedBenchSettings = z.infer<typeof resolvedBenchSettings>;

/** A recorded flash-attention setting as the user's choice (and llama-bench's -fa) spells it. */
export function flashAttentionMode(value: ResolvedBenchSettings["flashAttention"]): "auto" | "on" | "off" {
  return value === "auto" ? "auto" : value ? "on" : "off";
}

export const machineFingerprint = z.object({
  /** Hash of the stable fields: same machine, OS, backend and build ⇒ same id. */
  id: z.string(),
  cpu: z.string(),
  cores: z.number().int(),
  ramBytes: z.number(),
  gpu: z.string().nullable(),
  os: z.string(),
  details: z.object({
    arch: z.string(),
    platform: z.string(),
    osRelease: z.string(),
    backend: z.string(),
    gpuDriver: z.string().nullable(),
    gpuNames: z.array(z.string()),
    vramBytes: z.number().nullable(),
    llamaCppRelease: z.string(),
    nodeLlamaCppVersion: z.string(),
    cpuMathCores: z.number().int().nullable(),
    llamaSystemInfo: z.string().nullable(),
    /** Set for a device whose results were imported (a phone, a board): the device's id. */
    device: z.string().optional(),
  }),
});
export type MachineFingerprint = z.infer<typeof machineFingerprint>;

/** What the bench saw of other work on the machine while it measured (core/bench/interference.ts). */
export const benchInterference = z.object({
  /** Why the figures may be disturbed, in words; empty when nothing was seen. */
  reasons: z.array(z.string()),
  /** CPU cores other processes kept busy on average during the timed part (Linux; null elsewhere). */
  otherCpuCores: z.number().nullable(),
  /** Share of CPU time the hypervisor took (steal) during the timed part (Linux; null elsewhere). */
  stealShare: z.number().nullable(),
  /** 1-minute load average at the start and end of the timed part (null where there is none). */
  loadAverage: z.object({ start: z.number(), end: z.number() }).nullable(),
  /** The largest coefficient of variation among the repeated speed figures. */
  worstCv: z.number().nullable(),
  /** The largest relative trend from first to last repetition among them (thermal or frequency drift). */
  worstDrift: z.number().nullable(),
});
export type BenchInterference = z.infer<typeof benchInterference>;

export const benchDetails = z.object({
  modelPath: z.string(),
  modelSizeBytes: z.number(),
  /** What "cold" meant for this run (see speedBench.ts). */
  coldLoad: z.object({
    evictionRequested: z.boolean(),
    residentBefore: z.number().nullable(),
    residentAfter: z.number().nullable(),
  }),
  memory: z.object({
    source: z.enum(["VmHWM", "maxRSS"]),
    /** Whether the peak was reset before the model was loaded (Linux only). */
    peakReset: z.boolean(),
    estimateModelBytes: z.number(),
    estimateContextBytes: z.number(),
  }),
  bandwidth: z
    .object({
      bytesPerSecond: z.number(),
      threads: z.number(),
      bufferBytes: z.number(),
      roundSeconds: z.array(z.number()),
    })
    .nullable(),
  weightBytesPerToken: z.number(),
  vocabularySize: z.number(),
  /** The build and devices the run used (runs recorded before this was kept have none). */
  backend: backendUsed.optional(),
  warnings: z.array(z.string()),
  /** Runs recorded before interference was checked have none. */
  interference: benchInterference.optional(),
});
export type BenchDetails = z.infer<typeof benchDetails>;

/** What the bench job returns. */
export const benchReport = z.object({
  runId: z.string().nullable(),
  modelId: z.string().nullable(),
  settings: resolvedBenchSettings,
  machine: machineFingerprint,
  llamaBuild: z.string(),
  nodeLlamaCpp: z.string(),
  metrics: z.array(metric),
  details: benchDetails,
});
export type BenchReport = z.infer<typeof benchReport>;

/** Parameters of a "bench" job, resolved by the parent (the model's id and path). */
export const benchJobParams = z.object({
  model: z.object({ modelId: z.string(), path: z.string().min(1) }),
  settings: benchSettings,
});
export type BenchJobParams = z.output<typeof benchJobParams>;

/** What the worker measures; the parent adds the ids when it records the run. */
export const benchMeasurement = benchReport.omit({ runId: true, modelId: true });
export type BenchMeasurement = z.infer<typeof benchMeasurement>;
