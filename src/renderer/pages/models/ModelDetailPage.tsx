// One model: its header metadata, the per-type summary and every tensor; remove from here.
import { useState, type ReactNode } from "react";
import type { ModelRecord } from "../../../shared/domain/model.js";
import {
  formatBitsPerWeight,
  formatBytes,
  formatDateTime,
  formatFileType,
  formatInteger,
  formatParams,
} from "../../../shared/format.js";
import { Button } from "../../components/Button.js";
import { Card } from "../../components/Card.js";
import { Notice } from "../../components/Notice.js";
import { PageHeader } from "../../components/PageHeader.js";
import { useCall } from "../../hooks/useCall.js";
import { navigate, routeHref } from "../../routing/useHashRoute.js";
import { RemoveModelDialog } from "./RemoveModelDialog.js";
import { TensorTable } from "./TensorTable.js";
import { TensorTypeSummary } from "./TensorTypeSummary.js";

export function ModelDetailPage({ id }: { id: string }) {
  const model = useCall("models.get", { id }, ["models.changed"]);
  const [removing, setRemoving] = useState(false);

  const back = (
    <a href={routeHref("models")} className="text-sm text-zinc-500 hover:text-zinc-800">
      ← Models
    </a>
  );
  if (!model.data) {
    return (
      <>
        <div className="mb-3">{back}</div>
        {model.error ? (
          <Notice tone="error">
            Could not load model {id}: {model.error.message}
          </Notice>
        ) : (
          <p className="text-sm text-zinc-500">Loading…</p>
        )}
      </>
    );
  }
  const record = model.data;
  const meta = record.metadata;

  return (
    <>
      <div className="mb-3">{back}</div>
      <PageHeader
        title={meta.name ?? record.fileName}
        subtitle={<span className="font-mono text-xs break-all">{record.path}</span>}
        actions={
          <Button variant="dangerOutline" onClick={() => setRemoving(true)}>
            Remove…
          </Button>
        }
      />
      <div className="space-y-4" data-testid="model-detail">
        <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
          <Stat
            label="Parameters"
            value={formatParams(meta.parameterCount)}
            detail={formatInteger(meta.parameterCount)}
          />
          <Stat
            label="File size"
            value={formatBytes(record.sizeBytes)}
            detail={`${formatInteger(record.sizeBytes)} bytes`}
          />
          <Stat
            label="File type"
            value={formatFileType(meta.fileType)}
            detail={`${meta.architecture} · ${formatInteger(meta.layers)} layers`}
          />
          <Stat
            label="Bits per weight"
            value={formatBitsPerWeight(meta.bitsPerWeight)}
            detail={`${formatInteger(meta.tensors.length)} tensors`}
          />
        </div>
        <div className="grid gap-4 lg:grid-cols-5">
          <Card title="Metadata" className="lg:col-span-2">
            <Metadata record={record} />
          </Card>
          <div className="space-y-4 lg:col-span-3">
            <Card title="Tensor types">
              <TensorTypeSummary tensors={meta.tensors} />
            </Card>
            {meta.chatTemplate && (
              <Card title="Chat template">
                <details className="px-4 py-3 text-sm">
                  <summary className="cursor-pointer text-zinc-600">
                    Show the template ({formatInteger(meta.chatTemplate.length)} characters)
                  </summary>
                  <pre className="mt-2 max-h-80 overflow-auto rounded bg-zinc-50 p-3 font-mono text-xs whitespace-pre-wrap text-zinc-700">
                    {meta.chatTemplate}
                  </pre>
                </details>
              </Card>
            )}
          </div>
        </div>
        <Card title="Tensors">
          <TensorTable tensors={meta.tensors} />
        </Card>
      </div>
      {removing && (
        <RemoveModelDialog
          model={record}
          onClose={() => setRemoving(false)}
          onRemoved={() => navigate("models")}
        />
      )}
    </>
  );
}

function Stat({ label, value, detail }: { label: string; value: string; detail: string }) {
  return (
    <div className="rounded-lg border border-zinc-200 bg-white px-4 py-3 shadow-xs">
      <div className="text-xs font-medium text-zinc-500">{label}</div>
      <div className="mt-1 text-xl font-semibold tabular-nums tracking-tight text-zinc-900">{value}</div>
      <div className="mt-0.5 truncate text-xs tabular-nums text-zinc-500">{detail}</div>
    </div>
  );
}

function Metadata({ record }: { record: ModelRecord }) {
  const meta = record.metadata;
  const rows: [string, ReactNode][] = [
    ["Architecture", meta.architecture],
    ["Layers", formatInteger(meta.layers)],
    ["Context length", formatInteger(meta.contextLength)],
    ["Embedding length", formatInteger(meta.embeddingLength)],
    ["Feed-forward length", formatInteger(meta.feedForwardLength)],
    [
      "Attention heads",
      meta.heads === null
        ? "—"
        : `${formatInteger(meta.heads)}${meta.headsKv !== null && meta.headsKv !== meta.heads ? ` (${formatInteger(meta.headsKv)} KV)` : ""}`,
    ],
    ["Vocabulary", formatInteger(meta.vocabularySize)],
    ["File type", meta.fileType ?? "—"],
    ["File name", record.fileName],
    [
      "SHA-256",
      <span className="font-mono text-xs break-all" title={record.sha256}>
        {record.sha256}
      </span>,
    ],
    ["Imported", formatDateTime(record.importedAt)],
    [
      "Derived from",
      record.parentId ? (
        <a href={routeHref("models", record.parentId)} className="text-indigo-600 hover:text-indigo-500">
          {record.parentId}
        </a>
      ) : (
        "—"
      ),
    ],
  ];
  return (
    <dl className="divide-y divide-zinc-100 text-sm">
      {rows.map(([label, value]) => (
        <div key={label} className="grid grid-cols-[10rem_1fr] gap-3 px-4 py-1.5">
          <dt className="text-zinc-500">{label}</dt>
          <dd className="min-w-0 tabular-nums text-zinc-800">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
