// Export options for the chosen variant (destination folder or .zip, split, context length, runtime
// files), the export.bundle job with its progress, ETA and Cancel, then the bundle's location and a
// Verify button (export.verify) with what it found.
import { useState } from "react";
import {
  runtimeFileSets,
  type ExportBundleResult,
  type ExportVerifyResult,
  type RuntimeFileSet,
} from "../../../shared/domain/exportBundle.js";
import { parseSplitMaxSize, type SplitLimit } from "../../../shared/domain/ggufSplit.js";
import { isFinished } from "../../../shared/domain/job.js";
import { formatBytes } from "../../../shared/format.js";
import { Button } from "../../components/Button.js";
import { ErrorDetails } from "../../components/ErrorDetails.js";
import { Checkbox, Field, NumberInput, TextInput } from "../../components/Field.js";
import { JobStatus } from "../../components/JobStatus.js";
import { useClient } from "../../client/ClientContext.js";
import { thrownErrorWords, type ErrorWords } from "../../errorWords.js";
import { useWatchedJobs } from "../../hooks/useWatchedJobs.js";

const runtimeLabels: Record<RuntimeFileSet, string> = {
  ollama: "Ollama (Modelfile, create.sh)",
  "llama.cpp": "llama.cpp (llama-server.sh, llama-cli.sh)",
};

/** The path to create: a .zip file when asked for one. */
function destination(path: string, zip: boolean): string {
  const trimmed = path.trim();
  return zip && !trimmed.toLowerCase().endsWith(".zip") ? `${trimmed}.zip` : trimmed;
}

export function ExportForm({
  modelId,
  modelName,
  deviceId,
}: {
  modelId: string;
  modelName: string;
  deviceId: string | null;
}) {
  const client = useClient();
  const watched = useWatchedJobs();
  const [outPath, setOutPath] = useState("");
  const [zip, setZip] = useState(false);
  const [splitText, setSplitText] = useState("");
  const [contextLength, setContextLength] = useState<number | null>(null);
  const [runtimeFiles, setRuntimeFiles] = useState<RuntimeFileSet[]>([...runtimeFileSets]);
  const [exportJobId, setExportJobId] = useState<string>();
  const [verifyJobId, setVerifyJobId] = useState<string>();
  const [error, setError] = useState<ErrorWords>();

  const split = splitText.trim() === "" ? null : parseSplitMaxSize(splitText.trim());
  const splitError = split && "error" in split ? split.error : null;
  const exportJob = watched.get(exportJobId);
  const verifyJob = watched.get(verifyJobId);
  const written = exportJob?.state === "succeeded" ? (exportJob.result as ExportBundleResult) : null;
  const verified = verifyJob?.state === "succeeded" ? (verifyJob.result as ExportVerifyResult) : null;
  const running = exportJob !== undefined && !isFinished(exportJob.state);

  const start = async () => {
    setError(undefined);
    setVerifyJobId(undefined);
    try {
      const limit: SplitLimit | null =
        split && "bytes" in split ? { by: "size", maxBytes: split.bytes } : null;
      const job = await client.call("export.start", {
        modelId,
        outPath: destination(outPath, zip),
        split: limit,
        contextLength,
        deviceId,
        runtimeFiles,
      });
      watched.watch(job);
      setExportJobId(job.id);
    } catch (reason) {
      setError(thrownErrorWords(reason));
    }
  };

  const verify = async (path: string) => {
    setError(undefined);
    try {
      const job = await client.call("jobs.start", { kind: "export.verify", params: { path } });
      watched.watch(job);
      setVerifyJobId(job.id);
    } catch (reason) {
      setError(thrownErrorWords(reason));
    }
  };

  return (
    <div className="space-y-4 px-4 py-3">
      <div className="flex flex-wrap items-end gap-4">
        <Field
          label="Destination"
          hint="A folder to create on the machine running the workbench (it must not exist yet)."
          className="min-w-80 flex-1"
        >
          <TextInput
            aria-label="Destination"
            placeholder={`/home/me/bundles/${modelName.replace(/\.gguf$/i, "")}`}
            value={outPath}
            onChange={(event) => setOutPath(event.target.value)}
          />
        </Field>
        <fieldset className="flex gap-4 pb-6 text-sm text-zinc-700">
          <legend className="sr-only">Format</legend>
          <label className="inline-flex items-center gap-1.5">
            <input type="radio" name="export-format" checked={!zip} onChange={() => setZip(false)} /> Folder
          </label>
          <label className="inline-flex items-center gap-1.5">
            <input type="radio" name="export-format" checked={zip} onChange={() => setZip(true)} /> Zip file
          </label>
        </fieldset>
      </div>
      <div className="flex flex-wrap gap-4">
        <Field
          label="Split into shards of at most"
          hint={splitError ?? "Empty: one file. As llama-gguf-split: 500M, 2G."}
        >
          <TextInput
            aria-label="Split max size"
            className="w-28"
            value={splitText}
            onChange={(event) => setSplitText(event.target.value)}
          />
        </Field>
        <Field
          label="Context length"
          hint={
            deviceId
              ? "Empty: the longest that fits the device with margin."
              : "Empty: the model's, at most 4,096."
          }
        >
          <NumberInput
            aria-label="Context length"
            className="w-28"
            min={16}
            value={contextLength}
            onValue={setContextLength}
          />
        </Field>
        <div>
          <span className="mb-1 block text-xs font-medium text-zinc-600">Runtime files</span>
          <div className="flex flex-col gap-1">
            {runtimeFileSets.map((set) => (
              <Checkbox
                key={set}
                label={runtimeLabels[set]}
                checked={runtimeFiles.includes(set)}
                onChange={(on) =>
                  setRuntimeFiles((now) => (on ? [...now, set] : now.filter((s) => s !== set)))
                }
              />
            ))}
          </div>
        </div>
      </div>
      <div className="flex items-center gap-3">
        <Button
          variant="primary"
          onClick={() => void start()}
          disabled={outPath.trim() === "" || splitError !== null || running}
        >
          Export
        </Button>
        {running && exportJob && (
          <Button onClick={() => void client.call("jobs.cancel", { id: exportJob.id })}>Cancel</Button>
        )}
        <span className="text-xs text-zinc-500">
          {deviceId
            ? "Settings recommended for the chosen device go into the bundle."
            : "No device chosen: settings from this machine's benchmarks."}
        </span>
      </div>
      {error && <ErrorDetails words={error} testId="export-error" />}
      {exportJob && !written && <JobStatus job={exportJob} testId="export-job" />}
      {written && (
        <div className="space-y-2 rounded-md bg-zinc-50 px-3 py-2 text-sm" data-testid="export-written">
          <p>
            Written to{" "}
            <span className="font-mono text-xs" data-testid="export-location">
              {written.path}
            </span>{" "}
            ({written.format}, {written.files.length} files and manifest.json, {formatBytes(written.bytes)});
            llama.cpp loads <span className="font-mono text-xs">{written.entry}</span>.
          </p>
          <div className="flex items-center gap-3">
            <Button
              onClick={() => void verify(written.path)}
              disabled={verifyJob !== undefined && !isFinished(verifyJob.state)}
            >
              Verify
            </Button>
            {verifyJob && !verified && <JobStatus job={verifyJob} testId="verify-job" />}
            {verified && (
              <span className="text-emerald-700" data-testid="verify-result">
                Verified: {verified.filesChecked} files, {formatBytes(verified.bytesChecked)}, every sha256
                matches; the model loads ({verified.model.loadMs.toFixed(0)} ms) and predicts “
                {verified.model.firstToken}”.
              </span>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
