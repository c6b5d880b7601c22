// A text for evaluation or calibration: chosen from the texts the workbench already has (the
// library's text sets with size and hash, the reference model's held-out texts), or typed as a path.
import type { OfferedText } from "../../../shared/domain/offeredText.js";
import { formatBytes } from "../../../shared/format.js";
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
  const offered = (useCall("texts.list", {}, ["jobs.updated"]).data?.texts ?? []).filter(
    (text) => text.purpose === purpose || text.purpose === "any" || text.source === "library",
  );
  const chosen = offered.some((text) => text.path === value) ? value : "";
  return (
    <div className="space-y-1.5">
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
    </div>
  );
}
