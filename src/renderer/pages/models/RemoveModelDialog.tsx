// Confirms removing a model from the library; deleting the file itself is a separate, explicit choice.
import type { ModelSummary } from "../../../shared/domain/model.js";
import { formatBytes } from "../../../shared/format.js";
import { ConfirmRemoveDialog } from "../../components/ConfirmRemoveDialog.js";
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
  return (
    <ConfirmRemoveDialog
      titleId="remove-model-title"
      title={<>Remove {model.metadata.name ?? model.fileName}?</>}
      description="The model and its recorded runs leave the library. The file stays on disk unless you tick the box below."
      deleteFilesLabel="Also delete the file from disk"
      deleteFilesDetail={
        <span className="block font-mono text-xs break-all text-zinc-500">
          {model.path} ({formatBytes(model.sizeBytes)})
        </span>
      }
      keepLabel="Keep"
      confirmLabel={(deleteFiles) => (deleteFiles ? "Remove and delete file" : "Remove from library")}
      widthClass="w-[28rem]"
      onConfirm={async (deleteFiles) => {
        await client.call("models.remove", { id: model.id, deleteFile: deleteFiles });
        onRemoved();
      }}
      onClose={onClose}
    />
  );
}
