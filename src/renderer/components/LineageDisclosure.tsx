// A "Lineage" toggle inside a table row (Compare): the chain opens in the cell, is fetched only when
// opened, and a click on it does not reach the row's own click handler.
import { useState } from "react";
import { LineageChain } from "./LineageChain.js";

export function LineageDisclosure({ modelId }: { modelId: string }) {
  const [open, setOpen] = useState(false);
  return (
    <span className="ml-2 inline-block align-top" onClick={(event) => event.stopPropagation()}>
      <button
        type="button"
        className="text-[11px] text-indigo-700 underline decoration-dotted"
        aria-expanded={open}
        data-testid="lineage-toggle"
        onClick={() => setOpen((shown) => !shown)}
      >
        lineage
      </button>
      {open && (
        // Opened in place, wide: the column grows (the table scrolls) rather than squeezing the chain.
        <div className="mt-1 w-[40rem] whitespace-normal">
          <LineageChain modelId={modelId} />
        </div>
      )}
    </span>
  );
}
