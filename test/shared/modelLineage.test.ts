// The library lists each variant under the model it was made from, siblings in the table's order.
import { expect, it } from "vitest";
import { groupByLineage } from "../../src/shared/modelLineage.js";

const m = (id: string, parentId: string | null = null) => ({ id, parentId });

it("puts variants under their parent at any depth, siblings sorted, orphans and cycles as roots", () => {
  const models = [
    m("q4", "base"),
    m("other"),
    m("base"),
    m("pruned", "base"),
    m("pq8", "pruned"),
    m("q8", "base"),
    m("orphan", "removed"),
  ];
  const rows = groupByLineage(models, (a, b) => a.id.localeCompare(b.id));
  expect(rows.map((r) => `${"  ".repeat(r.depth)}${r.model.id}`)).toEqual([
    "base",
    "  pruned",
    "    pq8",
    "  q4",
    "  q8",
    "orphan",
    "other",
  ]);
  // Parents pointing in a circle: each model is listed once, none hidden, no loop.
  const cycle = groupByLineage([m("a", "b"), m("b", "a")], (x, y) => x.id.localeCompare(y.id));
  expect(cycle.map((r) => [r.model.id, r.depth])).toEqual([
    ["a", 0],
    ["b", 1],
  ]);
});
