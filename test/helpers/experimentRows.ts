// Hand-made experiment rows and summaries for tests of the tables, reports and charts: every field
// filled with a plausible measurement, the test overriding what it is about.
import type { ExperimentRow, ExperimentSummary } from "../../src/shared/domain/experiment.js";
import { withFronts } from "../../src/shared/metrics/tradeoffs.js";

type RowCore = Omit<ExperimentRow, "front">;

export function measuredRow(label: string, fields: Partial<RowCore> = {}): RowCore {
  const isBase = fields.isBase ?? false;
  return {
    modelId: `m-${label}`,
    label,
    quantType: isBase ? null : label,
    isBase,
    usesImatrix: false,
    path: `/m/${label}.gguf`,
    sizeBytes: 10e6,
    bitsPerWeight: 8,
    loadColdMs: 10,
    loadWarmMs: 5,
    ppShortTokensPerSecond: 9000,
    ppLongTokensPerSecond: 8000,
    tgTokensPerSecond: 1000,
    appTgTokensPerSecond: 100,
    ttftP50Ms: 5,
    ttftP95Ms: 6,
    itlP99Ms: 7,
    peakRssBytes: 50e6,
    ppl: 60,
    pplUncertainty: 2,
    pplRatio: isBase ? 1 : 1.01,
    kldMean: isBase ? 0 : 0.01,
    kldUncertainty: isBase ? 0 : 0.001,
    kldP99: isBase ? 0 : 0.1,
    sameTopPercent: isBase ? 100 : 95,
    devices: { bench: null, eval: null },
    stage: "original",
    ...fields,
  };
}

/** A finished sweep's summary of these rows, fronts computed as the server does. */
export function summaryOf(rows: readonly RowCore[], name = "test"): ExperimentSummary {
  return {
    id: "e1",
    name,
    kind: "sweep",
    createdAt: "2026-01-01T00:00:00Z",
    baseModelId: rows.find((r) => r.isBase)?.modelId ?? null,
    baseModelName: "base",
    variantCount: rows.filter((r) => !r.isBase).length,
    jobCounts: {},
    state: "succeeded",
    tags: [],
    recipe: {},
    machine: null,
    llamaBuild: null,
    notes: [],
    rows: withFronts(rows),
  };
}
