// Device results files under seeded mutation: llama-bench's four formats (produced here by the real
// llama-bench on the reference model) and llama.rn's two shapes, each mutated and read by
// parseDeviceResults. A file is read or refused with a ResultsFormatError; anything else is a defect.
import { parseDeviceResults } from "../../src/shared/deviceResults/parseDeviceResults.js";
import { ResultsFormatError } from "../../src/shared/deviceResults/ResultsFormatError.js";
import { inProcessOutcome, OutcomeTable } from "./fuzzOutcome.js";
import { seededRandom } from "../../src/core/bench/randomTokens.js";
import { mutateText } from "./textMutator.js";

/** llama.rn bench() results in its current and its earlier shape. */
export const llamaRnSeeds: readonly string[] = [
  JSON.stringify(
    {
      modelDesc: "qwen2 0.5B Q8_0",
      modelSize: 531068928,
      modelNParams: 494032768,
      nThreads: 6,
      nGpuLayers: 0,
      pp: 256,
      tg: 64,
      pl: 1,
      speedPp: 181.5,
      speedTg: 27.25,
    },
    null,
    2,
  ),
  JSON.stringify([
    {
      modelDesc: "gemma2 2B Q4_0",
      modelSize: 1629509632,
      modelNParams: 2614341888,
      ppAvg: 95.5,
      ppStd: 1.5,
      tgAvg: 11.25,
      tgStd: 0.25,
      pp: 256,
      tg: 64,
      nr: 5,
    },
    {
      modelDesc: "gemma2 2B Q4_0",
      modelSize: 1629509632,
      modelNParams: 2614341888,
      ppAvg: 93,
      ppStd: 2,
      tgAvg: 11,
      tgStd: 0.5,
      pp: 512,
      tg: 32,
      nr: 5,
    },
  ]),
];

export function resultsRefusal(error: unknown): string | null {
  return error instanceof ResultsFormatError ? "ResultsFormatError" : null;
}

export async function runResultsFuzz(
  seeds: readonly string[],
  count: number,
  seed: number,
): Promise<OutcomeTable> {
  const random = seededRandom(seed);
  const table = new OutcomeTable();
  for (let i = 0; i < count; i++) {
    const source = seeds[i % seeds.length]!;
    const mutation = mutateText(source, random);
    const outcome = await inProcessOutcome(async () => parseDeviceResults(mutation.text), resultsRefusal);
    table.add("results parser", outcome, `seed ${i % seeds.length}`, `${mutation.kind}: ${mutation.detail}`);
  }
  return table;
}
