// One curve point per training step from a progress report: the addon joins fast steps into one
// report but sends each step's loss, so a curve never skips a step (nor shows only the last).
import type { TrainPoint } from "../../shared/domain/trainingMetrics.js";
import type { TrainProgress } from "./AddonTypes.js";

export function trainPoints(p: TrainProgress): TrainPoint[] {
  const losses = p.stepLosses.length > 0 ? Array.from(p.stepLosses) : [p.loss];
  const first = p.step - losses.length + 1;
  return losses.map((loss, i) => ({ step: first + i, loss, tokensPerSecond: p.tokensPerSecond }));
}
