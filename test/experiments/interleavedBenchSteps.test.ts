// The order a sweep's benchmarks are planned in: after every other step, one chain, rounds in
// alternating order, each step able to run when another variant failed.
import { describe, expect, it } from "vitest";
import { benchSettings } from "../../src/shared/domain/bench.js";
import type { GraphNode } from "../../src/core/jobs/JobGraph.js";
import { interleavedBenchSteps } from "../../src/core/experiments/interleavedBenchSteps.js";
import { sweepStepHooks } from "../../src/core/experiments/sweepSteps.js";

const settings = benchSettings.parse({});
const others = [
  { key: "quantize:Q8_0", kind: "quantize" },
  { key: "quantize:Q2_K", kind: "quantize" },
  { key: "eval", kind: "eval" },
] as unknown as GraphNode[];
const targets = [
  { label: "base", model: { modelId: "b", path: "/b.gguf" }, quantizeStep: null },
  { label: "Q8_0", model: null, quantizeStep: "quantize:Q8_0" },
  { label: "Q2_K", model: null, quantizeStep: "quantize:Q2_K" },
];

describe("interleavedBenchSteps", () => {
  const nodes = interleavedBenchSteps(targets, settings, 3, others);

  it("orders rounds A B C, C B A, A B C", () => {
    expect(nodes.map((n) => n.key)).toEqual([
      "bench:base",
      "bench:Q8_0",
      "bench:Q2_K",
      "bench:Q2_K#2",
      "bench:Q8_0#2",
      "bench:base#2",
      "bench:base#3",
      "bench:Q8_0#3",
      "bench:Q2_K#3",
    ]);
  });

  it("chains them after every other step, so they run alone and in that order", () => {
    const others = ["quantize:Q8_0", "quantize:Q2_K", "eval"];
    expect(nodes[0]!.dependsOn).toEqual(others);
    nodes.slice(1).forEach((node, i) => expect(node.dependsOn).toEqual([...others, nodes[i]!.key]));
  });

  it("runs a model's benchmark when another variant failed, and skips one whose variant was not made", async () => {
    const hooks = sweepStepHooks["sweep.bench"]!;
    expect(hooks.tolerateFailedDependencies).toBe(true);
    expect(hooks.tolerateCancelledDependencies).toBe(true);
    const q8 = nodes.find((n) => n.key === "bench:Q8_0#2")!;
    const outcome = (stepKey: string, state: "succeeded" | "failed", result: unknown = null) => ({
      jobId: stepKey,
      stepKey,
      kind: "quantize",
      state,
      result,
    });
    const made = { model: { id: "q8", path: "/q8.gguf" } };
    const context = {} as never;
    expect(
      await hooks.params!(
        q8.hook!.input,
        [outcome("quantize:Q8_0", "succeeded", made), outcome("quantize:Q2_K", "failed")],
        context,
      ),
    ).toEqual({ params: { model: { modelId: "q8", path: "/q8.gguf" }, settings } });
    const q2 = nodes.find((n) => n.key === "bench:Q2_K")!;
    expect(await hooks.params!(q2.hook!.input, [outcome("quantize:Q2_K", "failed")], context)).toEqual({
      skip: "skipped: the variant (quantize:Q2_K) was not made",
    });
  });
});
