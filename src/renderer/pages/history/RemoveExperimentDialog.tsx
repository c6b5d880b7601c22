// Confirms deleting an experiment's records; deleting its variant files is a separate, explicit box.
import type { ExperimentSummary } from "../../../shared/domain/experiment.js";
import { formatBytes } from "../../../shared/format.js";
import { ConfirmRemoveDialog } from "../../components/ConfirmRemoveDialog.js";
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
  const variants = experiment.rows.filter((row) => !row.isBase);
  const variantBytes = variants.reduce((sum, row) => sum + row.sizeBytes, 0);
  return (
    <ConfirmRemoveDialog
      titleId="remove-experiment-title"
      title={<>Delete “{experiment.name}”?</>}
      description="The experiment, its jobs, notes and tags are deleted. Measurements stay with their models, and the variant files stay on disk unless you tick the box."
      deleteFilesLabel={
        <>
          Also delete its {variants.length} variant file{variants.length === 1 ? "" : "s"} (
          {formatBytes(variantBytes)})
        </>
      }
      deleteFilesDetail={
        <span className="block text-xs text-zinc-500">
          The base model and files another experiment uses are kept.
        </span>
      }
      keepLabel="Keep it"
      confirmLabel={(deleteFiles, busy) =>
        busy ? "Deleting…" : deleteFiles ? "Delete experiment and files" : "Delete experiment"
      }
      widthClass="w-[30rem]"
      onConfirm={async (deleteFiles) => {
        const result = await client.call("experiments.remove", { id: experiment.id, deleteFiles });
        onRemoved(result.filesDeleted);
      }}
      onClose={onClose}
    />
  );
}
