// Confirms removing a model from the library; deleting the file itself is a separate, explicit choice.
import { useEffect, useRef, useState } from "react";
import type { ModelSummary } from "../../../shared/domain/model.js";
import { formatBytes } from "../../../shared/format.js";
import { Button } from "../../components/Button.js";
import { useClient } from "../../client/ClientContext.js";

export function RemoveModelDialog({
  model,
  onClose,
  onRemoved,
}: {
  model: ModelSummary;
  onClose: () => void;
  onRemoved: () => void;
}) {
  const client = useClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const [deleteFile, setDeleteFile] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const remove = () => {
    setBusy(true);
    setError(undefined);
    client.call("models.remove", { id: model.id, deleteFile }).then(
      () => onRemoved(),
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
      aria-labelledby="remove-model-title"
      className="m-auto w-[28rem] rounded-lg border border-zinc-200 p-0 shadow-xl backdrop:bg-zinc-950/40"
    >
      <div className="px-5 pt-4 pb-3">
        <h2 id="remove-model-title" className="text-base font-semibold text-zinc-900">
          Remove {model.metadata.name ?? model.fileName}?
        </h2>
        <p className="mt-1.5 text-sm text-zinc-600">
          The model and its recorded runs leave the library. The file stays on disk unless you tick the box
          below.
        </p>
        <label className="mt-4 flex items-start gap-2.5 rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2.5 text-sm">
          <input
            type="checkbox"
            checked={deleteFile}
            onChange={(event) => setDeleteFile(event.target.checked)}
            className="mt-0.5 accent-red-600"
          />
          <span>
            <span className="font-medium text-zinc-800">Also delete the file from disk</span>
            <span className="block font-mono text-xs break-all text-zinc-500">
              {model.path} ({formatBytes(model.sizeBytes)})
            </span>
          </span>
        </label>
        {error && <p className="mt-3 text-sm text-red-700">{error}</p>}
      </div>
      <div className="flex justify-end gap-2 border-t border-zinc-200 bg-zinc-50 px-5 py-3">
        <Button onClick={() => dialog.current?.close()} disabled={busy}>
          Keep
        </Button>
        <Button variant="danger" onClick={remove} disabled={busy}>
          {deleteFile ? "Remove and delete file" : "Remove from library"}
        </Button>
      </div>
    </dialog>
  );
}
