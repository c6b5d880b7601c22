// The CI slice of `npm run fuzz:results`: 300 seeded mutations of llama.rn results files (the
// llama-bench formats need the real llama-bench; the bench script adds them) are read or refused
// with a ResultsFormatError, never anything else.
import { expect, it } from "vitest";
import { llamaRnSeeds, runResultsFuzz } from "../../bench/fuzz/resultsFuzz.js";

it("reads or refuses with a named error every one of 300 mutated results files", async () => {
  const table = await runResultsFuzz(llamaRnSeeds, 300, 300);
  expect(table.defects).toEqual([]);
  expect(table.count("results parser", "refused")).toBeGreaterThan(100);
  expect(table.count("results parser", "accepted")).toBeGreaterThan(10);
});
