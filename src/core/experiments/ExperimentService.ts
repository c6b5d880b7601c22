// The experiments part of the protocol: list, summarize, start a sweep in the serving process
// (its jobs report progress as usual), re-run, resume or cancel its job graph, annotate and delete.
import {
  sweepRecipe,
  type ExperimentListItem,
  type ExperimentSummary,
  type SweepRecipeInput,
} from "../../shared/domain/experiment.js";
import type { BuildComparison } from "../../shared/domain/buildComparison.js";
import type { Job } from "../../shared/domain/job.js";
import { experimentBuildComparison } from "../bench/buildComparison.js";
import { ProtocolError } from "../../shared/protocol/wire.js";
import { removeModel } from "../library/modelLibrary.js";
import { deleteExperiment, getExperiment, listExperimentModels } from "../store/experiments.js";
import { addNote, addTag, deleteTagsAndNotes, listTags, removeTag } from "../store/tagsNotes.js";
import { listExperimentItems, summarizeExperiment } from "./summarizeExperiment.js";
import {
  resumeExperiment,
  retryExperimentStep,
  stateOfExperiment,
  type GraphRun,
} from "./experimentGraph.js";
import { findUnfinishedSweep, startSweep, type SweepHost } from "./runSweep.js";

export class ExperimentService {
  constructor(private readonly host: SweepHost) {}

  list(search?: string): ExperimentListItem[] {
    return listExperimentItems(this.host.db, search);
  }

  get(id: string): ExperimentSummary {
    this.#require(id);
    return summarizeExperiment(this.host.db, id);
  }

  /** Per variant, its newest benchmarks on the prebuilt binaries and on the build for this machine. */
  buildComparison(id: string): BuildComparison {
    this.#require(id);
    return experimentBuildComparison(this.host.db, id);
  }

  /** Starts the sweep and returns once it is recorded; failures of its jobs show in those jobs. */
  async startSweep(
    modelId: string,
    recipe: SweepRecipeInput,
    name?: string,
    experimentId?: string,
  ): Promise<{ experimentId: string }> {
    const run = await startSweep(this.host, { model: modelId, recipe, name, experimentId });
    logIfStopped(run, "sweep");
    return { experimentId: run.experimentId };
  }

  /** The unfinished run of this sweep that starting it would resume, or null. */
  unfinishedSweep(
    modelId: string,
    recipe: SweepRecipeInput,
  ): { experimentId: string; name: string; state: string } | null {
    const experimentId = findUnfinishedSweep(this.host.db, modelId, sweepRecipe.parse(recipe));
    const experiment = experimentId ? getExperiment(this.host.db, experimentId) : undefined;
    if (!experimentId || !experiment) return null;
    return { experimentId, name: experiment.name, state: stateOfExperiment(this.host.db, experimentId) };
  }

  async rerun(id: string): Promise<{ experimentId: string }> {
    const experiment = this.#require(id);
    if (!experiment.baseModelId)
      throw new ProtocolError("BASE_GONE", `experiment ${id}: its base model is no longer in the library`);
    return this.startSweep(experiment.baseModelId, experiment.recipe as SweepRecipeInput, undefined, id);
  }

  /**
   * Queues again only the steps that did not succeed (the experiment was interrupted, failed or was
   * cancelled), in this process's queue and in the same experiment.
   */
  resume(id: string): { experimentId: string; requeued: number } {
    this.#require(id);
    let requeued = 0;
    logIfStopped(resumeExperiment(this.host, id, { onJob: () => requeued++ }));
    return { experimentId: id, requeued };
  }

  /**
   * Retries a finished job that is a step of an experiment through the experiment's graph: that step
   * and the steps it needs that did not succeed are queued again. Returns the retried step's new job.
   */
  retryStep(jobId: string): Job {
    const retry = retryExperimentStep(this.host, jobId);
    logIfStopped(retry);
    return retry.jobs.at(-1)!;
  }

  /** Cancels the experiment's whole job graph: every job of it that has not ended. */
  async cancel(id: string): Promise<{ experimentId: string; cancelled: number }> {
    this.#require(id);
    const jobs = await this.host.jobs.cancelExperiment(id);
    return { experimentId: id, cancelled: jobs.filter((j) => j.state === "cancelled").length };
  }

  /**
   * Deletes the experiment's records (jobs and memberships go with it; runs stay, unlinked). With
   * deleteFiles, the variant files it compared are deleted too, unless another experiment uses them.
   */
  async remove(id: string, deleteFiles: boolean): Promise<{ removed: boolean; filesDeleted: number }> {
    const experiment = this.#require(id);
    const { db } = this.host;
    // Its jobs go with it: none is left running or queued.
    await this.host.jobs.cancelExperiment(id, "cancelled: the experiment was deleted");
    let filesDeleted = 0;
    if (deleteFiles) {
      const usedElsewhere = db.prepare(
        "SELECT 1 FROM experiment_models WHERE model_id = ? AND experiment_id <> ? LIMIT 1",
      );
      for (const member of listExperimentModels(db, id)) {
        if (member.modelId === experiment.baseModelId || usedElsewhere.get(member.modelId, id)) continue;
        const result = await removeModel(db, member.modelId, { deleteFile: true });
        if (result.fileDeleted) filesDeleted++;
        this.host.events.emit("models.changed", { id: member.modelId });
      }
    }
    deleteTagsAndNotes(db, "experiment", id);
    const removed = deleteExperiment(db, id);
    this.host.events.emit("experiments.changed", { id });
    return { removed, filesDeleted };
  }

  addNote(id: string, text: string): { noteId: number } {
    this.#require(id);
    const note = addNote(this.host.db, "experiment", id, text);
    this.host.events.emit("experiments.changed", { id });
    return { noteId: note.id };
  }

  setTags(id: string, tags: readonly string[]): { tags: string[] } {
    this.#require(id);
    const { db } = this.host;
    const wanted = new Set(tags.map((t) => t.trim()).filter(Boolean));
    for (const tag of listTags(db, "experiment", id))
      if (!wanted.has(tag)) removeTag(db, "experiment", id, tag);
    for (const tag of wanted) addTag(db, "experiment", id, tag);
    this.host.events.emit("experiments.changed", { id });
    return { tags: listTags(db, "experiment", id) };
  }

  #require(id: string) {
    const experiment = getExperiment(this.host.db, id);
    if (!experiment) throw new ProtocolError("NOT_FOUND", `experiment ${id} not found`);
    return experiment;
  }
}

/** A run followed in the background: a failure of the following itself is logged (its jobs record theirs). */
function logIfStopped(run: GraphRun, what = "experiment"): void {
  run.done.catch((error: unknown) =>
    console.error(
      `${what} ${run.experimentId} stopped: ${error instanceof Error ? error.message : String(error)}`,
    ),
  );
}
