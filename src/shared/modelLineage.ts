// The library as a tree: each variant listed under the model it was made from (its parent), at any
// depth (a pruned model's quantizations under it). Models whose parent is not in the list are roots.
// Siblings keep the order of `compare`, so a sorted table stays sorted within each level.
export interface LineageModel {
  readonly id: string;
  readonly parentId: string | null;
}

export interface LineageRow<M> {
  readonly model: M;
  /** 0 for a root, 1 for its variants, 2 for theirs. */
  readonly depth: number;
}

export function groupByLineage<M extends LineageModel>(
  models: readonly M[],
  compare: (a: M, b: M) => number,
): LineageRow<M>[] {
  const ids = new Set(models.map((m) => m.id));
  const children = new Map<string | null, M[]>();
  for (const model of models) {
    const parent = model.parentId !== null && ids.has(model.parentId) ? model.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), model]);
  }
  const rows: LineageRow<M>[] = [];
  const listed = new Set<string>();
  const visit = (model: M, depth: number) => {
    if (listed.has(model.id)) return; // a cycle in damaged records must not loop
    listed.add(model.id);
    rows.push({ model, depth });
    for (const child of [...(children.get(model.id) ?? [])].sort(compare)) visit(child, depth + 1);
  };
  for (const root of [...(children.get(null) ?? [])].sort(compare)) visit(root, 0);
  // Models in a parent cycle have no root above them: each is listed rather than hidden.
  for (const model of [...models].sort(compare)) visit(model, 0);
  return rows;
}
