// The model library: import (path, picker, drag and drop) with live progress, and the sortable list.
import { useEffect, useRef, useState, type DragEvent } from "react";
import { formatBytes } from "../../../shared/format.js";
import { Card } from "../../components/Card.js";
import { Notice } from "../../components/Notice.js";
import { PageHeader } from "../../components/PageHeader.js";
import { useCall } from "../../hooks/useCall.js";
import { ImportList } from "./ImportList.js";
import { ImportPanel } from "./ImportPanel.js";
import { ModelTable } from "./ModelTable.js";
import { ModelFitCard } from "../../components/ModelFitCard.js";
import { useModelImports } from "./useModelImports.js";

export function ModelsPage() {
  const models = useCall("models.list", {}, ["models.changed"]);
  const imports = useModelImports();
  const [dragging, setDragging] = useState(false);
  const [dropError, setDropError] = useState<string>();
  const dragDepth = useRef(0);

  // Reload when an import finishes even if the library did not announce a change.
  const succeeded = imports.entries.filter((entry) => entry.job?.state === "succeeded").length;
  const { reload } = models;
  useEffect(() => {
    if (succeeded > 0) reload();
  }, [succeeded, reload]);

  const acceptFiles = (files: File[]) => {
    const rejected = files.filter((file) => !file.name.toLowerCase().endsWith(".gguf"));
    setDropError(
      rejected.length > 0 ? `Not a .gguf file: ${rejected.map((file) => file.name).join(", ")}` : undefined,
    );
    for (const file of files) if (!rejected.includes(file)) imports.importFile(file);
  };

  const hasFiles = (event: DragEvent) => event.dataTransfer.types.includes("Files");
  const dropHandlers = {
    onDragEnter: (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      dragDepth.current++;
      setDragging(true);
    },
    onDragOver: (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
    },
    onDragLeave: () => {
      dragDepth.current = Math.max(0, dragDepth.current - 1);
      if (dragDepth.current === 0) setDragging(false);
    },
    onDrop: (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      dragDepth.current = 0;
      setDragging(false);
      acceptFiles([...event.dataTransfer.files]);
    },
  };

  const list = models.data ?? [];
  const totalBytes = list.reduce((sum, model) => sum + model.sizeBytes, 0);

  return (
    <div {...dropHandlers} className="relative min-h-[calc(100vh-7rem)]">
      {dragging && (
        <div className="pointer-events-none absolute inset-0 z-10 grid place-items-center rounded-xl border-2 border-dashed border-indigo-400 bg-indigo-50/80">
          <p className="text-sm font-medium text-indigo-700">Drop .gguf files to import them</p>
        </div>
      )}
      <PageHeader
        title="Models"
        subtitle={
          models.data
            ? `${list.length} model${list.length === 1 ? "" : "s"} · ${formatBytes(totalBytes)} on disk`
            : "GGUF files in the library"
        }
      />
      <div className="space-y-4">
        <ImportPanel onPath={imports.importPath} onFiles={acceptFiles} />
        {dropError && (
          <Notice tone="error" onDismiss={() => setDropError(undefined)}>
            {dropError}
          </Notice>
        )}
        <ImportList entries={imports.entries} onDismiss={imports.dismiss} />
        {models.error && <Notice tone="error">Could not list models: {models.error.message}</Notice>}
        <Card title="Library">
          {list.length === 0 ? (
            <div className="px-4 py-12 text-center">
              <p className="text-sm font-medium text-zinc-700">
                {models.loading ? "Loading…" : "No models yet"}
              </p>
              {!models.loading && (
                <p className="mt-1 text-sm text-zinc-500">
                  Import a GGUF file above, or from a terminal:{" "}
                  <code className="rounded bg-zinc-100 px-1 py-0.5 font-mono text-xs text-zinc-700">
                    cwb models import PATH
                  </code>
                </p>
              )}
            </div>
          ) : (
            <ModelTable models={list} />
          )}
        </Card>
        <ModelFitCard models={list} />
      </div>
    </div>
  );
}
