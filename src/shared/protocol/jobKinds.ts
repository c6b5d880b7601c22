// Every kind of job the queue runs: its parameters (validated before it is queued) and its result.
// A kind's runner lives in src/worker (native work) and is registered under the same name.
import { z } from "zod";
import { modelRecord } from "../domain/model.js";

export interface JobKindSpec<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly params: P;
  readonly result: R;
  /** One line for the Jobs screen and the CLI. */
  readonly title: string;
}

function jobKind<P extends z.ZodType, R extends z.ZodType>(title: string, params: P, result: R): JobKindSpec<P, R> {
  return { title, params, result };
}

export const jobKinds = {
  "models.import": jobKind(
    "Import model",
    z.object({ path: z.string().min(1) }),
    z.object({ model: modelRecord, alreadyPresent: z.boolean() }),
  ),
} satisfies Record<string, JobKindSpec>;

export type JobKind = keyof typeof jobKinds;
export type JobParams<K extends JobKind> = z.input<(typeof jobKinds)[K]["params"]>;
export type JobResult<K extends JobKind> = z.output<(typeof jobKinds)[K]["result"]>;

export function isJobKind(kind: string): kind is JobKind {
  return Object.hasOwn(jobKinds, kind);
}
