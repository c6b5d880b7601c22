// A modal that confirms removing records, with deleting the files on disk as a separate, explicit
// box: the shape of every "remove" on the screens (a model from the library, an experiment).
import { useEffect, useRef, useState, type ReactNode } from "react";
import { Button } from "./Button.js";

export interface ConfirmRemoveDialogProps {
  /** id of the title, for aria-labelledby. */
  titleId: string;
  title: ReactNode;
  description: ReactNode;
  /** The "also delete files" box: its label and the detail under it. */
  deleteFilesLabel: ReactNode;
  deleteFilesDetail: ReactNode;
  keepLabel: string;
  confirmLabel: (deleteFiles: boolean, busy: boolean) => string;
  widthClass: string;
  /** Does the removal; a rejection is shown in the dialog, which stays open. */
  onConfirm: (deleteFiles: boolean) => Promise<void>;
  onClose: () => void;
}

export function ConfirmRemoveDialog(props: ConfirmRemoveDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [deleteFiles, setDeleteFiles] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const confirm = () => {
    setBusy(true);
    setError(undefined);
    props.onConfirm(deleteFiles).catch((reason: unknown) => {
      setBusy(false);
      setError(reason instanceof Error ? reason.message : String(reason));
    });
  };

  return (
    <dialog
      ref={dialog}
      onClose={props.onClose}
      aria-labelledby={props.titleId}
      className={`m-auto ${props.widthClass} rounded-lg border border-zinc-200 p-0 shadow-xl backdrop:bg-zinc-950/40`}
    >
      <div className="px-5 pt-4 pb-3">
        <h2 id={props.titleId} className="text-base font-semibold text-zinc-900">
          {props.title}
        </h2>
        <p className="mt-1.5 text-sm text-zinc-600">{props.description}</p>
        <label className="mt-4 flex items-start gap-2.5 rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2.5 text-sm">
          <input
            type="checkbox"
            checked={deleteFiles}
            onChange={(event) => setDeleteFiles(event.target.checked)}
            className="mt-0.5 accent-red-600"
          />
          <span>
            <span className="font-medium text-zinc-800">{props.deleteFilesLabel}</span>
            {props.deleteFilesDetail}
          </span>
        </label>
        {error && <p className="mt-3 text-sm text-red-700">{error}</p>}
      </div>
      <div className="flex justify-end gap-2 border-t border-zinc-200 bg-zinc-50 px-5 py-3">
        <Button onClick={() => dialog.current?.close()} disabled={busy}>
          {props.keepLabel}
        </Button>
        <Button variant="danger" onClick={confirm} disabled={busy}>
          {props.confirmLabel(deleteFiles, busy)}
        </Button>
      </div>
    </dialog>
  );
}
