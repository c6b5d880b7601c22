// Results measured on the device come back here: a results file dropped on the panel (or picked),
// the device it ran on, then results.importContent. Each row shows the variant it matched and how;
// a row that fits several variants (or names none) gets a choice, and the import runs again with it.
import { useState, type DragEvent } from "react";
import type { DeviceEntry } from "../../../shared/domain/deviceProfile.js";
import type {
  DeviceResultsImport as ImportOutcome,
  ImportedRow,
} from "../../../shared/deviceResults/deviceResultsImport.js";
import { formatTokensPerSecond } from "../../../shared/format.js";
import { Button } from "../../components/Button.js";
import { ErrorDetails } from "../../components/ErrorDetails.js";
import { Field, Select } from "../../components/Field.js";
import { useClient } from "../../client/ClientContext.js";
import { thrownErrorWords, type ErrorWords } from "../../errorWords.js";

interface HeldFile {
  name: string;
  content: string;
}

const statusWords: Record<ImportOutcome["status"], string> = {
  recorded: "Recorded",
  "already-imported": "Already imported: nothing new recorded",
  "needs-choice": "Some rows fit several variants: choose, then record",
};

function rate(row: ImportedRow): string {
  const { mean, stddev, samples } = row.tokensPerSecond;
  const spread = stddev === null ? "" : ` ± ${formatTokensPerSecond(stddev).replace(" tok/s", "")}`;
  return `${formatTokensPerSecond(mean).replace(" tok/s", "")}${spread} tok/s${samples ? ` (n = ${samples})` : ""}`;
}

export function DeviceResultsImport({
  devices,
  defaultDeviceId,
  nameOf,
}: {
  devices: readonly DeviceEntry[];
  defaultDeviceId: string | null;
  /** A library model's file name, by id. */
  nameOf: (modelId: string) => string;
}) {
  const client = useClient();
  const [file, setFile] = useState<HeldFile>();
  const [deviceId, setDeviceId] = useState<string>();
  const [dragging, setDragging] = useState(false);
  const [outcome, setOutcome] = useState<ImportOutcome>();
  const [choices, setChoices] = useState<Record<string, string>>({});
  const [error, setError] = useState<ErrorWords>();
  const device = deviceId ?? defaultDeviceId ?? devices[0]?.profile.id ?? "";

  const hold = async (picked: File | undefined) => {
    if (!picked) return;
    setOutcome(undefined);
    setChoices({});
    setError(undefined);
    setFile({ name: picked.name, content: await picked.text() });
  };
  const drop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    void hold(event.dataTransfer.files[0]);
  };
  const run = async () => {
    if (!file) return;
    setError(undefined);
    try {
      const imported = await client.call("results.importContent", {
        fileName: file.name,
        content: file.content,
        device,
        choices,
      });
      setOutcome(imported);
    } catch (reason) {
      setError(thrownErrorWords(reason));
    }
  };
  const open = outcome?.status === "needs-choice" ? outcome.rows.filter((row) => row.match === null) : [];

  return (
    <div className="space-y-3 px-4 py-3">
      <div
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={drop}
        data-testid="results-drop"
        className={`rounded-md border-2 border-dashed px-4 py-5 text-center text-sm ${dragging ? "border-indigo-400 bg-indigo-50" : "border-zinc-300 text-zinc-600"}`}
      >
        {file ? (
          <span data-testid="results-file">{file.name}</span>
        ) : (
          "Drop the results file of bench-on-device.sh here (llama-bench JSON, JSONL, CSV or Markdown; llama.rn bench())"
        )}
        <label className="mt-2 block text-xs text-indigo-700 underline">
          or choose a file
          <input
            type="file"
            className="sr-only"
            aria-label="Results file"
            onChange={(event) => void hold(event.target.files?.[0])}
          />
        </label>
      </div>
      <div className="flex items-end gap-3">
        <Field label="Measured on" className="w-64">
          <Select
            aria-label="Measured on"
            value={device}
            onChange={(event) => setDeviceId(event.target.value)}
          >
            {devices.map((entry) => (
              <option key={entry.profile.id} value={entry.profile.id}>
                {entry.profile.name}
              </option>
            ))}
          </Select>
        </Field>
        <Button
          variant="primary"
          onClick={() => void run()}
          disabled={!file || device === "" || open.some((row) => !choices[row.line])}
        >
          {open.length > 0 ? "Record with these choices" : "Import results"}
        </Button>
      </div>
      {error && <ErrorDetails words={error} testId="results-error" />}
      {outcome && (
        <div className="space-y-2" data-testid="results-outcome" data-status={outcome.status}>
          <p className="text-sm font-medium text-zinc-800">{statusWords[outcome.status]}</p>
          <table className="w-full text-sm">
            <thead className="border-b border-zinc-200 text-left text-xs text-zinc-500">
              <tr>
                <th className="py-1.5 pr-3 font-medium">Line</th>
                <th className="px-3 py-1.5 font-medium">Test</th>
                <th className="px-3 py-1.5 text-right font-medium">Measured</th>
                <th className="px-3 py-1.5 font-medium">Variant</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {outcome.rows.map((row) => (
                <tr key={row.line} data-testid="results-row" data-matched={row.match?.by ?? "open"}>
                  <td className="py-1.5 pr-3 tabular-nums text-zinc-500">{row.line}</td>
                  <td className="px-3 py-1.5 text-zinc-800">{row.test}</td>
                  <td className="px-3 py-1.5 text-right tabular-nums text-zinc-800">{rate(row)}</td>
                  <td className="px-3 py-1.5 text-xs">
                    {row.match ? (
                      <span>
                        <span className="font-mono">{nameOf(row.match.modelId)}</span>{" "}
                        <span className="text-zinc-500">(by {row.match.by})</span>
                      </span>
                    ) : (
                      <Select
                        aria-label={`Variant for line ${row.line}`}
                        value={choices[row.line] ?? ""}
                        onChange={(event) =>
                          setChoices((now) => ({ ...now, [row.line]: event.target.value }))
                        }
                      >
                        <option value="">Choose the variant ({row.reason})</option>
                        {row.candidates.map((c) => (
                          <option key={c.modelId} value={c.modelId}>
                            {c.fileName}
                          </option>
                        ))}
                      </Select>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {outcome.status === "recorded" && (
            <p className="text-xs text-zinc-500" data-testid="results-recorded">
              {outcome.runs.length} run{outcome.runs.length === 1 ? "" : "s"} recorded for the device;
              predictions for it now use these measurements.
            </p>
          )}
        </div>
      )}
    </div>
  );
}
