// Builds an experiment's summary from the database: its member models and, for each, the newest
// benchmark and the newest evaluation against the experiment's base, and the speculative runs among
// them (speculationRows.ts). Nothing here is stored; the table is always derived from the recorded
// runs.
import type {
  ChainStage,
  ExperimentListItem,
  ExperimentRow,
  ExperimentSummary,
  MeasuredSpread,
} from "../../shared/domain/experiment.js";
import type { Metric } from "../../shared/domain/run.js";
import type { ModelRecord } from "../../shared/domain/model.js";
import { benchRunDevice, evalRunDevice } from "../../shared/domain/runDevice.js";
import { withFronts } from "../../shared/metrics/tradeoffs.js";
import { benchRounds } from "../bench/benchRounds.js";
import { isDeviceMachineId } from "../deviceResults/deviceMachine.js";
import { getMachine } from "../machine/machineStore.js";
import { stateOfExperiment } from "./experimentGraph.js";
import { sameEvaluation, searchedVariantsToShow } from "./searchedVariants.js";
import { speculationRows } from "./speculationRows.js";
import {
  getExperiment,
  listExperimentModels,
  listExperiments,
  type Experiment,
} from "../store/experiments.js";
import { getModelById } from "../store/models.js";
import { listRuns } from "../store/runs.js";
import type { Db } from "../store/Store.js";
import { listNotes, listTags } from "../store/tagsNotes.js";
import { getVariant } from "../store/variants.js";

function metricValue(metrics: readonly Metric[] | undefined, name: string): number | null {
  return metrics?.find((m) => m.name === name)?.value ?? null;
}

function metric(metrics: readonly Metric[] | undefined, name: string): Metric | undefined {
  return metrics?.find((m) => m.name === name);
}

/** The prompt rates of the shortest and longest prompt lengths measured. */
function promptRates(metrics: readonly Metric[] | undefined): { short?: Metric; long?: Metric } {
  const pp = (metrics ?? [])
    .filter((m) => /^pp\.\d+$/.test(m.name))
    .sort((a, b) => Number(a.name.slice(3)) - Number(b.name.slice(3)));
  return { short: pp[0], long: pp.length > 1 ? pp[pp.length - 1] : undefined };
}

/** The spreads of a row's repeated figures, by row field; figures of one sample have none. */
function spreads(fields: Record<string, Metric | undefined>): Record<string, MeasuredSpread> {
  const out: Record<string, MeasuredSpread> = {};
  for (const [field, m] of Object.entries(fields)) {
    if (m && m.stddev !== null && m.samples !== null && m.samples >= 2)
      out[field] = { stddev: m.stddev, samples: m.samples };
  }
  return out;
}

/** What a row shows of a variant's recipe (a quantize recipe; other recipes have neither). */
function recipeFields(recipe: unknown): { type: string | null; usesImatrix: boolean } {
  if (typeof recipe !== "object" || recipe === null) return { type: null, usesImatrix: false };
  const fields = recipe as Record<string, unknown>;
  return { type: typeof fields.type === "string" ? fields.type : null, usesImatrix: Boolean(fields.imatrix) };
}

/**
 * A model's place in a prune → heal chain, from its lineage up to the base: the nearest distill
 * makes it healed, else the nearest prune makes it pruned.
 */
function chainStageOf(db: Db, modelId: string, baseModelId: string | null): ChainStage {
  let id: string | null = modelId;
  for (let depth = 0; id && id !== baseModelId && depth < 100; depth++) {
    const variant = getVariant(db, id);
    if (!variant) break;
    if (variant.recipeKind === "distill") return "healed";
    if (variant.recipeKind === "prune") return "pruned";
    id = variant.parentId;
  }
  return "original";
}

function jobCounts(db: Db, experimentId: string): Record<string, number> {
  const rows = db
    .prepare("SELECT state, count(*) AS n FROM jobs WHERE experiment_id = ? GROUP BY state")
    .all(experimentId) as {
    state: string;
    n: number;
  }[];
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

function listItem(db: Db, experiment: Experiment): ExperimentListItem {
  const base = experiment.baseModelId ? getModelById(db, experiment.baseModelId) : undefined;
  return {
    id: experiment.id,
    name: experiment.name,
    kind: experiment.kind,
    createdAt: experiment.createdAt,
    baseModelId: experiment.baseModelId,
    baseModelName: base?.metadata.name ?? base?.fileName ?? null,
    variantCount: listExperimentModels(db, experiment.id).filter((m) => m.modelId !== experiment.baseModelId)
      .length,
    jobCounts: jobCounts(db, experiment.id),
    state: stateOfExperiment(db, experiment.id),
    tags: listTags(db, "experiment", experiment.id),
  };
}

export function listExperimentItems(db: Db, search?: string): ExperimentListItem[] {
  const needle = search?.trim().toLowerCase();
  const items = listExperiments(db).map((e) => listItem(db, e));
  if (!needle) return items;
  return items.filter((item) =>
    [item.name, item.kind, item.baseModelName ?? "", ...item.tags].some((text) =>
      text.toLowerCase().includes(needle),
    ),
  );
}

export function summarizeExperiment(db: Db, id: string): ExperimentSummary {
  const experiment = getExperiment(db, id);
  if (!experiment) throw Object.assign(new Error(`experiment ${id} not found`), { code: "NOT_FOUND" });
  const rows: Omit<ExperimentRow, "front">[] = [];
  let machineId: string | null = experiment.machineId;
  let llamaBuild: string | null = null;
  const members = listExperimentModels(db, id);
  const memberModels: { model: ModelRecord; label: string }[] = [];
  // Each member's runs are read once: the base's figures come from the first variant's evaluation,
  // and parsing runs is most of this call's cost (it answers every experiments.get while a sweep runs).
  const evalsAgainstBase = new Map<string, ReturnType<typeof listRuns>[number] | undefined>();
  const evalAgainstBase = (modelId: string) => {
    if (!evalsAgainstBase.has(modelId))
      evalsAgainstBase.set(
        modelId,
        listRuns(db, { modelId, kind: "eval", limit: 50 }).find(
          (run) => run.baseModelId === experiment.baseModelId,
        ),
      );
    return evalsAgainstBase.get(modelId);
  };
  // The base's own perplexity is recorded with each variant's evaluation ("ppl.base").
  const baseEval = members
    .map((m) => (m.modelId === experiment.baseModelId ? undefined : evalAgainstBase(m.modelId)))
    .find(Boolean);
  // Searched mixes of the same base evaluated like the members join the rows, marked as such.
  const searched = searchedVariantsToShow(
    db,
    experiment.baseModelId,
    new Set(members.map((m) => m.modelId)),
    (modelId) => sameEvaluation(evalAgainstBase(modelId), baseEval),
  );
  const shown = [
    ...members.map((m) => ({ modelId: m.modelId, label: m.label, searched: false })),
    ...searched.map((s) => ({ ...s, searched: true })),
  ];
  for (const member of shown) {
    const model = getModelById(db, member.modelId);
    if (!model) continue;
    if (!member.searched) memberModels.push({ model, label: member.label });
    // This machine's benchmark: results imported for a device are shown per device (devices.compare).
    const bench = benchRounds(
      listRuns(db, { modelId: model.id, kind: "bench", limit: 50 }).filter(
        (run) => !isDeviceMachineId(run.machineId),
      ),
    );
    const isBase = model.id === experiment.baseModelId;
    const evalRun = isBase ? baseEval : evalAgainstBase(model.id);
    machineId ??= bench?.machineId ?? null;
    llamaBuild ??= bench?.llamaBuild ?? evalRun?.llamaBuild ?? null;
    const variant = getVariant(db, model.id);
    const recipe = recipeFields(variant?.recipe);
    const pp = promptRates(bench?.metrics);
    const tg = bench?.metrics.find((m) => /^tg\.\d+$/.test(m.name));
    const appTg = bench?.metrics.find((m) => /^app\.tg\.\d+$/.test(m.name));
    const peakRss = metric(bench?.metrics, "memory.peak_rss");
    const ppl = metric(evalRun?.metrics, "ppl");
    rows.push({
      modelId: model.id,
      stage: isBase ? "original" : chainStageOf(db, model.id, experiment.baseModelId),
      label: member.label,
      ...(member.searched ? { searched: true } : {}),
      // A searched mix's file type is only its baseline: the mix is many types.
      quantType: isBase || member.searched ? null : recipe.type,
      isBase,
      usesImatrix: recipe.usesImatrix,
      path: model.path,
      sizeBytes: model.sizeBytes,
      bitsPerWeight: model.metadata.bitsPerWeight,
      loadColdMs: metricValue(bench?.metrics, "load.cold"),
      loadWarmMs: metricValue(bench?.metrics, "load.warm"),
      ppShortTokensPerSecond: pp.short?.value ?? null,
      ppLongTokensPerSecond: pp.long?.value ?? null,
      tgTokensPerSecond: tg?.value ?? null,
      appTgTokensPerSecond: appTg?.value ?? null,
      ttftP50Ms: metricValue(bench?.metrics, "ttft.p50"),
      ttftP95Ms: metricValue(bench?.metrics, "ttft.p95"),
      itlP99Ms: metricValue(bench?.metrics, "itl.p99"),
      peakRssBytes: peakRss?.value ?? null,
      ppl: isBase ? metricValue(evalRun?.metrics, "ppl.base") : (ppl?.value ?? null),
      pplUncertainty: isBase ? (metric(evalRun?.metrics, "ppl.base")?.stddev ?? null) : (ppl?.stddev ?? null),
      pplRatio: isBase ? (evalRun ? 1 : null) : metricValue(evalRun?.metrics, "ppl.ratio"),
      kldMean: isBase ? (evalRun ? 0 : null) : metricValue(evalRun?.metrics, "kld.mean"),
      kldUncertainty: isBase ? (evalRun ? 0 : null) : (metric(evalRun?.metrics, "kld.mean")?.stddev ?? null),
      kldP99: isBase ? (evalRun ? 0 : null) : metricValue(evalRun?.metrics, "kld.p99"),
      sameTopPercent: isBase ? (evalRun ? 100 : null) : metricValue(evalRun?.metrics, "top.same"),
      spread: spreads({
        tgTokensPerSecond: tg,
        appTgTokensPerSecond: appTg,
        ppShortTokensPerSecond: pp.short,
        ppLongTokensPerSecond: pp.long,
        peakRssBytes: peakRss,
      }),
      noise: bench?.noise ?? [],
      devices: {
        bench: bench ? benchRunDevice(bench) : null,
        eval: evalRun ? evalRunDevice(evalRun) : null,
      },
    });
  }
  const machine = machineId ? getMachine(db, machineId) : undefined;
  return {
    ...listItem(db, experiment),
    recipe: experiment.recipe,
    machine: machine
      ? {
          id: machine.id,
          cpu: machine.cpu,
          cores: machine.cores,
          ramBytes: machine.ramBytes,
          gpu: machine.gpu,
          os: machine.os,
        }
      : null,
    llamaBuild,
    notes: listNotes(db, "experiment", id).map((n) => ({ id: n.id, text: n.text, createdAt: n.createdAt })),
    rows: withFronts(rows),
    speculation: speculationRows(db, memberModels),
  };
}
