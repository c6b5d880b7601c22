// Which llama.cpp binaries the sweep's measurements run on: node-llama-cpp's prebuilt ones, or
// llama.cpp compiled on this machine for its CPU (often much faster on the CPU than the prebuilt
// library). Offers the build itself when there is none yet, with its progress and a cancel.
import { useEffect, useState } from "react";
import { isFinished } from "../../../shared/domain/job.js";
import { Button } from "../../components/Button.js";
import { Field, Select } from "../../components/Field.js";
import { JobStatus } from "../../components/JobStatus.js";
import { Notice } from "../../components/Notice.js";
import { useClient } from "../../client/ClientContext.js";
import { useCall } from "../../hooks/useCall.js";
import { useWatchedJobs } from "../../hooks/useWatchedJobs.js";
import type { RecipeForm } from "./recipeForm.js";

interface Props {
  form: RecipeForm;
  onChange: (form: RecipeForm) => void;
}

export function LlamaBuildField({ form, onChange }: Props) {
  const client = useClient();
  const watched = useWatchedJobs();
  const builds = useCall("app.llamaBuilds", {});
  const [buildJobId, setBuildJobId] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const buildJob = watched.get(buildJobId);
  const machineBuild = builds.data?.builds.find((build) => build.isMachineBuild);
  const cannotBuild = builds.data?.cannotBuild ?? null;

  // A finished build changes the list: read it again.
  const finished = buildJob !== undefined && isFinished(buildJob.state);
  const { reload } = builds;
  useEffect(() => {
    if (finished) reload();
  }, [finished, reload]);

  const startBuild = async () => {
    setError(undefined);
    try {
      const job = await client.call("jobs.start", { kind: "llama.build", params: {} });
      watched.watch(job);
      setBuildJobId(job.id);
    } catch (reason) {
      setError(`Could not start the build: ${(reason as Error).message}`);
    }
  };
  const running = buildJob !== undefined && !isFinished(buildJob.state);

  return (
    <div className="space-y-2 md:max-w-[40rem]" data-testid="llama-build-field">
      <Field
        label="llama.cpp binaries"
        hint={
          form.llamaBuild === "local"
            ? "Compiled on this machine for its CPU; runs on the CPU only."
            : "The binaries that ship with the workbench, for every CPU of this kind."
        }
      >
        <Select
          aria-label="llama.cpp binaries"
          value={form.llamaBuild}
          onChange={(event) => {
            const llamaBuild = event.target.value as RecipeForm["llamaBuild"];
            onChange({ ...form, llamaBuild, ...(llamaBuild === "local" ? { gpu: "cpu" as const } : {}) });
          }}
        >
          <option value="prebuilt">Prebuilt</option>
          <option value="local" disabled={!machineBuild}>
            Built for this machine{machineBuild ? "" : " (not built yet)"}
          </option>
        </Select>
      </Field>
      {!machineBuild && !running && (
        <div className="flex items-center gap-3">
          <Button
            onClick={() => void startBuild()}
            disabled={cannotBuild !== null || builds.data === undefined}
          >
            Build llama.cpp for this machine
          </Button>
          <span className="text-xs text-zinc-500">
            {cannotBuild ?? "Offline, from the source the workbench ships; takes several minutes."}
          </span>
        </div>
      )}
      {buildJob && (
        <div className="flex items-start gap-3" data-testid="llama-build-job">
          <div className="min-w-0 flex-1">
            <JobStatus job={buildJob} />
          </div>
          {running && (
            <Button onClick={() => void client.call("jobs.cancel", { id: buildJob.id })}>Cancel</Button>
          )}
        </div>
      )}
      {error && <Notice tone="error">{error}</Notice>}
    </div>
  );
}
