// An experiment's variants with their chains back to the original (History): a variant quantized from
// a distilled, pruned model shows all three steps, not only its last one.
import { LineageChain } from "../../components/LineageChain.js";

export function VariantLineages({ modelIds }: { modelIds: readonly string[] }) {
  if (modelIds.length === 0) return null;
  return (
    <div className="mt-3 space-y-2" data-testid="variant-lineages">
      <h3 className="text-xs font-semibold uppercase tracking-wide text-zinc-500">Lineage</h3>
      {modelIds.map((id) => (
        <LineageChain key={id} modelId={id} />
      ))}
    </div>
  );
}
