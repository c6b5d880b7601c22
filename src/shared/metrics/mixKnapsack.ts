// Recipe search's optimiser: pick one quantization type per tensor group so that the summed predicted
// loss (KLD measured one group at a time) is least while the summed bytes stay within a budget. This
// is a multiple-choice knapsack; it is solved exactly by carrying, group after group, the Pareto
// front of (bytes, loss) over partial choices: a partial choice that is larger and no better than
// another can never complete into an optimum, so dropping it loses nothing. The final front answers
// every budget at once (a `--budget` list is one solve).

export interface MixOption {
  readonly type: string;
  /** Exact bytes of the group's tensors at this type. */
  readonly bytes: number;
  /** Predicted loss of quantizing this group at this type (the rest at the baseline). */
  readonly loss: number;
  /** Types such as IQ2_XXS are only allowed with an importance matrix. */
  readonly needsImatrix?: boolean;
}

export interface MixGroup {
  readonly name: string;
  readonly options: readonly MixOption[];
}

export interface MixChoice {
  readonly bytes: number;
  readonly loss: number;
  /** Chosen type per group name, in the groups' order. */
  readonly types: ReadonlyMap<string, string>;
}

interface FrontPoint {
  readonly bytes: number;
  readonly loss: number;
  /** Option index per group so far (shared prefix lists would save memory; fronts stay small). */
  readonly picks: readonly number[];
}

export interface MixFrontOptions {
  readonly hasImatrix: boolean;
  /** Points above this size are dropped early (the largest budget asked). */
  readonly maxBytes?: number;
}

/** The exact Pareto front of whole recipes: ascending bytes, strictly descending loss. */
export function mixFront(groups: readonly MixGroup[], options: MixFrontOptions): MixChoice[] {
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  const allowed = groups.map((group) => {
    const usable = group.options.filter((option) => options.hasImatrix || !option.needsImatrix);
    if (usable.length === 0) throw new Error(`No allowed type for tensor group ${group.name}`);
    return usable;
  });
  let front: FrontPoint[] = [{ bytes: 0, loss: 0, picks: [] }];
  for (const usable of allowed) {
    const extended: FrontPoint[] = [];
    for (const point of front) {
      usable.forEach((option, index) => {
        const bytes = point.bytes + option.bytes;
        if (bytes <= maxBytes)
          extended.push({ bytes, loss: point.loss + option.loss, picks: [...point.picks, index] });
      });
    }
    front = paretoPrune(extended);
  }
  return front.map((point) => ({
    bytes: point.bytes,
    loss: point.loss,
    types: new Map(groups.map((group, index) => [group.name, allowed[index]![point.picks[index]!]!.type])),
  }));
}

/** The least-loss recipe within `budget` bytes, or undefined when even the smallest does not fit. */
export function bestMixWithin(front: readonly MixChoice[], budget: number): MixChoice | undefined {
  let best: MixChoice | undefined;
  for (const choice of front) if (choice.bytes <= budget && (!best || choice.loss < best.loss)) best = choice;
  return best;
}

function paretoPrune(points: FrontPoint[]): FrontPoint[] {
  points.sort((a, b) => a.bytes - b.bytes || a.loss - b.loss);
  const kept: FrontPoint[] = [];
  for (const point of points) {
    const last = kept[kept.length - 1];
    if (!last || point.loss < last.loss) kept.push(point);
  }
  return kept;
}
