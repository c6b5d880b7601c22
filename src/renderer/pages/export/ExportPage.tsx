// Export: find a variant's file, see its size and copy its path. Variant files are ordinary GGUF
// files that llama.cpp-based apps load as they are.
import { useState } from "react";
import { formatBitsPerWeight, formatBytes, formatDateTime, formatFileType } from "../../../shared/format.js";
import { Button } from "../../components/Button.js";
import { Card } from "../../components/Card.js";
import { Field, Select } from "../../components/Field.js";
import { Notice } from "../../components/Notice.js";
import { PageHeader } from "../../components/PageHeader.js";
import { useCall } from "../../hooks/useCall.js";

export function ExportPage() {
  const models = useCall("models.list", {}, ["models.changed"]);
  const list = models.data ?? [];
  const [chosenId, setChosenId] = useState<string>();
  const [copied, setCopied] = useState<string>();
  const model = list.find((m) => m.id === chosenId) ?? list.find((m) => m.parentId !== null) ?? list[0];
  const parent = model?.parentId ? list.find((m) => m.id === model.parentId) : undefined;

  const copy = async (path: string) => {
    try {
      await navigator.clipboard.writeText(path);
      setCopied("Path copied to the clipboard.");
    } catch {
      // Clipboard access can be refused (insecure context, permissions): let the user copy by hand.
      const field = document.getElementById("export-path") as HTMLInputElement | null;
      field?.select();
      setCopied("The clipboard is not available here: the path is selected, press Ctrl+C.");
    }
  };

  return (
    <>
      <PageHeader title="Export" subtitle="Take a variant to another device." />
      <div className="space-y-4">
        <div className="rounded-lg border border-dashed border-zinc-300 bg-white px-5 py-4">
          <p className="text-sm font-medium text-zinc-800">Variant files are ordinary GGUF files</p>
          <p className="mt-1 text-sm text-zinc-600">
            Apps built on llama.cpp load them as they are: copy the one you chose wherever you need it.
          </p>
        </div>
        {models.error && <Notice tone="error">Could not list models: {models.error.message}</Notice>}
        <Card title="Variant file">
          {list.length === 0 ? (
            <p className="px-4 py-6 text-sm text-zinc-500">
              {models.loading ? "Loading…" : "No models in the library yet."}
            </p>
          ) : (
            model && (
              <div className="space-y-4 px-4 py-3">
                <Field label="Variant" className="max-w-xl">
                  <Select
                    aria-label="Variant"
                    value={model.id}
                    onChange={(event) => setChosenId(event.target.value)}
                  >
                    {list.map((m) => (
                      <option key={m.id} value={m.id}>
                        {m.fileName} · {formatBytes(m.sizeBytes)}
                        {m.parentId ? "" : " (imported)"}
                      </option>
                    ))}
                  </Select>
                </Field>
                <div>
                  <span className="mb-1 block text-xs font-medium text-zinc-600">Path</span>
                  <div className="flex gap-2">
                    <input
                      id="export-path"
                      readOnly
                      value={model.path}
                      aria-label="Variant path"
                      data-testid="export-path"
                      onFocus={(event) => event.target.select()}
                      className="block w-full rounded-md border-0 bg-zinc-50 px-2.5 py-1.5 font-mono text-xs text-zinc-800 ring-1 ring-inset ring-zinc-300"
                    />
                    <Button variant="primary" onClick={() => void copy(model.path)}>
                      Copy path
                    </Button>
                  </div>
                  {copied && <p className="mt-1 text-xs text-zinc-500">{copied}</p>}
                </div>
                <dl className="flex flex-wrap gap-x-8 gap-y-2 text-sm">
                  <Fact label="Size" value={formatBytes(model.sizeBytes)} testId="export-size" />
                  <Fact label="File type" value={formatFileType(model.metadata.fileType)} />
                  <Fact label="Bits/weight" value={formatBitsPerWeight(model.metadata.bitsPerWeight)} />
                  <Fact
                    label="Made from"
                    value={parent ? parent.fileName : model.parentId ? "a removed model" : "imported"}
                  />
                  <Fact label="Added" value={formatDateTime(model.importedAt)} />
                  <Fact label="SHA-256" value={`${model.sha256.slice(0, 16)}…`} mono />
                </dl>
              </div>
            )
          )}
        </Card>
      </div>
    </>
  );
}

function Fact({
  label,
  value,
  mono = false,
  testId,
}: {
  label: string;
  value: string;
  mono?: boolean;
  testId?: string;
}) {
  return (
    <div>
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd
        className={`tabular-nums text-zinc-800 ${mono ? "font-mono text-xs leading-5" : ""}`}
        data-testid={testId}
      >
        {value}
      </dd>
    </div>
  );
}
