// Device results files under seeded mutation: llama-bench's four formats (produced here by the real
// llama-bench on the reference model) and llama.rn's two shapes, each mutated and read by
// parseDeviceResults. A file is read or refused with a ResultsFormatError; anything else is a defect.
import { parseDeviceResults } from "../../src/shared/deviceResults/parseDeviceResults.js";
import { ResultsFormatError } from "../../src/shared/deviceResults/ResultsFormatError.js";
import { inProcessOutcome, OutcomeTable } from "./fuzzOutcome.js";
import { seededRandom } from "./ggufMutator.js";
import { mutateText } from "./textMutator.js";

/** llama.rn bench() results in its current and its earlier shape. */
export const llamaRnSeeds: readonly string[] = [
  JSON.stringify(
    {
      modelDesc: "llama 1B F16",
      modelSize: 2471645184,
      modelNParams: 1235814432,
      nThreads: 4,
      pp: 512,
      tg: 128,
      pl: 1,
      speedPp: 320,
      speedTg: 16,
    },
    null,
    2,
  ),
  JSON.stringify([
    {
      modelDesc: "llama 1B Q4_K - Medium",
      modelSize: 807690240,
      modelNParams: 1235814432,
      ppAvg: 210.5,
      ppStd: 3.25,
      tgAvg: 21.75,
      tgStd: 0.5,
      pp: 512,
      tg: 128,
      nr: 3,
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
