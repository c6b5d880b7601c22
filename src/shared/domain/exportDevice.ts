// The device an export is made for, as the manifest records it. Deliberately loose for now: the
// device profiles and the predictions made from them are their own domain; this one schema is the
// place to tighten when the manifest carries them in full.
import { z } from "zod";

export const exportDevice = z.object({
  /** What the user named the device with (a profile id or a free label). */
  id: z.string().min(1),
  name: z.string().nullable().default(null),
  profile: z.record(z.string(), z.unknown()).nullable().default(null),
  prediction: z.record(z.string(), z.unknown()).nullable().default(null),
});
export type ExportDevice = z.output<typeof exportDevice>;
