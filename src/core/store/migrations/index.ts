// Every schema migration, in order. A new migration is a new numbered file added at the end here.
import type { Migration } from "./Migration.js";
import { migration0001Initial } from "./0001-initial.js";
import { migration0002JobOwnership } from "./0002-job-ownership.js";
import { migration0003ExperimentModels } from "./0003-experiment-models.js";
import { migration0004JobErrorDetail } from "./0004-job-error-detail.js";
import { migration0005JobGraphs } from "./0005-job-graphs.js";
import { migration0006DeviceProfiles } from "./0006-device-profiles.js";
import { migration0007DistillDataArtifacts } from "./0007-distill-data-artifacts.js";
import { migration0008SpeculateRuns } from "./0008-speculate-runs.js";

export const migrations: readonly Migration[] = [
  migration0001Initial,
  migration0002JobOwnership,
  migration0003ExperimentModels,
  migration0004JobErrorDetail,
  migration0005JobGraphs,
  migration0006DeviceProfiles,
  migration0007DistillDataArtifacts,
  migration0008SpeculateRuns,
];
