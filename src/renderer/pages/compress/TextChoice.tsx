// A text for evaluation or calibration: chosen from the texts the workbench already has (the
// library's text sets with size and hash, the reference model's held-out texts), picked or dropped
// as a file (stored as a text set first, uploaded when the UI runs in a browser), or typed as a path.
import { useRef, useState, type DragEvent } from "react";
import type { OfferedText } from "../../../shared/domain/offeredText.js";
import { formatBytes } from "../../../shared/format.js";
import { useClient } from "../../client/ClientContext.js";
import { Button } from "../../components/Button.js";
import { Select, TextInput } from "../../components/Field.js";
import { useCall } from "../../hooks/useCall.js";

type Props = {
  label: string;
  purpose: "evaluation" | "calibration";
  value: string;
  disabled?: boolean;
  onChange: (path: string) => void;
};

export function describeOfferedText(text: OfferedText): string {
  const hash = text.sha256 ? ` · ${text.sha256.slice(0, 8)}` : "";
  return `${text.name} · ${formatBytes(text.bytes)}${hash}`;
}

export function TextChoice({ label, purpose, value, disabled, onChange }: Props) {
  const client = useClient();
  const listed = useCall("texts.list", {}, ["jobs.updated"]);
  const offered = (listed.data?.texts ?? []).filter(
    (text) => text.purpose === purpose || text.purpose === "any" || text.source === "library",
  );
  const chosen = offered.some((text) => text.path === value) ? value : "";
  const picker = useRef<HTMLInputElement>(null);
  const [adding, setAdding] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);

  const add = async (file: File | undefined) => {
    if (!file || disabled) return;
    setAdding(file.name);
    setRefusal(null);
    try {
      const text = await client.addTextFile(file, purpose);
      listed.reload();
      onChange(text.path);
    } catch (error) {
      setRefusal(error instanceof Error ? error.message : String(error));
    } finally {
      setAdding(null);
    }
  };
  const drop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    void add(event.dataTransfer.files[0]);
  };

  return (
    <div
      className={`space-y-1.5 rounded-md ${dragging ? "ring-2 ring-indigo-400" : ""}`}
      data-testid={`text-drop-${purpose}`}
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={drop}
    >
      {offered.length > 0 && (
        <Select
          aria-label={`${label}: offered texts`}
          disabled={disabled}
          value={chosen}
          onChange={(event) => {
            if (event.target.value) onChange(event.target.value);
          }}
        >
          <option value="">Choose a text the workbench has…</option>
          {offered.map((text) => (
            <option key={text.path} value={text.path}>
              {describeOfferedText(text)}
            </option>
          ))}
        </Select>
      )}
      <TextInput
        aria-label={label}
        placeholder={`/path/to/${purpose === "evaluation" ? "eval" : "calibration"}.txt`}
        disabled={disabled}
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
      <div className="flex items-center gap-2 text-xs text-zinc-500">
        <Button disabled={disabled || adding !== null} onClick={() => picker.current?.click()}>
          Choose text file…
        </Button>
        <input
          ref={picker}
          type="file"
          accept=".txt,.text,.md,text/plain"
          className="hidden"
          aria-label={`${label}: text file`}
          data-testid={`text-file-input-${purpose}`}
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = "";
            void add(file);
          }}
        />
        <span>
          {adding ? `Storing ${adding}…` : "or drop a UTF-8 text file here; it is kept in the library"}
        </span>
      </div>
      {refusal && (
        <p role="alert" className="text-xs text-red-700">
          {refusal}
        </p>
      )}
    </div>
  );
}
