// Confirms deleting an experiment's records; deleting its variant files is a separate, explicit box.
import { useEffect, useRef, useState } from "react";
import type { ExperimentSummary } from "../../../shared/domain/experiment.js";
import { formatBytes } from "../../../shared/format.js";
import { Button } from "../../components/Button.js";
import { useClient } from "../../client/ClientContext.js";

export function RemoveExperimentDialog({
  experiment,
  onClose,
  onRemoved,
}: {
  experiment: ExperimentSummary;
  onClose: () => void;
  onRemoved: (filesDeleted: number) => void;
}) {
  const client = useClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const [deleteFiles, setDeleteFiles] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const variants = experiment.rows.filter((row) => !row.isBase);
  const variantBytes = variants.reduce((sum, row) => sum + row.sizeBytes, 0);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const remove = () => {
    setBusy(true);
    setError(undefined);
    client.call("experiments.remove", { id: experiment.id, deleteFiles }).then(
      (result) => onRemoved(result.filesDeleted),
      (reason: unknown) => {
        setBusy(false);
        setError(reason instanceof Error ? reason.message : String(reason));
      },
    );
  };

  return (
    <dialog
      ref={dialog}
      onClose={onClose}
      aria-labelledby="remove-experiment-title"
      className="m-auto w-[30rem] rounded-lg border border-zinc-200 p-0 shadow-xl backdrop:bg-zinc-950/40"
    >
      <div className="px-5 pt-4 pb-3">
        <h2 id="remove-experiment-title" className="text-base font-semibold text-zinc-900">
          Delete “{experiment.name}”?
        </h2>
        <p className="mt-1.5 text-sm text-zinc-600">
          The experiment, its jobs, notes and tags are deleted. Measurements stay with their models, and the
          variant files stay on disk unless you tick the box.
        </p>
        <label className="mt-4 flex items-start gap-2.5 rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2.5 text-sm">
          <input
            type="checkbox"
            checked={deleteFiles}
            onChange={(event) => setDeleteFiles(event.target.checked)}
            className="mt-0.5 accent-red-600"
          />
          <span>
            <span className="font-medium text-zinc-800">
              Also delete its {variants.length} variant file{variants.length === 1 ? "" : "s"} (
              {formatBytes(variantBytes)})
            </span>
            <span className="block text-xs text-zinc-500">
              The base model and files another experiment uses are kept.
            </span>
          </span>
        </label>
        {error && <p className="mt-3 text-sm text-red-700">{error}</p>}
      </div>
      <div className="flex justify-end gap-2 border-t border-zinc-200 bg-zinc-50 px-5 py-3">
        <Button onClick={() => dialog.current?.close()} disabled={busy}>
          Keep it
        </Button>
        <Button variant="danger" onClick={remove} disabled={busy}>
          {busy ? "Deleting…" : deleteFiles ? "Delete experiment and files" : "Delete experiment"}
        </Button>
      </div>
    </dialog>
  );
}
