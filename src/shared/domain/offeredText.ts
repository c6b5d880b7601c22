// A text a form offers for evaluation or calibration (core/texts/offeredTexts.ts).
import { z } from "zod";

export const offeredText = z.object({
  name: z.string(),
  path: z.string(),
  bytes: z.number().int(),
  /** Known for the library's text sets; the reference model's texts are hashed when a job uses them. */
  sha256: z.string().nullable(),
  purpose: z.enum(["calibration", "evaluation", "any"]),
  source: z.enum(["library", "reference"]),
});
export type OfferedText = z.infer<typeof offeredText>;
