// The three ways to import: type a path on the server's machine, pick a file, or drop one.
import { useRef, useState, type FormEvent } from "react";
import { Button } from "../../components/Button.js";
import { Card } from "../../components/Card.js";

export function ImportPanel({
  onPath,
  onFiles,
}: {
  onPath: (path: string) => void;
  onFiles: (files: File[]) => void;
}) {
  const [path, setPath] = useState("");
  const picker = useRef<HTMLInputElement>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = path.trim();
    if (trimmed === "") return;
    onPath(trimmed);
    setPath("");
  };

  return (
    <Card title="Import a model">
      <div className="flex flex-wrap items-center gap-3 px-4 py-3">
        <form onSubmit={submit} className="flex min-w-[20rem] flex-1 items-center gap-2">
          <label htmlFor="import-path" className="sr-only">
            Path to a GGUF file
          </label>
          <input
            id="import-path"
            name="path"
            value={path}
            onChange={(event) => setPath(event.target.value)}
            placeholder="/path/to/model.gguf"
            spellCheck={false}
            autoComplete="off"
            className="min-w-0 flex-1 rounded-md border-0 bg-white px-2.5 py-1.5 font-mono text-sm text-zinc-900 ring-1 ring-inset ring-zinc-300 placeholder:text-zinc-400 focus:ring-2 focus:ring-indigo-500 focus:outline-none"
          />
          <Button type="submit" variant="primary" disabled={path.trim() === ""}>
            Import
          </Button>
        </form>
        <span className="text-xs text-zinc-400">or</span>
        <Button onClick={() => picker.current?.click()}>Choose file…</Button>
        <input
          ref={picker}
          type="file"
          accept=".gguf"
          multiple
          className="hidden"
          data-testid="import-file-input"
          onChange={(event) => {
            const files = [...(event.target.files ?? [])];
            event.target.value = "";
            if (files.length > 0) onFiles(files);
          }}
        />
        <span className="text-xs text-zinc-500">or drop .gguf files anywhere on this page</span>
      </div>
    </Card>
  );
}
