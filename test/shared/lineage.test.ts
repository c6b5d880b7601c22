// A variant's chain from the recipes its models were recorded with (the shapes core/jobs/kinds/*
// store): each kind recognised by its fields, the chain ordered from the original, a missing parent
// or a cycle ending it.
import { describe, expect, it } from "vitest";
import { describeLineage, modelLineage, type LineageModel } from "../../src/shared/domain/lineage.js";

const sha = (c: string) => c.repeat(64);
const models: LineageModel[] = [
  { id: "base", fileName: "base.gguf", parentId: null, recipe: null },
  {
    id: "pruned",
    fileName: "base.pruned-2.gguf",
    parentId: "base",
    recipe: { dropped: [2, 5], selection: "explicit", layersRunId: null, originalBlockCount: 12 },
  },
  {
    id: "healed",
    fileName: "healed.gguf",
    parentId: "pruned",
    recipe: {
      teacher: { modelId: "base", sha256: sha("a") },
      studentFrom: "pruned",
      text: { sha256: sha("b"), teacherArtifactId: "t" },
      heldout: null,
      loss: { objective: "…", final: 1.23456, heldoutStart: null, heldoutEnd: { kld: 0.1, kldStdErr: 0.01 } },
      steps: 40,
      tokens: 10240,
      settings: { alpha: 0, temperature: 1 },
    },
  },
  {
    id: "q",
    fileName: "healed.Q4_K_M.gguf",
    parentId: "healed",
    recipe: { type: "Q4_K_M", ftype: 15, imatrix: { artifactId: null, path: "/i.gguf", sha256: sha("c") } },
  },
  {
    id: "w",
    fileName: "base.width.gguf",
    parentId: "base",
    recipe: { method: "width", ffnKeep: { kind: "fraction", value: 0.5 }, headsKeep: null, dropped: [] },
  },
];
const find = (id: string) => models.find((m) => m.id === id);

describe("modelLineage", () => {
  it("orders a pruned, distilled, quantized variant's chain from the original, in words", () => {
    const steps = modelLineage("q", find);
    expect(steps.map((s) => s.kind)).toEqual(["original", "pruned", "distilled", "quantized"]);
    expect(describeLineage(steps)).toEqual([
      "original: base.gguf",
      "pruned (dropped blocks 2, 5 of 12): base.pruned-2.gguf",
      `distilled (teacher base.gguf, data ${"b".repeat(12)}, soft targets, final loss 1.2346, held-out KLD 0.1000 ± 0.0196, 40 steps): healed.gguf`,
      `quantized (Q4_K_M, imatrix ${"c".repeat(12)}): healed.Q4_K_M.gguf`,
    ]);
  });

  it("tells width pruning from block pruning", () => {
    expect(modelLineage("w", find)[1]).toMatchObject({ kind: "pruned", detail: "width: FFN 50 % kept" });
  });

  it("starts at the oldest ancestor still in the library, and does not loop on a cycle", () => {
    const gone = (id: string) => (id === "base" ? undefined : find(id));
    expect(modelLineage("healed", gone).map((s) => s.kind)).toEqual(["pruned", "distilled"]);
    const cyclic: LineageModel[] = [
      { id: "x", fileName: "x", parentId: "y", recipe: null },
      { id: "y", fileName: "y", parentId: "x", recipe: null },
    ];
    expect(modelLineage("x", (id) => cyclic.find((m) => m.id === id))).toHaveLength(2);
  });
});
