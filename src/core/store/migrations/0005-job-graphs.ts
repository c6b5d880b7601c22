// Multi-step work as a persistent job graph (core/jobs/JobGraph.ts): a job written as one step of an
// experiment's graph keeps its step key (unique per experiment, e.g. "quantize:Q8_0"), every job it
// waits for (`depends_on` keeps the first one), and the named step hooks that build its parameters
// from those jobs' results when it starts and record its place in the experiment when it succeeds.
import type { Migration } from "./Migration.js";

export const migration0005JobGraphs: Migration = {
  version: 5,
  name: "job-graphs",
  up: `
    ALTER TABLE jobs ADD COLUMN step_key TEXT;
    ALTER TABLE jobs ADD COLUMN needs_json TEXT;
    ALTER TABLE jobs ADD COLUMN hook_json TEXT;
    CREATE INDEX jobs_experiment ON jobs(experiment_id, step_key);
  `,
};
