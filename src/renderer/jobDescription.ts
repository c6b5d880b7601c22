// How a job is named on screen: its kind's title and the one parameter that tells jobs apart.
import type { Job } from "../shared/domain/job.js";
import { isJobKind, jobKinds } from "../shared/protocol/jobKinds.js";

export function jobTitle(job: Job): string {
  return isJobKind(job.kind) ? jobKinds[job.kind].title : job.kind;
}

export function jobSubject(job: Job): string | null {
  const params = job.params as Record<string, unknown> | null;
  const path = params?.path;
  if (typeof path === "string") return fileNameOf(path);
  return compressionSubject(job.kind, params);
}

function fileNameOf(path: string): string {
  return path.split(/[/\\]/).pop() ?? path;
}

/** The pipeline kinds carry the model as params.model (or params.base / params.models). */
function compressionSubject(kind: string, params: Record<string, unknown> | null): string | null {
  const modelPath = (value: unknown): string | null => {
    const path = (value as { path?: unknown } | null | undefined)?.path;
    return typeof path === "string" ? fileNameOf(path) : null;
  };
  if (!params) return null;
  if (kind === "models.random") return typeof params.shape === "string" ? `${params.shape} shape` : null;
  if (kind === "quantize") {
    const recipe = params.recipe as { type?: string; imatrix?: unknown } | undefined;
    const what = `${recipe?.type ?? "?"}${recipe?.imatrix ? "+imatrix" : ""}${params.dryRun ? " (dry run)" : ""}`;
    return `${what} · ${modelPath(params.model) ?? "model"}`;
  }
  if (kind === "eval") {
    const variants = Array.isArray(params.variants) ? params.variants.length : 0;
    return `${variants} variant${variants === 1 ? "" : "s"} vs ${modelPath(params.base) ?? "base"}`;
  }
  if (kind === "generate") {
    const models = Array.isArray(params.models) ? params.models.map(modelPath).filter(Boolean) : [];
    return models.join(", ") || null;
  }
  if (kind === "speculate") {
    const draft = modelPath(params.draft);
    return `${modelPath(params.target) ?? "target"} ${draft ? `with draft ${draft}` : "with prompt lookup"}`;
  }
  if (kind === "prune") {
    const dropped = (params.recipe as { dropped?: number[] } | undefined)?.dropped ?? [];
    return `drop block${dropped.length === 1 ? "" : "s"} ${dropped.join(", ")} · ${modelPath(params.model) ?? "model"}`;
  }
  if (kind === "distill") {
    return `${modelPath(params.student) ?? "student"} from ${modelPath(params.teacher) ?? "teacher"}`;
  }
  if (kind === "distill.data") {
    return `${modelPath(params.teacher) ?? "teacher"} continues ${modelPath(params.prompts) ?? "prompts"}`;
  }
  if (kind === "search.sensitivity") {
    const cells = Array.isArray(params.cells) ? params.cells.length : 0;
    return `${cells} group×type cell${cells === 1 ? "" : "s"} · ${modelPath(params.model) ?? "model"}`;
  }
  if (kind === "prune.width") {
    const recipe = params.recipe as
      { ffnKeep?: { value: number } | null; headsKeep?: { value: number } | null } | undefined;
    const parts = [
      recipe?.ffnKeep ? `FFN ${recipe.ffnKeep.value}` : null,
      recipe?.headsKeep ? `heads ${recipe.headsKeep.value}` : null,
    ].filter(Boolean);
    return `keep ${parts.join(", ")} · ${modelPath(params.model) ?? "model"}`;
  }
  return modelPath(params.model);
}

/** Seconds the job ran (so far, for a running job). */
export function jobElapsedSeconds(job: Job, now: number): number | null {
  if (!job.startedAt) return null;
  const end = job.finishedAt ? Date.parse(job.finishedAt) : now;
  return Math.max(0, (end - Date.parse(job.startedAt)) / 1000);
}
