// How far a prediction was from what the device measured: measured / the middle of the predicted
// range − 1 (+0.25 = the device ran 25 % faster than the middle of the range), and whether the
// measurement fell inside the range at all.
import type { PredictionCheck } from "../domain/deviceComparison.js";

export interface PredictedRange {
  readonly lowTokensPerSecond: number;
  readonly highTokensPerSecond: number;
}

export function predictionError(
  measuredTokensPerSecond: number,
  range: PredictedRange,
): Pick<PredictionCheck, "error" | "inside"> {
  const middle = (range.lowTokensPerSecond + range.highTokensPerSecond) / 2;
  return {
    error: measuredTokensPerSecond / middle - 1,
    inside:
      measuredTokensPerSecond >= range.lowTokensPerSecond &&
      measuredTokensPerSecond <= range.highTokensPerSecond,
  };
}
